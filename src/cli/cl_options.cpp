#include <engram/cli/cl_options.h>

#include <filesystem>
#include <sstream>

namespace engram::cli {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    if (!item.empty())
      out.push_back(item);
  }
  return out;
}

std::string executable_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

std::string locate(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::exists(path) || fs::path(path).is_absolute())
    return path;
  const fs::path exe = executable_dir();
  for (const fs::path& c : {exe / ".." / path, exe / ".." / "share" / "engram" / path}) {
    if (fs::exists(c))
      return fs::weakly_canonical(c).string();
  }
  return path;
}

} // namespace engram::cli
