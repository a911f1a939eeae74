#include <engram/io/atomic_file.h>

#include <c10/util/Exception.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace engram::io {

namespace {
std::string temporary_for(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

void ensure_parent(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    TORCH_CHECK(!ec, "write_file_atomically: cannot create directory '", parent.string(),
                "': ", ec.message());
  }
}
} // namespace

void write_atomically_via(const std::string& path,
                          const std::function<void(const std::string&)>& write) {
  ensure_parent(path);
  const std::string tmp = temporary_for(path);
  try {
    write(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    TORCH_CHECK(false, "write_file_atomically: cannot rename '", tmp, "' to '", path,
                "': ", std::strerror(err));
  }
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  write_atomically_via(path, [&](const std::string& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    TORCH_CHECK(f != nullptr, "write_file_atomically: cannot open '", tmp,
                "': ", std::strerror(errno));
    const size_t n = std::fwrite(contents.data(), 1, contents.size(), f);
    const bool ok = n == contents.size() && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
    std::fclose(f);
    TORCH_CHECK(ok, "write_file_atomically: cannot write '", tmp, "' (disk full?)");
  });
}

} // namespace engram::io
