#include <engram/io/atomic_file.h>

#include <support/error_message.h>
#include <support/scratch_dir.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace engram::io {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  return engram::testing::scratch_dir("io_" + name);
}

// The pid of a process that has exited (and been reaped), so that no process has it for now.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0)
    ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(AtomicFile, WritesCreatesDirectoriesAndReplaces) {
  const fs::path dir = fresh_dir("write");
  const std::string path = (dir / "a" / "b" / "f.txt").string();
  write_file_atomically(path, "first");
  EXPECT_EQ(read_file(path, "test file"), "first");
  write_file_atomically(path, std::string(100000, 'x'));
  EXPECT_EQ(read_file(path, "test file"), std::string(100000, 'x'));
  // Nothing is left beside the target.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir / "a" / "b")) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(AtomicFile, TemporaryNameCarriesHostAndProcess) {
  const std::string tmp = temporary_path_for("/x/ckpt");
  EXPECT_EQ(tmp.rfind("/x/ckpt.tmp.", 0), 0u) << tmp;
  EXPECT_EQ(tmp.substr(tmp.rfind('.') + 1), std::to_string(::getpid()));
}

TEST(AtomicFile, RemovesTemporariesOfDeadProcessesOnly) {
  const fs::path dir = fresh_dir("stale");
  const std::string path = (dir / "run.ckpt").string();
  const std::string ours = temporary_path_for(path);
  const std::string prefix = ours.substr(0, ours.rfind('.') + 1);
  const std::string stale = prefix + std::to_string(dead_pid());
  const std::string live = prefix + std::to_string(::getppid());
  const std::string other_host = path + ".tmp.some-other-host." + std::to_string(dead_pid());
  for (const auto& f : {stale, live, other_host})
    std::ofstream(f) << "partial";
  write_file_atomically(path, "new");
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));       // its process may still be writing
  EXPECT_TRUE(fs::exists(other_host)); // its process is on another machine
  EXPECT_EQ(read_file(path, "test file"), "new");
}

TEST(AtomicFile, ErrorsNameTheTarget) {
  const fs::path dir = fresh_dir("errors");
  EXPECT_ERROR_MENTIONS(write_file_atomically("", "x"), "empty name");
  // A target whose parent is a file: the directory cannot be created.
  std::ofstream((dir / "plain").string()) << "file";
  const std::string under_file = (dir / "plain" / "f").string();
  EXPECT_ERROR_MENTIONS(write_file_atomically(under_file, "x"), under_file);
  EXPECT_ERROR_MENTIONS(read_file((dir / "missing").string(), "checkpoint"),
                        "checkpoint '" + (dir / "missing").string() + "': cannot open");
  EXPECT_ERROR_MENTIONS(read_file(dir.string(), "checkpoint"), "not a readable file");
}

TEST(AtomicFile, AFailedWriteLeavesThePreviousVersion) {
  const fs::path dir = fresh_dir("failed");
  const std::string path = (dir / "f").string();
  write_file_atomically(path, "old");
  // A writer that fails half-way: the target keeps its old contents, no temporary remains.
  EXPECT_ERROR_MENTIONS(write_atomically_via(path,
                                             [](const std::string& tmp) {
                                               std::ofstream(tmp) << "half";
                                               TORCH_CHECK(false, "simulated failure");
                                             }),
                        "simulated failure");
  EXPECT_EQ(read_file(path, "test file"), "old");
  EXPECT_FALSE(fs::exists(temporary_path_for(path)));
}

} // namespace
} // namespace engram::io
