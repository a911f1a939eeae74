#pragma once
// glibc's malloc thresholds for a training process. LibTorch's CPU tensors come from malloc; by
// default glibc serves a large block with its own mmap and returns the free top of the heap to the
// system past a threshold, both thresholds rising only as blocks are freed. Until they have risen,
// a training loop's activations and gradients are handed back to the system at the end of an
// iteration and faulted in again, zero-filled, in the next: on the reduced ResNet-18 with batch 32
// that was about 16,000 page faults and 40 ms of system time per iteration (bench/RESULTS.md).

namespace engram::train {

// Fixes glibc's mmap threshold at 32 MiB and its trim threshold at 64 MiB (the ceiling that glibc's
// own rising rule reaches on 64-bit systems), so that freed blocks up to that size stay in the
// process for the next iteration; the cost is up to 64 MiB of freed memory kept resident. The
// `engram` executable and the benchmarks call it at start. Does nothing when glibc is not the C
// library, or when the user tunes malloc (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, or a
// glibc.malloc.* entry of GLIBC_TUNABLES): those settings stand. Returns whether it changed the
// thresholds.
bool tune_host_allocator();

} // namespace engram::train
