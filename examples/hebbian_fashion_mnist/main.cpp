// Unsupervised soft winner-take-all Hebbian features on Fashion-MNIST (SoftHebb, Journe et al.
// 2023): a HebbianLinear layer trained with learn() only, no labels and no backprop; then a linear
// readout trained by SGD on its frozen features. Compared with the same readout on fixed random
// features, and with a backprop MLP of the same size (784-units-10, every weight trained on
// labels).
//
//   hebbian_fashion_mnist [dir] [units=400] [epochs=1] [readout_epochs=10] [train=60000]
//                         [temperature=0.01] [lr=1] [anti=0] [homeostasis=0.05]
//                         [rule=soft_wta] [rank=2] [delta=0.4] [feature_temperature=0]
//                         [readout_lr=0.001] [data_init=0] [seed=0] [threads=0]
#include <engram/data/idx.h>
#include <engram/layers/hebbian/hebbian_linear.h>

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

using namespace engram::layers;

namespace {

std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto eq = a.find('=');
    if (eq == std::string::npos) {
      args["dir"] = a;
    } else {
      args[a.substr(0, eq)] = a.substr(eq + 1);
    }
  }
  return args;
}

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
  torch::optim::Adam opt(readout->parameters(), torch::optim::AdamOptions(lr));
  const int64_t batch = 100;
  for (int64_t e = 0; e < epochs; ++e) {
    const auto order = torch::randperm(train_x.size(0));
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

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress shows up when redirected
  auto args = parse_args(argc, argv);
  auto get = [&](const std::string& k, double d) { return args.count(k) ? std::stod(args[k]) : d; };
  const std::string dir = args.count("dir") ? args["dir"] : engram::data::kDefaultFashionMnistDir;
  const auto units = static_cast<int64_t>(get("units", 400));
  const auto epochs = static_cast<int64_t>(get("epochs", 1));
  const auto readout_epochs = static_cast<int64_t>(get("readout_epochs", 10));
  const auto n_train = static_cast<int64_t>(get("train", 60000));
  // With unit-norm rows and inputs, u is a cosine, ~1/28 apart between units at the random start:
  // the temperature must be of that order, or the softmax is flat and nothing learns.
  const double temperature = get("temperature", 0.01);
  const double feature_temperature = get("feature_temperature", 0);
  const double lr = get("lr", 1.0);
  const double anti = get("anti", 0.0);
  const double homeostasis = get("homeostasis", 0.05);
  const double readout_lr = get("readout_lr", 1e-3);
  torch::manual_seed(static_cast<uint64_t>(get("seed", 0)));
  // On a loaded machine, intra-op threads spinning against other processes can make the small
  // per-batch learn() calls many times slower: threads=1 avoids it.
  if (get("threads", 0) > 0) {
    torch::set_num_threads(static_cast<int>(get("threads", 0)));
  }

  auto train = engram::data::load_mnist_split(dir, true);
  auto test = engram::data::load_mnist_split(dir, false);
  const auto mean_image = train.images.narrow(0, 0, n_train).mean(0, true);
  const auto train_x = preprocess(train.images.narrow(0, 0, n_train), mean_image);
  const auto train_y = train.labels.narrow(0, 0, n_train);
  const auto test_x = preprocess(test.images, mean_image);
  const auto& test_y = test.labels;
  std::printf("Fashion-MNIST: %lld train, %lld test images; %lld units\n",
              static_cast<long long>(n_train), static_cast<long long>(test_x.size(0)),
              static_cast<long long>(units));

  HebbianLinear hebbian(
      HebbianLinearOptions(784, units)
          .rule(engram::layers::parse_hebbian_rule(args.count("rule") ? args["rule"] : "soft_wta"))
          .wta_rank(static_cast<int64_t>(get("rank", 2)))
          .wta_delta(get("delta", 0.4))
          .temperature(temperature)
          .anti_hebbian(anti)
          .homeostasis(homeostasis)
          .learning_rate(lr)
          .schedule(LearningRateSchedule::kLinear)
          .schedule_steps(epochs * n_train / 10)
          .weight_normalization(WeightNormalization::kUnitNorm));
  HebbianLinear random(
      HebbianLinearOptions(784, units).weight_normalization(WeightNormalization::kUnitNorm));
  if (get("data_init", 0) > 0) {
    torch::NoGradGuard no_grad;
    hebbian->weight.copy_(train_x.index_select(0, torch::randperm(n_train).narrow(0, 0, units)));
  }
  auto samples = hebbian->clone();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t e = 0; e < epochs; ++e) {
    const auto order = torch::randperm(n_train);
    for (int64_t i = 0; i + 10 <= n_train; i += 10) {
      hebbian->learn(train_x.index_select(0, order.narrow(0, i, 10)));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("Hebbian learning: %.1f s (%.0f samples/s)\n", seconds,
              static_cast<double>(epochs * n_train) / seconds);

  {
    torch::NoGradGuard no_grad;
    const auto wins = torch::bincount(hebbian(test_x).argmax(1), {}, units);
    std::printf("units winning at least one test image: %lld of %lld; largest share %.3f\n",
                static_cast<long long>(wins.gt(0).sum().item<int64_t>()),
                static_cast<long long>(units),
                wins.max().item<double>() / static_cast<double>(test_x.size(0)));
  }
  const double hebb_acc = readout_accuracy(features(hebbian, train_x, feature_temperature), train_y,
                                           features(hebbian, test_x, feature_temperature), test_y,
                                           readout_epochs, readout_lr);
  std::printf("%s Hebbian features + linear readout: test accuracy %.4f\n",
              to_string(hebbian->options.rule()).c_str(), hebb_acc);
  const double rand_acc = readout_accuracy(features(random, train_x, feature_temperature), train_y,
                                           features(random, test_x, feature_temperature), test_y,
                                           readout_epochs, readout_lr);
  std::printf("random features + linear readout:          test accuracy %.4f\n", rand_acc);
  auto samples_layer = std::dynamic_pointer_cast<HebbianLinearImpl>(samples);
  HebbianLinear sample_features(samples_layer);
  const double sample_acc = readout_accuracy(
      features(sample_features, train_x, feature_temperature), train_y,
      features(sample_features, test_x, feature_temperature), test_y, readout_epochs, readout_lr);
  std::printf("the Hebbian layer's initial weights (%s) + readout: %.4f\n",
              get("data_init", 0) > 0 ? "training samples" : "random", sample_acc);
  torch::nn::Sequential mlp(torch::nn::Linear(784, units), torch::nn::ReLU(),
                            torch::nn::Linear(units, 10));
  const double mlp_acc =
      supervised_accuracy(mlp, train_x, train_y, test_x, test_y, readout_epochs, readout_lr);
  std::printf("backprop MLP 784-%lld-10 (same epochs):  test accuracy %.4f\n",
              static_cast<long long>(units), mlp_acc);
  return 0;
}
