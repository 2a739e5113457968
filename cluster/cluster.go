// Package cluster runs rung's encodes on many machines through Temporal, a
// durable workflow engine we use rather than write. A title is a workflow;
// probing and planning, each chunk encode and the concatenation are
// activities that any `rung worker` polling the task queue picks up.
// Workers share nothing but Temporal and S3: activities take and return
// s3:// URLs and small structs, never media, and each is idempotent by the
// chunk cache key (source identity + frame range + settings), so a retried
// or duplicated activity finds its output in S3 and returns it.
//
// The steps are package encode's (Probe, PlanChunks, EncodeChunk, Concat,
// the chunk cache key): the local runner (encode.Encode, an errgroup) and
// this one run the same code on the same plan, so their outputs are the
// same frames with the same timestamps.
package cluster

import (
	"time"

	"go.temporal.io/sdk/temporal"
)

// Names of the workflows and activities, registered by every worker and
// used by the clients that start them. Changing one breaks running
// workflows: add a new name instead.
const (
	// EncodeWorkflowName is the workflow of one chunked encode
	// (EncodeWorkflow).
	EncodeWorkflowName = "rung.Encode"

	planActivity   = "rung.Plan"
	chunkActivity  = "rung.EncodeChunk"
	concatActivity = "rung.Concat"

	// progressQuery answers the workflow's EncodeProgress.
	progressQuery = "progress"

	// chunkSignal carries a PlanChunk from a streaming plan activity to
	// its workflow.
	chunkSignal = "rung.chunk"
)

// DefaultTaskQueue is the task queue workers poll and clients start
// workflows on when none is given.
const DefaultTaskQueue = "rung"

// errBadInput is the Temporal error type of failures that no retry can
// fix: a source that is not media, a missing object, unknown settings.
const errBadInput = "rung.BadInput"

// maxPendingChunks bounds the chunk activities a workflow keeps scheduled
// at once, well under Temporal's limit of 2,000 pending activities per
// workflow.
const maxPendingChunks = 500

// defaultHeartbeat is the heartbeat timeout of chunk activities: a worker
// that dies mid-chunk loses its chunk to another worker this long after
// its last heartbeat.
const defaultHeartbeat = time.Minute

// retryPolicy retries transient failures (S3, a worker lost, an encoder
// crash) with backoff, and never bad input.
func retryPolicy() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		MaximumAttempts:        10,
		NonRetryableErrorTypes: []string{errBadInput},
	}
}
