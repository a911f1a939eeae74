#include <engram/data/validation_split.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>

#include <cmath>

namespace engram::data {

namespace {
TaskSplit subset(const TaskSplit& split, const at::Tensor& positions) {
  TaskSplit s;
  s.images = split.images;
  s.indices = split.indices.index_select(0, positions);
  s.targets = split.targets.index_select(0, positions);
  s.pixel_map = split.pixel_map;
  return s;
}
} // namespace

Stream hold_out_validation(const Stream& stream, double fraction, uint64_t seed) {
  TORCH_CHECK(std::isfinite(fraction) && fraction > 0 && fraction < 1,
              "hold_out_validation: argument 'fraction' expected a number in (0, 1), got ",
              fraction);
  std::vector<Task> tasks;
  for (const Task& t : stream.tasks()) {
    const int64_t n = t.train.size();
    TORCH_CHECK(n >= 2, "hold_out_validation: task ", t.id, " has ", n,
                " training samples; a validation split needs at least 2");
    const int64_t held = std::min<int64_t>(
        n - 1, std::max<int64_t>(1, static_cast<int64_t>(std::llround(fraction * n))));
    // Its own generator per task: the held-out samples do not depend on anything else drawn.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed * 1000003ULL + 7919ULL +
                                                        static_cast<uint64_t>(t.id));
    const at::Tensor perm = at::randperm(n, gen, at::TensorOptions().dtype(at::kLong));
    Task v = t;
    v.train = subset(t.train, std::get<0>(perm.slice(0, 0, n - held).sort()));
    v.test = subset(t.train, std::get<0>(perm.slice(0, n - held, n).sort()));
    v.description = t.description + " (validation)";
    tasks.push_back(std::move(v));
  }
  return Stream(stream.name() + " (validation)", stream.scenario(), stream.input_dim(),
                stream.num_outputs(), std::move(tasks));
}

} // namespace engram::data
