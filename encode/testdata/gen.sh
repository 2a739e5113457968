#!/bin/sh
# Regenerates the tiny seed inputs of FuzzProbe (go generate ./encode).
# Each is 5 frames of 64x36 test pattern, a few kilobytes.
set -e
cd "$(dirname "$0")"
src="-f lavfi -i testsrc2=size=64x36:rate=25 -frames:v 5 -pix_fmt yuv420p -fflags +bitexact -flags:v +bitexact"
ffmpeg -nostdin -v error -y $src -c:v libx264 -preset ultrafast -bf 2 tiny.mp4
ffmpeg -nostdin -v error -y $src -c:v ffv1 -g 1 tiny.mkv
ffmpeg -nostdin -v error -y $src -c:v libvpx-vp9 -b:v 0 -crf 40 tiny.webm
ffmpeg -nostdin -v error -y $src -c:v mpeg2video tiny.ts
# Mezzanine formats of issue 13 (TestMezzanines has them at full length).
ffmpeg -nostdin -v error -y $src -c:v mpeg4 -bf 2 -g 4 tiny-bframes.avi
ffmpeg -nostdin -v error -y $src -c:v mjpeg tiny-mjpeg.avi
ffmpeg -nostdin -v error -y $src -c:v prores_ks -profile:v 3 -pix_fmt yuv422p10le -timecode 01:00:00:00 tiny-prores.mov
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=64x36:rate=50 -frames:v 5 -vf interlace=scan=tff -c:v mpeg2video -pix_fmt yuv422p -top 1 -fflags +bitexact -flags:v +bitexact+ildct+ilme tiny-interlaced.mxf
ffmpeg -nostdin -v error -y $src -c:v libx265 -preset ultrafast -pix_fmt yuv420p10le -x265-params log-level=error tiny-main10.mp4
ffmpeg -nostdin -v error -y -i tiny.mp4 -c copy -metadata:s:v:0 rotate=90 tiny-rotated.mp4
