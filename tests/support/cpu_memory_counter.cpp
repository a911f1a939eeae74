#include <support/cpu_memory_counter.h>

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <mutex>

namespace engram::testing {
namespace {

class CountingAllocator final : public c10::Allocator {
public:
  explicit CountingAllocator(c10::Allocator* base) : base_(base) {}

  c10::DataPtr allocate(size_t n) override {
    c10::DataPtr inner = base_->allocate(n);
    void* data = inner.get();
    const c10::Device device = inner.device();
    auto* ctx = new Context{std::move(inner), static_cast<int64_t>(n), this};
    const int64_t live = live_.fetch_add(ctx->bytes) + ctx->bytes;
    int64_t peak = peak_.load();
    while (live > peak && !peak_.compare_exchange_weak(peak, live)) {
    }
    return {data, ctx, &release, device};
  }

  void copy_data(void* dest, const void* src, std::size_t count) const override {
    default_copy_data(dest, src, count);
  }

  std::atomic<int64_t> live_{0};
  std::atomic<int64_t> peak_{0};

private:
  struct Context {
    c10::DataPtr inner;
    int64_t bytes;
    CountingAllocator* owner;
  };

  static void release(void* p) {
    auto* ctx = static_cast<Context*>(p);
    ctx->owner->live_.fetch_sub(ctx->bytes);
    delete ctx; // frees the storage through the base allocator's deleter
  }

  c10::Allocator* base_;
};

CountingAllocator* counter() {
  // Never destroyed: storage freed during static destruction still reaches it.
  static auto* instance = new CountingAllocator(c10::GetCPUAllocator());
  return instance;
}

} // namespace

void CpuMemoryCounter::install() {
  static std::once_flag once;
  std::call_once(once, [] { c10::SetCPUAllocator(counter(), /*priority=*/100); });
}

int64_t CpuMemoryCounter::live_bytes() {
  return counter()->live_.load();
}

int64_t CpuMemoryCounter::peak_bytes() {
  return counter()->peak_.load();
}

void CpuMemoryCounter::reset_peak() {
  counter()->peak_.store(counter()->live_.load());
}

} // namespace engram::testing
