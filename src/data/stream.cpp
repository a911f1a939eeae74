#include <engram/data/stream.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>

#include <cmath>
#include <sstream>
#include <utility>

namespace engram::data {

Scenario parse_scenario(const std::string& name) {
  if (name == "task" || name == "task-il")
    return Scenario::kTask;
  if (name == "domain" || name == "domain-il")
    return Scenario::kDomain;
  if (name == "class" || name == "class-il")
    return Scenario::kClass;
  TORCH_CHECK(false,
              "parse_scenario: argument 'scenario' expected one of task, domain, class; got '",
              name, "'");
}

std::string to_string(Scenario scenario) {
  switch (scenario) {
  case Scenario::kTask:
    return "task";
  case Scenario::kDomain:
    return "domain";
  case Scenario::kClass:
    return "class";
  }
  return "?";
}

at::Tensor TaskSplit::images_at(const at::Tensor& positions) const {
  at::Tensor x = images.index_select(0, indices.index_select(0, positions));
  if (!pixel_map.defined())
    return x;
  at::Tensor padded = at::cat({x, at::zeros({x.size(0), 1}, x.options())}, 1);
  return padded.index_select(1, pixel_map);
}

at::Tensor TaskSplit::targets_at(const at::Tensor& positions) const {
  return targets.index_select(0, positions);
}

Stream::Stream(std::string name, Scenario scenario, int64_t input_dim, int64_t num_outputs,
               std::vector<Task> tasks, std::vector<int64_t> input_shape)
    : name_(std::move(name)), scenario_(scenario), input_dim_(input_dim),
      input_shape_(std::move(input_shape)), num_outputs_(num_outputs), tasks_(std::move(tasks)) {
  TORCH_CHECK(!tasks_.empty(), "Stream: argument 'tasks' expected at least one task, got none");
  if (input_shape_.empty())
    input_shape_ = {input_dim_};
  int64_t numel = 1;
  for (const int64_t d : input_shape_)
    numel *= d;
  TORCH_CHECK(numel == input_dim_, "Stream: argument 'input_shape' expected ", input_dim_,
              " elements per sample, got ", at::IntArrayRef(input_shape_));
  const auto T = num_tasks();
  std::vector<at::Tensor> own(T);
  for (int64_t t = 0; t < T; ++t) {
    own[t] = at::zeros({num_outputs_}, at::kBool);
    for (int64_t u : tasks_[t].units) {
      TORCH_CHECK(u >= 0 && u < num_outputs_, "Stream: task ", t, " uses output unit ", u,
                  ", outside 0..", num_outputs_ - 1);
      own[t][u] = true;
    }
  }
  for (int64_t c = 0; c < T; ++c) {
    at::Tensor table = at::zeros({T, num_outputs_}, at::kBool);
    for (int64_t s = 0; s < T; ++s) {
      switch (scenario_) {
      case Scenario::kTask:
        table[s] = own[s];
        break;
      case Scenario::kDomain:
        table[s].fill_(true);
        break;
      case Scenario::kClass:
        for (int64_t k = 0; k <= std::max(s, c); ++k)
          table[s].logical_or_(own[k]);
        break;
      }
    }
    tables_.push_back(table);
  }
}

const Task& Stream::task(int64_t t) const {
  TORCH_CHECK(t >= 0 && t < num_tasks(), "Stream::task: argument 't' expected in 0..",
              num_tasks() - 1, ", got ", t);
  return tasks_[t];
}

at::Tensor Stream::active_units(int64_t sample_task, int64_t current_task) const {
  TORCH_CHECK(current_task >= 0 && current_task < num_tasks(),
              "Stream::active_units: argument 'current_task' expected in 0..", num_tasks() - 1,
              ", got ", current_task);
  TORCH_CHECK(sample_task >= 0 && sample_task < num_tasks(),
              "Stream::active_units: argument 'sample_task' expected in 0..", num_tasks() - 1,
              ", got ", sample_task);
  return tables_[current_task][sample_task];
}

at::Tensor Stream::active_mask(const at::Tensor& sample_tasks, int64_t current_task) const {
  TORCH_CHECK(current_task >= 0 && current_task < num_tasks(),
              "Stream::active_mask: argument 'current_task' expected in 0..", num_tasks() - 1,
              ", got ", current_task);
  return tables_[current_task].index_select(0, sample_tasks);
}

Stream Stream::to(const c10::Device& device) const {
  // One copy per distinct tensor: the tasks of a stream share the dataset's images.
  std::vector<std::pair<const void*, at::Tensor>> moved;
  const auto place = [&](const at::Tensor& t) -> at::Tensor {
    if (!t.defined())
      return t;
    const void* key = t.unsafeGetTensorImpl();
    for (const auto& m : moved)
      if (m.first == key)
        return m.second;
    moved.emplace_back(key, t.to(device));
    return moved.back().second;
  };
  const auto place_split = [&](const TaskSplit& s) {
    return TaskSplit{place(s.images), place(s.indices), place(s.targets), place(s.pixel_map)};
  };
  Stream out = *this;
  for (auto& task : out.tasks_) {
    task.train = place_split(task.train);
    task.test = place_split(task.test);
  }
  for (auto& table : out.tables_)
    table = place(table);
  return out;
}

c10::Device Stream::device() const {
  return tables_.front().device();
}

namespace {

TaskSplit make_split(const at::Tensor& images, const at::Tensor& rows, const at::Tensor& targets,
                     const at::Tensor& pixel_map) {
  return TaskSplit{images, rows, targets, pixel_map};
}

std::vector<int64_t> range(int64_t begin, int64_t end) {
  std::vector<int64_t> r;
  for (int64_t i = begin; i < end; ++i)
    r.push_back(i);
  return r;
}

// Whole-dataset tasks under per-task pixel maps (permuted, rotated).
Stream make_transform_stream(const std::string& name, const Dataset& d, Scenario scenario,
                             const std::vector<at::Tensor>& maps,
                             const std::vector<std::string>& descriptions) {
  const auto T = static_cast<int64_t>(maps.size());
  const int64_t C = d.num_classes;
  const at::Tensor train_rows = at::arange(d.train_labels.size(0), at::kLong);
  const at::Tensor test_rows = at::arange(d.test_labels.size(0), at::kLong);
  std::vector<Task> tasks;
  for (int64_t t = 0; t < T; ++t) {
    // Domain-IL shares the C units; task- and class-IL give each task its own block of C units.
    const int64_t offset = scenario == Scenario::kDomain ? 0 : t * C;
    Task task;
    task.id = t;
    task.description = descriptions[t];
    task.train = make_split(d.train_images, train_rows, d.train_labels + offset, maps[t]);
    task.test = make_split(d.test_images, test_rows, d.test_labels + offset, maps[t]);
    task.units = range(offset, offset + C);
    tasks.push_back(std::move(task));
  }
  const int64_t outputs = scenario == Scenario::kDomain ? C : T * C;
  return Stream(name, scenario, d.input_dim(), outputs, std::move(tasks), d.input_shape());
}

void check_dataset(const Dataset& d, const char* fn) {
  TORCH_CHECK(d.train_images.defined() && d.train_images.dim() == 2 &&
                  d.train_images.size(1) == d.input_dim(),
              fn, ": argument 'dataset' expected train images [N, ", d.input_dim(), "]");
  TORCH_CHECK(d.num_classes >= 2, fn, ": argument 'dataset' expected >= 2 classes, got ",
              d.num_classes);
}

} // namespace

Stream make_split_stream(const Dataset& d, Scenario scenario, const SplitStreamOptions& o) {
  check_dataset(d, "make_split_stream");
  const int64_t C = d.num_classes;
  TORCH_CHECK(o.num_tasks >= 1 && C % o.num_tasks == 0 && C / o.num_tasks >= 2,
              "make_split_stream: argument 'num_tasks' expected to divide the ", C,
              " classes into groups of at least 2, got ", o.num_tasks);
  const int64_t k = C / o.num_tasks;
  at::Tensor order = at::arange(C, at::kLong);
  if (o.shuffle_classes) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    order = at::randperm(C, gen, at::kLong);
  }
  // position[c] = place of class c in the order: its class-IL output unit.
  at::Tensor position = at::empty({C}, at::kLong);
  position.index_put_({order}, at::arange(C, at::kLong));
  std::vector<Task> tasks;
  for (int64_t t = 0; t < o.num_tasks; ++t) {
    Task task;
    task.id = t;
    std::ostringstream desc;
    desc << "classes";
    for (int64_t i = 0; i < k; ++i)
      desc << (i ? "," : " ") << order[t * k + i].item<int64_t>();
    task.description = desc.str();
    auto cut = [&](const at::Tensor& images, const at::Tensor& labels) {
      at::Tensor pos = position.index_select(0, labels);
      at::Tensor in_task = (pos >= t * k).logical_and(pos < (t + 1) * k);
      at::Tensor rows = in_task.nonzero().flatten();
      at::Tensor unit = pos.index_select(0, rows);
      if (scenario == Scenario::kDomain)
        unit = unit - t * k;
      return make_split(images, rows, unit, at::Tensor());
    };
    task.train = cut(d.train_images, d.train_labels);
    task.test = cut(d.test_images, d.test_labels);
    task.units = scenario == Scenario::kDomain ? range(0, k) : range(t * k, (t + 1) * k);
    tasks.push_back(std::move(task));
  }
  const int64_t outputs = scenario == Scenario::kDomain ? k : C;
  return Stream("split-" + d.name, scenario, d.input_dim(), outputs, std::move(tasks),
                d.input_shape());
}

