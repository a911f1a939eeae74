#include <engram/data/benchmark.h>

#include <engram/data/cifar.h>
#include <engram/data/idx.h>

#include <c10/util/Exception.h>

#include <cstdlib>
#include <filesystem>

namespace engram::data {

BenchmarkName parse_benchmark(const std::string& name) {
  const auto dash = name.find('-');
  BenchmarkName b;
  b.protocol = name.substr(0, dash);
  b.dataset = dash == std::string::npos ? "custom" : name.substr(dash + 1);
  const bool protocol_ok = b.protocol == "split" || b.protocol == "permuted" ||
                           b.protocol == "rotated" || b.protocol == "iid";
  const bool dataset_ok = b.dataset == "fmnist" || b.dataset == "mnist" ||
                          b.dataset == "synthetic" || b.dataset == "custom" ||
                          b.dataset == "cifar10" || b.dataset == "cifar100";
  TORCH_CHECK(protocol_ok && dataset_ok,
              "parse_benchmark: argument 'benchmark' expected "
              "<split|permuted|rotated|iid>[-<fmnist|mnist|cifar10|cifar100|synthetic>] (a bare "
              "protocol needs --data-dir), got '",
              name, "'");
  return b;
}

namespace {
bool has_mnist_files(const std::filesystem::path& dir) {
  for (const char* f : {"train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    if (!std::filesystem::exists(dir / f) &&
        !std::filesystem::exists(dir / (std::string(f) + ".gz")))
      return false;
  }
  return true;
}
} // namespace

std::string find_mnist_dir() {
  std::vector<std::filesystem::path> candidates;
  if (const char* e = std::getenv("ENGRAM_MNIST_DIR"))
    candidates.emplace_back(e);
  if (const char* e = std::getenv("ENGRAM_CACHE"))
    candidates.push_back(std::filesystem::path(e) / "mnist");
  if (const char* e = std::getenv("XDG_CACHE_HOME"))
    candidates.push_back(std::filesystem::path(e) / "engram" / "mnist");
  if (const char* e = std::getenv("HOME"))
    candidates.push_back(std::filesystem::path(e) / ".cache" / "engram" / "mnist");
  for (const auto& c : candidates) {
    if (has_mnist_files(c))
      return c.string();
  }
  return "";
}

Dataset load_benchmark_dataset(const BenchmarkName& name, const std::string& data_dir,
                               uint64_t seed) {
  if (name.dataset == "cifar10")
    return load_cifar_dataset(CifarFormat::kCifar10, data_dir);
  if (name.dataset == "cifar100")
    return load_cifar_dataset(CifarFormat::kCifar100, data_dir);
  if (!data_dir.empty())
    return load_mnist_dataset(data_dir, name.dataset == "custom" ? "custom" : name.dataset);
  if (name.dataset == "fmnist") {
    const char* env = std::getenv("ENGRAM_FASHION_MNIST_DIR");
    return load_mnist_dataset(env ? env : kDefaultFashionMnistDir, "fmnist");
  }
  if (name.dataset == "mnist") {
    const std::string dir = find_mnist_dir();
    TORCH_CHECK(
        !dir.empty(),
        "load_benchmark_dataset: MNIST not found (looked in $ENGRAM_MNIST_DIR, "
        "$ENGRAM_CACHE/mnist, ~/.cache/engram/mnist); run scripts/bootstrap or pass --data-dir");
    return load_mnist_dataset(dir, "mnist");
  }
  if (name.dataset == "synthetic") {
    SyntheticDatasetOptions o;
    o.num_classes = 10;
    o.rows = 8;
    o.cols = 8;
    o.train_per_class = 300;
    o.test_per_class = 100;
    o.noise = 0.25;
    o.seed = seed;
    return make_synthetic_dataset(o);
  }
  TORCH_CHECK(false, "load_benchmark_dataset: benchmark '", name.protocol,
              "' names no dataset; pass --data-dir with an MNIST-format directory");
}

int64_t default_num_tasks(const std::string& protocol) {
  if (protocol == "split")
    return 5;
  if (protocol == "permuted")
    return 10;
  return 5;
}

Stream make_benchmark_stream(const BenchmarkName& name, const Dataset& dataset, Scenario scenario,
                             int64_t num_tasks, uint64_t seed, bool shuffle_classes) {
  // Split CIFAR-100 is 10 tasks of 10 classes by default (20 x 5 with --tasks 20).
  const int64_t fallback = name.protocol == "split" && name.dataset == "cifar100"
                               ? 10
                               : default_num_tasks(name.protocol);
  if (name.protocol == "iid") { // i.i.d. training: one task holding every class
    TORCH_CHECK(num_tasks <= 1, "make_benchmark_stream: an iid benchmark is one task, got ",
                num_tasks, " tasks (--tasks)");
    return make_split_stream(dataset, scenario, {1, shuffle_classes, seed});
  }
  const int64_t T = num_tasks > 0 ? num_tasks : fallback;
  TORCH_CHECK(!shuffle_classes || name.protocol == "split",
              "make_benchmark_stream: shuffled classes (--shuffle-classes) apply to split "
              "benchmarks, got '",
              name.protocol, "-", name.dataset, "'");
  if (name.protocol == "split")
    return make_split_stream(dataset, scenario, {T, shuffle_classes, seed});
  if (name.protocol == "permuted")
    return make_permuted_stream(dataset, scenario, {T, seed});
  return make_rotated_stream(dataset, scenario, {T, seed});
}

} // namespace engram::data
