#pragma once
// Files that are either entirely the old version or entirely the new one: written to a temporary
// file beside the target, flushed, then renamed over it (rename is atomic within a filesystem).

#include <functional>
#include <string>

namespace engram::io {

// Writes `contents` to `path` atomically; creates missing parent directories.
void write_file_atomically(const std::string& path, const std::string& contents);

// Calls `write(temporary_path)` and renames the result over `path`; removes the temporary on
// failure. For writers that only take a path (torch archives).
void write_atomically_via(const std::string& path,
                          const std::function<void(const std::string&)>& write);

} // namespace engram::io
