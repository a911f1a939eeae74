// Unsupervised soft winner-take-all Hebbian features on Fashion-MNIST (SoftHebb, Journe et al.
// 2023): a HebbianLinear layer trained with learn() only, no labels and no backprop; then a linear
// readout trained by SGD on its frozen features. Compared with the same readout on fixed random
// features, and with a backprop MLP of the same size (784-units-10, every weight trained on
// labels).
//
//   example_hebbian_fashion_mnist [--units 400] [--epochs 1] [--train 60000] [--rule soft_wta]
//       [--temperature 0.01] [--homeostasis 0.05] [--readout-epochs 10] [--readout-lr 1e-3]
//       [--threads 0] [--seed 0] [--device cpu|cuda|cuda:N|auto] ...   (--help describes every
//       option)
#include <common/device_option.h>

#include <engram/data/idx.h>
#include <engram/layers/hebbian/hebbian_linear.h>

#include <CLI/CLI.hpp>
#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

using namespace engram::layers;

namespace {

// Images centred on the training set's mean image and scaled to unit norm: the competition then
// compares directions, as the unit-norm weight rows the rule converges to.
torch::Tensor preprocess(const torch::Tensor& images, const torch::Tensor& mean_image) {
  auto x = images - mean_image;
  return x / x.norm(2, {1}, true).clamp_min(1e-6);
}

// "triangle" code (Coates et al. 2011): units more active than the average unit, rectified.
torch::Tensor features(HebbianLinear& layer, const torch::Tensor& x, double temperature) {
  torch::NoGradGuard no_grad;
  const auto u = layer(x);
  if (temperature > 0) {
    return torch::softmax(u / temperature, 1);
  }
  if (temperature < 0) {
    return torch::relu(u);
  }
  return torch::relu(u - u.mean(1, true));
}

// Trains `net` on (train_x, train_y) by minibatch Adam; returns its test accuracy.
double supervised_accuracy(torch::nn::Sequential net, const torch::Tensor& train_x,
                           const torch::Tensor& train_y, const torch::Tensor& test_x,
                           const torch::Tensor& test_y, int64_t epochs, double lr) {
  torch::nn::Sequential& readout = net;
  readout->to(train_x.device());
  torch::optim::Adam opt(readout->parameters(), torch::optim::AdamOptions(lr));
  const int64_t batch = 100;
  for (int64_t e = 0; e < epochs; ++e) {
    // Drawn on the CPU (the same order on every device), sent to the data's device once.
    const auto order = torch::randperm(train_x.size(0)).to(train_x.device());
    for (int64_t i = 0; i + batch <= train_x.size(0); i += batch) {
      const auto idx = order.narrow(0, i, batch);
      opt.zero_grad();
      torch::nn::functional::cross_entropy(readout->forward(train_x.index_select(0, idx)),
                                           train_y.index_select(0, idx))
          .backward();
      opt.step();
    }
  }
  torch::NoGradGuard no_grad;
  return readout->forward(test_x).argmax(1).eq(test_y).to(torch::kDouble).mean().item<double>();
}

// Multinomial logistic regression on features standardised with the training set's statistics.
double readout_accuracy(torch::Tensor train_x, const torch::Tensor& train_y, torch::Tensor test_x,
                        const torch::Tensor& test_y, int64_t epochs, double lr) {
  const auto mean = train_x.mean(0, true);
  const auto std = train_x.std(0, true, true).clamp_min(1e-6);
  train_x = (train_x - mean) / std;
  test_x = (test_x - mean) / std;
  return supervised_accuracy(torch::nn::Sequential(torch::nn::Linear(train_x.size(1), 10)), train_x,
                             train_y, test_x, test_y, epochs, lr);
}

// Every option of the command line, with its default.
struct Settings {
  std::string dir = engram::data::kDefaultFashionMnistDir;
  int64_t units = 400;
  int64_t epochs = 1;
  int64_t readout_epochs = 10;
  int64_t n_train = 60000;
  // With unit-norm rows and inputs, u is a cosine, ~1/28 apart between units at the random start:
  // the temperature must be of that order, or the softmax is flat and nothing learns.
  double temperature = 0.01;
  double feature_temperature = 0;
  double lr = 1.0;
  double anti = 0.0;
  double homeostasis = 0.05;
  double readout_lr = 1e-3;
  std::string rule = "soft_wta";
  int64_t rank = 2;
  double delta = 0.4;
  bool data_init = false;
  int64_t seed = 0;
  int threads = 0;
  std::string device = "cpu";
};

void add_options(CLI::App& app, Settings& s) {
  app.add_option("--dir", s.dir, "Fashion-MNIST (or MNIST) directory")
      ->check(CLI::ExistingDirectory)
      ->capture_default_str();
  app.add_option("--units", s.units, "Hebbian units")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--epochs", s.epochs, "unsupervised epochs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--train", s.n_train, "training images used (the first ones)")
      ->check(CLI::Range(int64_t{10}, int64_t{60000}))
      ->capture_default_str();
  app.add_option("--rule", s.rule, "local rule")
      ->check(CLI::IsMember({"soft_wta", "hard_wta", "hebb", "oja", "sanger", "bcm", "covariance"}))
      ->capture_default_str();
  app.add_option("--temperature", s.temperature, "soft WTA softmax temperature")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--lr", s.lr, "Hebbian learning rate (decays linearly to 0)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--anti", s.anti, "soft WTA anti-Hebbian strength for losers")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--homeostasis", s.homeostasis, "rate of the homeostatic threshold (0: off)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--rank", s.rank, "hard WTA: rank of the unit pushed away")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--delta", s.delta, "hard WTA: strength of that push")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--feature-temperature", s.feature_temperature,
                 "feature code: 0 triangle (relu(u - mean u)), > 0 softmax(u / T), < 0 relu(u)")
      ->capture_default_str();
  app.add_option("--readout-epochs", s.readout_epochs, "readout (and MLP) epochs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--readout-lr", s.readout_lr, "readout (and MLP) Adam learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--data-init", s.data_init, "start the Hebbian weights from random training images");
  app.add_option("--seed", s.seed, "seed")->capture_default_str();
  // On a loaded machine, intra-op threads spinning against other processes can make the small
  // per-batch learn() calls many times slower: --threads 1 avoids it.
  app.add_option("--threads", s.threads, "LibTorch intra-op threads (0: LibTorch's default)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  engram::examples::add_device_option(app, s.device);
}

