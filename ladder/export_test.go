package ladder

// Hooks into the package for its external tests (package ladder_test,
// those that run the FFmpeg-backed rung/ladder/media).
var (
	OnHull   = onHull
	PoolVMAF = poolVMAF
	Update   = update
)
