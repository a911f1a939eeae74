#pragma once
// Bounds checks on a checkpoint payload before LibTorch parses it. LibTorch's reader allocates
// what a record, a pickled string or a memo index claims before it reads it, so a payload that
// passes the checksum but was written by a faulty or hostile tool could claim gigabytes. These
// checks walk the zip directory and every pickle record and refuse any claim the payload cannot
// back.
#include <cstdint>
#include <string>

namespace engram::io::detail {

/// The `bytes`-byte little-endian unsigned integer at offset `at` of `in` (the caller checks the
/// bounds): zip fields, the checkpoint trailer and pickle arguments.
uint64_t read_le(const std::string& in, uint64_t at, int bytes);

/// Throws a one-line c10::Error when a zip record's offsets or sizes fall outside `payload`, a
/// compressed record claims more than deflate can expand to, or a pickle record (`*.pkl`,
/// `*_pkl`) has an unknown opcode, a length past its end or a memo index beyond its size.
void check_archive_bounds(const std::string& payload);

/// The pickle scan on its own, for one record's bytes; `record` names it in the error.
void check_pickle_bounds(const std::string& bytes, const std::string& record);

} // namespace engram::io::detail