// The first n_train training images and the whole test set, preprocessed, on the device (moved
// there once).
struct Dataset {
  torch::Tensor train_x, train_y, test_x, test_y;
};

Dataset load_dataset(const Settings& s, const c10::Device& device) {
  auto train = engram::data::load_mnist_split(s.dir, true);
  auto test = engram::data::load_mnist_split(s.dir, false);
  const auto mean_image = train.images.narrow(0, 0, s.n_train).mean(0, true);
  Dataset d;
  d.train_x = preprocess(train.images.narrow(0, 0, s.n_train), mean_image);
  d.train_y = train.labels.narrow(0, 0, s.n_train);
  d.test_x = preprocess(test.images, mean_image);
  d.test_y = test.labels;
  for (torch::Tensor* t : {&d.train_x, &d.train_y, &d.test_x, &d.test_y})
    *t = t->to(device);
  return d;
}

HebbianLinear make_hebbian_layer(const Settings& s) {
  return HebbianLinear(HebbianLinearOptions(784, s.units)
                           .rule(engram::parse_hebbian_rule(s.rule))
                           .wta_rank(s.rank)
                           .wta_delta(s.delta)
                           .temperature(s.temperature)
                           .anti_hebbian(s.anti)
                           .homeostasis(s.homeostasis)
                           .learning_rate(s.lr)
                           .schedule(LearningRateSchedule::kLinear)
                           .schedule_steps(s.epochs * s.n_train / 10)
                           .weight_normalization(WeightNormalization::kUnitNorm));
}

