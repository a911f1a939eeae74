// tune_host_allocator (engram/train/host_memory.h): it sets glibc's malloc thresholds unless the
// user has tuned malloc through the environment.
#include <engram/train/host_memory.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace engram {
namespace {

// Sets (or unsets, with nullopt) an environment variable for one scope.
class ScopedEnv {
public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name))
      old_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  const char* name_;
  std::optional<std::string> old_;
};

struct NoUserSettings {
  ScopedEnv mmap{"MALLOC_MMAP_THRESHOLD_", std::nullopt};
  ScopedEnv trim{"MALLOC_TRIM_THRESHOLD_", std::nullopt};
  ScopedEnv tunables{"GLIBC_TUNABLES", std::nullopt};
};

#if defined(__GLIBC__)
TEST(HostAllocator, SetsTheThresholdsOnGlibc) {
  NoUserSettings clean;
  EXPECT_TRUE(train::tune_host_allocator());
}

TEST(HostAllocator, TunablesForOtherThingsDoNotStopIt) {
  NoUserSettings clean;
  ScopedEnv tunables("GLIBC_TUNABLES", "glibc.pthread.rseq=0");
  EXPECT_TRUE(train::tune_host_allocator());
}
#endif

TEST(HostAllocator, LeavesTheUsersMallocSettings) {
  {
    NoUserSettings clean;
    ScopedEnv trim("MALLOC_TRIM_THRESHOLD_", "131072");
    EXPECT_FALSE(train::tune_host_allocator());
  }
  {
    NoUserSettings clean;
    ScopedEnv mmap("MALLOC_MMAP_THRESHOLD_", "131072");
    EXPECT_FALSE(train::tune_host_allocator());
  }
  {
    NoUserSettings clean;
    ScopedEnv tunables("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=131072");
    EXPECT_FALSE(train::tune_host_allocator());
  }
}

} // namespace
} // namespace engram
