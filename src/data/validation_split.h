#pragma once
// A validation split held out from the training data, for choosing hyperparameters without ever
// looking at the test set: in each task, a fixed fraction of the training samples (drawn by the
// seed) becomes the task's evaluation split, and training sees only the rest.

#include <engram/data/stream.h>

#include <cstdint>

namespace engram::data {

// `stream` with, in every task, `fraction` (in (0, 1)) of the training samples (at least one, and
// at least one left for training) moved to the evaluation split: task.test is replaced by these
// held-out training samples and task.train keeps the others. Which samples are held out is drawn
// from `seed` (the same seed holds out the same samples) independently of the training order. The
// test split of `stream` is not used at all.
Stream hold_out_validation(const Stream& stream, double fraction, uint64_t seed);

} // namespace engram::data
