package encode

import "time"

// EventKind names what an Event reports.
type EventKind string

// The events of an Encode, in the order they occur.
const (
	EventPlan       EventKind = "plan"         // the chunk plan is known
	EventChunkStart EventKind = "chunk_start"  // a worker began a chunk
	EventFrames     EventKind = "frames"       // a chunk encoded more frames
	EventChunkDone  EventKind = "chunk_done"   // a chunk is encoded and stored
	EventChunkCache EventKind = "chunk_cached" // a chunk was found in the cache, not encoded
	EventConcat     EventKind = "concat"       // every chunk is done; joining them
	EventWarning    EventKind = "warning"      // the output lacks frames that did not decode (Lost, Message)
	EventDone       EventKind = "done"         // the output is complete
)

// Event reports progress of an Encode. Encode delivers events from its
// workers' goroutines, one at a time; the callback must not block long.
type Event struct {
	Kind        EventKind     `json:"event"`
	Chunk       int           `json:"chunk"`        // chunk index; -1 for job-wide events
	Chunks      int           `json:"chunks"`       // chunks in the plan; while a streaming encode detects them, those found so far (0 in its plan event)
	Frames      int           `json:"frames"`       // frames done in this chunk (chunk events)
	ChunkFrames int           `json:"chunk_frames"` // frames in this chunk; 0 before a streaming encode knows where it ends
	Done        int           `json:"done_frames"`  // frames done in the whole job
	Total       int           `json:"total_frames"` // frames in the whole job
	Bytes       int64         `json:"bytes"`        // encoded bytes so far (chunk, or job for job events)
	Elapsed     time.Duration `json:"elapsed_ns"`   // since Encode began
	Output      string        `json:"output,omitempty"`
	Lost        int           `json:"lost_frames,omitempty"` // frames that did not decode (warning)
	Message     string        `json:"message,omitempty"`     // one line (warning)
}

// ProgressFunc receives Events. A nil ProgressFunc discards them.
type ProgressFunc func(Event)
