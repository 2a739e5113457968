package quality

// Extractor computes one feature family (VIF, ADM, PSNR, ...) for one frame
// pair and records its values in out under libvmaf's feature names. It mirrors
// the extract step of libvmaf's VmafFeatureExtractor.
//
// A non-temporal extractor keeps only scratch buffers between calls: the
// scorer gives each worker its own instance and calls it with frames in any
// order. A temporal extractor (one that also implements Flusher) is called
// from a single goroutine with frames in increasing order.
type Extractor interface {
	Extract(ref, dis *Picture, i int, out *Scores) error
}

// Flusher is implemented by temporal extractors (motion) that can only score a
// frame once they have seen the next one. Flush is called once after the last
// frame and records what is still pending.
type Flusher interface {
	Flush(out *Scores) error
}