// The unsupervised phase: learn() on minibatches of 10 shuffled images per epoch. Returns seconds.
double train_hebbian(HebbianLinear& hebbian, const torch::Tensor& train_x, const Settings& s) {
  const auto start = std::chrono::steady_clock::now();
  for (int64_t e = 0; e < s.epochs; ++e) {
    const auto order = torch::randperm(s.n_train).to(train_x.device());
    for (int64_t i = 0; i + 10 <= s.n_train; i += 10) {
      hebbian->learn(train_x.index_select(0, order.narrow(0, i, 10)));
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// How many units win (respond most to) at least one test image, and the largest winner's share.
void print_unit_usage(HebbianLinear& hebbian, const torch::Tensor& test_x, int64_t units) {
  torch::NoGradGuard no_grad;
  const auto wins = torch::bincount(hebbian(test_x).argmax(1), {}, units);
  std::printf("units winning at least one test image: %lld of %lld; largest share %.3f\n",
              static_cast<long long>(wins.gt(0).sum().item<int64_t>()),
              static_cast<long long>(units),
              wins.max().item<double>() / static_cast<double>(test_x.size(0)));
}

// Test accuracy of the linear readout on the frozen features of `layer`.
double layer_readout_accuracy(HebbianLinear& layer, const Dataset& d, const Settings& s) {
  return readout_accuracy(features(layer, d.train_x, s.feature_temperature), d.train_y,
                          features(layer, d.test_x, s.feature_temperature), d.test_y,
                          s.readout_epochs, s.readout_lr);
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress shows up when redirected
  CLI::App app{"Unsupervised Hebbian features on Fashion-MNIST + a linear readout, vs random "
               "features and a backprop MLP"};
  Settings s;
  add_options(app, s);
  CLI11_PARSE(app, argc, argv);
  const c10::Device device = engram::examples::device_or_exit(s.device);
  TORCH_CHECK(!s.data_init || s.units <= s.n_train, "hebbian_fashion_mnist: --units (", s.units,
              ") must not exceed --train (", s.n_train, ") with --data-init");
  torch::manual_seed(static_cast<uint64_t>(s.seed));
  if (s.threads > 0) {
    torch::set_num_threads(s.threads);
  }

  const Dataset data = load_dataset(s, device);
  std::printf("Fashion-MNIST: %lld train, %lld test images; %lld units\n",
              static_cast<long long>(s.n_train), static_cast<long long>(data.test_x.size(0)),
              static_cast<long long>(s.units));

  HebbianLinear hebbian = make_hebbian_layer(s);
  HebbianLinear random(
      HebbianLinearOptions(784, s.units).weight_normalization(WeightNormalization::kUnitNorm));
  hebbian->to(device);
  random->to(device);
  if (s.data_init) {
    torch::NoGradGuard no_grad;
    hebbian->weight.copy_(
        data.train_x.index_select(0, torch::randperm(s.n_train).narrow(0, 0, s.units).to(device)));
  }
  auto samples = hebbian->clone();
  const double seconds = train_hebbian(hebbian, data.train_x, s);
  std::printf("Hebbian learning: %.1f s (%.0f samples/s)\n", seconds,
              static_cast<double>(s.epochs * s.n_train) / seconds);
  print_unit_usage(hebbian, data.test_x, s.units);

  const double hebb_acc = layer_readout_accuracy(hebbian, data, s);
  std::printf("%s Hebbian features + linear readout: test accuracy %.4f\n",
              to_string(hebbian->options.rule()).c_str(), hebb_acc);
  const double rand_acc = layer_readout_accuracy(random, data, s);
  std::printf("random features + linear readout:          test accuracy %.4f\n", rand_acc);
  HebbianLinear sample_features(std::dynamic_pointer_cast<HebbianLinearImpl>(samples));
  const double sample_acc = layer_readout_accuracy(sample_features, data, s);
  std::printf("the Hebbian layer's initial weights (%s) + readout: %.4f\n",
              s.data_init ? "training samples" : "random", sample_acc);
  torch::nn::Sequential mlp(torch::nn::Linear(784, s.units), torch::nn::ReLU(),
                            torch::nn::Linear(s.units, 10));
  const double mlp_acc = supervised_accuracy(mlp, data.train_x, data.train_y, data.test_x,
                                             data.test_y, s.readout_epochs, s.readout_lr);
  std::printf("backprop MLP 784-%lld-10 (same epochs):  test accuracy %.4f\n",
              static_cast<long long>(s.units), mlp_acc);
  return 0;
}
