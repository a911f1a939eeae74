#pragma once
// Named benchmarks: "<protocol>-<dataset>", e.g. split-fmnist, permuted-mnist, rotated-fmnist,
// split-cifar10, split-cifar100, split-synthetic. Protocols: split, permuted, rotated, and iid
// (i.i.d. training: one task holding every class, e.g. iid-mnist). Datasets:
// fmnist (Debian's dataset-fashion-mnist), mnist (scripts/bootstrap puts it in
// ~/.cache/engram/mnist), cifar10 / cifar100 (the binary versions, from data_dir or
// $ENGRAM_CIFAR10_DIR / $ENGRAM_CIFAR100_DIR: data/cifar.h), synthetic (generated, for tests and
// smoke runs), or any MNIST-format directory given as data_dir.

#include <engram/data/dataset.h>
#include <engram/data/stream.h>

#include <cstdint>
#include <string>

namespace engram::data {

struct BenchmarkName {
  std::string protocol; // split | permuted | rotated
  std::string dataset;  // fmnist | mnist | synthetic | custom
};

// Parses "split-fmnist" and friends; throws naming the accepted forms.
BenchmarkName parse_benchmark(const std::string& name);

// Directory holding MNIST: $ENGRAM_MNIST_DIR, else $ENGRAM_CACHE/mnist, else
// ${XDG_CACHE_HOME:-~/.cache}/engram/mnist. Empty when none of them has the files.
std::string find_mnist_dir();

// Loads the benchmark's dataset; a non-empty `data_dir` overrides where it is read from.
Dataset load_benchmark_dataset(const BenchmarkName& name, const std::string& data_dir = "",
                               uint64_t seed = 0);

// Default task counts: split 5, permuted 10, rotated 5 (split-cifar100: 10, see
// make_benchmark_stream).
int64_t default_num_tasks(const std::string& protocol);

Stream make_benchmark_stream(const BenchmarkName& name, const Dataset& dataset, Scenario scenario,
                             int64_t num_tasks, uint64_t seed, bool shuffle_classes = false);

} // namespace engram::data
