package encode

// Threads is how an encode splits the machine's cores between chunks
// encoded at once and each encoder's own threads. It is recorded in the
// plan, and Encoder is part of every chunk's cache key (ChunkKey).
type Threads struct {
	// Stream is true when the source is decoded once and its chunks are
	// encoded in turn, each with every core, as they are found (the
	// previous chunk's encoder finishing while the next one starts);
	// false when Workers chunks are encoded at once, each decoding its
	// own frames after the scene detection.
	Stream bool `json:"stream"`
	// Workers is how many chunks take frames at once.
	Workers int `json:"workers"`
	// Encoder is each encoder's thread count.
	Encoder int `json:"encoder_threads"`
}

// encoderScale is about how many threads one encoder of codec keeps busy
// on frames h lines high: x264 and SVT-AV1 scale with frame threads and
// rows, x265 with its wavefront rows, libvpx and libaom with row-based
// multithreading over fewer, taller rows.
func encoderScale(codec string, h int) int {
	per := map[string]int{"x264": 60, "svtav1": 60, "x265": 90, "vp9": 120, "aom": 180}[codec]
	if per == 0 {
		per = 120
	}
	return min(16, max(2, h/per))
}

// encoderThreads is the thread count to give an encoder of codec that
// has cores to itself: x264 gets 1.5 frame threads per core, as its own
// automatic choice does (a frame thread waits on the rows of its
// references), the others one per core.
func encoderThreads(codec string, cores int) int {
	if codec == "x264" {
		return max(1, cores*3/2)
	}
	return max(1, cores)
}

// SplitThreads chooses how an encode of a source of the given output
// height with codec uses cores. When one encoder keeps them all busy, as
// on a laptop or a two-core runner, the source is decoded once and the
// chunks are encoded in turn with every core (Stream); with more cores
// than an encoder uses, cores/encoderScale chunks are encoded at once. A
// workers count > 0 (--workers) is taken as given: 1 streams, more
// encode that many chunks at once, sharing the cores.
func SplitThreads(cores int, codec string, height int, workers int) Threads {
	cores = max(1, cores)
	switch {
	case workers == 1:
		return Threads{Stream: true, Workers: 1, Encoder: encoderThreads(codec, cores)}
	case workers > 1:
		return Threads{Workers: workers, Encoder: max(1, cores/workers)}
	}
	scale := encoderScale(codec, height)
	if cores <= scale {
		return Threads{Stream: true, Workers: 1, Encoder: encoderThreads(codec, cores)}
	}
	w := cores / scale
	return Threads{Workers: w, Encoder: encoderThreads(codec, cores/w)}
}
