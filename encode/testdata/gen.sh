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
