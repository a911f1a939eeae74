#pragma once
// Durable files: either entirely the old version or entirely the new one, and on disk once the
// call returns. A write goes to a temporary file beside the target (named after the host and the
// process), is flushed and fsync'd, renamed over the target (atomic within a file system), and the
// directory is fsync'd so that the rename itself survives a crash. Any failure, a full disk
// included, is a one-line error naming the target file; the temporary file is removed and the
// previous version of the target is left untouched.
//
// Temporary files orphaned by a killed process are removed by the next write to the same target
// from the same host (their process no longer exists).
//
// For tests, the environment variable ENGRAM_IO_FAIL_AFTER_BYTES=N makes every write fail with
// "No space left on device" once the process has written N bytes through these functions: a full
// disk without privileges. ENGRAM_IO_KILL_AT_WRITE=N kills the process with SIGKILL half-way
// through its N-th write_file_atomically, leaving a half-written temporary file behind, as a
// crash in the middle of a checkpoint write would.

#include <cstdint>
#include <functional>
#include <string>

namespace engram::io {

// Writes `contents` to `path` durably and atomically; creates missing parent directories.
void write_file_atomically(const std::string& path, const std::string& contents);

// Calls `write(temporary_path)`, fsyncs what it wrote and renames it over `path`; removes the
// temporary on failure. For writers that only take a path (a library that opens the file itself);
// bytes written that way bypass the ENGRAM_IO_FAIL_AFTER_BYTES hook.
void write_atomically_via(const std::string& path,
                          const std::function<void(const std::string&)>& write);

// The temporary file name this process uses for `path`: "<path>.tmp.<host>.<pid>".
std::string temporary_path_for(const std::string& path);

// Removes "<path>.tmp.<this host>.<pid>" files whose process no longer exists; returns how many.
int remove_stale_temporaries(const std::string& path);

// Reads the whole file; a missing or unreadable file is an error naming `what` and the path.
std::string read_file(const std::string& path, const std::string& what);

} // namespace engram::io