Stream make_permuted_stream(const Dataset& d, Scenario scenario, const TransformStreamOptions& o) {
  check_dataset(d, "make_permuted_stream");
  TORCH_CHECK(o.num_tasks >= 1, "make_permuted_stream: argument 'num_tasks' expected >= 1, got ",
              o.num_tasks);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  std::vector<at::Tensor> maps;
  std::vector<std::string> descriptions;
  for (int64_t t = 0; t < o.num_tasks; ++t) {
    maps.push_back(t == 0 ? at::Tensor() : at::randperm(d.input_dim(), gen, at::kLong));
    descriptions.push_back(t == 0 ? "original pixels" : "permutation " + std::to_string(t));
  }
  return make_transform_stream("permuted-" + d.name, d, scenario, maps, descriptions);
}

Stream make_rotated_stream(const Dataset& d, Scenario scenario, const TransformStreamOptions& o) {
  check_dataset(d, "make_rotated_stream");
  TORCH_CHECK(o.num_tasks >= 1, "make_rotated_stream: argument 'num_tasks' expected >= 1, got ",
              o.num_tasks);
  const int64_t R = d.rows, C = d.cols, D = d.input_dim(), plane = R * C;
  std::vector<at::Tensor> maps;
  std::vector<std::string> descriptions;
  for (int64_t t = 0; t < o.num_tasks; ++t) {
    const double degrees = 180.0 * static_cast<double>(t) / static_cast<double>(o.num_tasks);
    const double a = degrees * M_PI / 180.0;
    const double cy = (R - 1) / 2.0, cx = (C - 1) / 2.0;
    at::Tensor map = at::empty({D}, at::kLong);
    auto* m = map.data_ptr<int64_t>();
    for (int64_t y = 0; y < R; ++y) {
      for (int64_t x = 0; x < C; ++x) {
        // Inverse rotation: the source pixel that lands on (y, x).
        const double dy = y - cy, dx = x - cx;
        const auto sy = static_cast<int64_t>(std::lround(cy + dy * std::cos(a) - dx * std::sin(a)));
        const auto sx = static_cast<int64_t>(std::lround(cx + dy * std::sin(a) + dx * std::cos(a)));
        const bool inside = sy >= 0 && sy < R && sx >= 0 && sx < C;
        for (int64_t ch = 0; ch < d.channels; ++ch)
          m[ch * plane + y * C + x] = inside ? ch * plane + sy * C + sx : D;
      }
    }
    maps.push_back(t == 0 ? at::Tensor() : map);
    descriptions.push_back("rotated " + std::to_string(static_cast<int>(std::lround(degrees))) +
                           " deg");
  }
  return make_transform_stream("rotated-" + d.name, d, scenario, maps, descriptions);
}

} // namespace engram::data
