// SoftHebb (Journe et al. 2023) features on Fashion-MNIST, i.i.d. (all ten classes at once): one
// SoftHebbLinear layer trained without labels or feedback, then a linear readout trained by Adam on
// its frozen features; against the same readout on random features of the same width (the same
// layer, never trained). Seed-averaged, one JSON file per run.
//
// --model conv trains instead a two-layer SoftHebbConv2d stack (the paper's CIFAR architecture
// scaled to 28x28 grey images: conv 5x5 -> triangle -> max pool -> conv 3x3 -> triangle -> pool)
// layer-wise, each layer for --epochs epochs, then the same readout on its flattened output; the
// random baseline is the same stack untrained.
//
//   example_softhebb_fashion_mnist [--widths 16,64,256,1000,2000] [--seeds 5] [--epochs 1]
//       [--temperature 1] [--lr 0.05] [--json out.json] ...   (--help lists every option)
#include <common/device_option.h>

#include <engram/data/idx.h>
#include <engram/io/atomic_file.h>
#include <engram/layers/hebbian/soft_hebb_conv2d.h>
#include <engram/layers/hebbian/soft_hebb_linear.h>

#include <CLI/CLI.hpp>
#include <torch/nn/functional/loss.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

using namespace engram::layers;

namespace {

struct Settings {
  std::string dir = engram::data::kDefaultFashionMnistDir;
  std::string model = "linear";
  std::vector<int64_t> widths{16, 64, 256, 1000, 2000};
  int64_t seeds = 5;
  int64_t first_seed = 0;
  int64_t epochs = 1;
  int64_t n_train = 60000;
  int64_t batch = 100;
  double temperature = 1.0;
  double lr = 0.05;
  double lr_power = 0.5;
  bool fixed_lr = false;
  bool no_anti = false;
  double init_radius = 10.0;
  std::string activation = "triangle";
  double triangle_power = 1.0;
  std::string input = "unit";
  int64_t readout_epochs = 10;
  double readout_lr = 1e-3;
  int threads = 0;
  std::string json;
  std::string device = "cpu";
};

void add_options(CLI::App& app, Settings& s) {
  app.add_option("--dir", s.dir, "Fashion-MNIST directory")
      ->check(CLI::ExistingDirectory)
      ->capture_default_str();
  app.add_option("--model", s.model, "linear: one SoftHebbLinear layer; conv: two SoftHebbConv2d")
      ->check(CLI::IsMember({"linear", "conv"}))
      ->capture_default_str();
  app.add_option("--widths", s.widths, "layer widths (conv: channels of the first layer)")
      ->delimiter(',')
      ->check(CLI::Range(int64_t{2}, int64_t{4096}))
      ->capture_default_str();
  app.add_option("--seeds", s.seeds, "seeds per width")
      ->check(CLI::Range(int64_t{1}, int64_t{100}))
      ->capture_default_str();
  app.add_option("--first-seed", s.first_seed, "first seed")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--epochs", s.epochs, "unsupervised epochs (per layer)")
      ->check(CLI::Range(int64_t{1}, int64_t{100}))
      ->capture_default_str();
  app.add_option("--train", s.n_train, "training images used (the first ones)")
      ->check(CLI::Range(int64_t{100}, int64_t{60000}))
      ->capture_default_str();
  app.add_option("--batch", s.batch, "images per SoftHebb step")
      ->check(CLI::Range(int64_t{1}, int64_t{10000}))
      ->capture_default_str();
  app.add_option("--temperature", s.temperature, "softmax temperature of the competition")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--lr", s.lr, "SoftHebb base learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--lr-power", s.lr_power, "exponent of the adaptive rate |r - 1|^p")
      ->check(CLI::Range(1e-6, 4.0))
      ->capture_default_str();
  app.add_flag("--fixed-lr", s.fixed_lr, "constant learning rate (no adaptive rate)");
  app.add_flag("--no-anti", s.no_anti, "no anti-Hebbian update of the losers");
  app.add_option("--init-radius", s.init_radius, "norm of the initial weight rows")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--activation", s.activation, "feature code")
      ->check(CLI::IsMember({"triangle", "relu", "none"}))
      ->capture_default_str();
  app.add_option("--triangle-power", s.triangle_power, "exponent of the triangle")
      ->check(CLI::Range(1e-6, 4.0))
      ->capture_default_str();
  app.add_option("--input", s.input,
                 "unit: images centred on the mean training image and scaled to unit norm; raw: "
                 "pixels in [0, 1]")
      ->check(CLI::IsMember({"unit", "raw"}))
      ->capture_default_str();
  app.add_option("--readout-epochs", s.readout_epochs, "readout epochs")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}))
      ->capture_default_str();
  app.add_option("--readout-lr", s.readout_lr, "readout Adam learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--threads", s.threads, "LibTorch intra-op threads (0: LibTorch's default)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--json", s.json, "write the results here (JSON)");
  engram::examples::add_device_option(app, s.device);
}

struct Dataset {
  torch::Tensor train_x, train_y, test_x, test_y; // images [N, 784]
};

Dataset load_dataset(const Settings& s, const c10::Device& device) {
  auto train = engram::data::load_mnist_split(s.dir, true);
  auto test = engram::data::load_mnist_split(s.dir, false);
  Dataset d;
  d.train_x = train.images.narrow(0, 0, s.n_train).reshape({s.n_train, -1}).to(torch::kFloat32);
  d.test_x = test.images.reshape({test.images.size(0), -1}).to(torch::kFloat32);
  if (s.input == "unit") {
    const auto mean_image = d.train_x.mean(0, true);
    for (torch::Tensor* t : {&d.train_x, &d.test_x}) {
      *t = *t - mean_image;
      *t = *t / t->norm(2, {1}, true).clamp_min(1e-6);
    }
  }
  d.train_y = train.labels.narrow(0, 0, s.n_train);
  d.test_y = test.labels;
  for (torch::Tensor* t : {&d.train_x, &d.train_y, &d.test_x, &d.test_y}) {
    *t = t->to(device);
  }
  return d;
}

SoftHebbActivation activation_of(const std::string& name) {
  for (const auto a : all_soft_hebb_activations()) {
    if (name == to_string(a)) {
      return a;
    }
  }
  return SoftHebbActivation::kTriangle;
}

template <typename Options>
Options& rule(Options& o, const Settings& s, double lr) {
  o.temperature(s.temperature)
      .learning_rate(lr)
      .learning_rate_power(s.lr_power)
      .adaptive_learning_rate(!s.fixed_lr)
      .anti_hebbian(!s.no_anti)
      .init_radius(s.init_radius)
      .activation(activation_of(s.activation))
      .triangle_power(s.triangle_power);
  return o;
}

// Multinomial logistic regression (Adam, batches of 100) on features standardised with the
// training set's statistics; returns the test accuracy.
double readout_accuracy(torch::Tensor train_x, const torch::Tensor& train_y, torch::Tensor test_x,
                        const torch::Tensor& test_y, const Settings& s) {
  const auto mean = train_x.mean(0, true);
  const auto std = train_x.std(0, true, true).clamp_min(1e-6);
  train_x = (train_x - mean) / std;
  test_x = (test_x - mean) / std;
  torch::nn::Linear readout(train_x.size(1), 10);
  readout->to(train_x.device());
  torch::optim::Adam opt(readout->parameters(), torch::optim::AdamOptions(s.readout_lr));
  const int64_t batch = 100;
  for (int64_t e = 0; e < s.readout_epochs; ++e) {
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

// Features of all rows of x, computed in chunks by f (eval mode).
template <typename F>
torch::Tensor in_chunks(const torch::Tensor& x, F f) {
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < x.size(0); i += 1000) {
    parts.push_back(f(x.narrow(0, i, std::min<int64_t>(1000, x.size(0) - i))));
  }
  return torch::cat(parts);
}

// One unsupervised pass of `epochs` epochs: learn(batch) on shuffled minibatches.
template <typename F>
void unsupervised(const torch::Tensor& x, const Settings& s, F learn) {
  for (int64_t e = 0; e < s.epochs; ++e) {
    const auto order = torch::randperm(x.size(0)).to(x.device());
    for (int64_t i = 0; i + s.batch <= x.size(0); i += s.batch) {
      learn(x.index_select(0, order.narrow(0, i, s.batch)));
    }
  }
}

struct Outcome {
  double accuracy = 0.0;
  double mean_norm = 0.0;  // mean weight-row norm after training
  double units_used = 0.0; // fraction of units that win at least one test image
};

Outcome linear_run(const Dataset& d, const Settings& s, int64_t width, bool learn) {
  SoftHebbLinearOptions o(784, width);
  rule(o, s, learn ? s.lr : 0.0);
  if (!learn) {
    o.init_radius(1.0);
  }
  SoftHebbLinear layer(o);
  layer->to(d.train_x.device());
  if (learn) {
    layer->train();
    unsupervised(d.train_x, s, [&](const torch::Tensor& b) { layer->learn(b); });
  }
  layer->eval();
  const auto code = [&](const torch::Tensor& x) { return layer->forward(x); };
  Outcome out;
  out.accuracy = readout_accuracy(in_chunks(d.train_x, code), d.train_y, in_chunks(d.test_x, code),
                                  d.test_y, s);
  out.mean_norm = layer->weight.norm(2, {1}).mean().item<double>();
  const auto wins = torch::bincount(layer->preactivation(d.test_x).argmax(1), {}, width);
  out.units_used = wins.gt(0).sum().item<double>() / static_cast<double>(width);
  return out;
}

// conv 5x5 (width channels, padding 2) -> max pool 4/2/1 -> conv 3x3 (4 * width, padding 1) ->
// max pool 4/2/1 -> flatten: 28x28 -> 14x14 -> 7x7.
torch::Tensor pool(const torch::Tensor& h) {
  return torch::nn::functional::max_pool2d(
      h, torch::nn::functional::MaxPool2dFuncOptions(4).stride(2).padding(1));
}

Outcome conv_run(const Dataset& d, const Settings& s, int64_t width, bool learn) {
  SoftHebbConv2dOptions o1(1, width, 5);
  o1.padding(2);
  rule(o1, s, learn ? s.lr : 0.0);
  SoftHebbConv2dOptions o2(width, 4 * width, 3);
  o2.padding(1);
  rule(o2, s, learn ? s.lr * 0.1 : 0.0); // the paper's second layer learns ~10x slower
  if (!learn) {
    o1.init_radius(1.0);
    o2.init_radius(1.0);
  }
  SoftHebbConv2d conv1(o1), conv2(o2);
  conv1->to(d.train_x.device());
  conv2->to(d.train_x.device());
  const auto images = [](const torch::Tensor& x) { return x.view({x.size(0), 1, 28, 28}); };
  const auto first = [&](const torch::Tensor& x) {
    conv1->eval();
    return pool(conv1->forward(images(x)));
  };
  if (learn) {
    conv1->train();
    unsupervised(d.train_x, s, [&](const torch::Tensor& b) { conv1->learn(images(b)); });
    conv2->train();
    unsupervised(d.train_x, s, [&](const torch::Tensor& b) { conv2->learn(first(b)); });
  }
  conv2->eval();
  const auto code = [&](const torch::Tensor& x) {
    return pool(conv2->forward(first(x))).flatten(1);
  };
  Outcome out;
  out.accuracy = readout_accuracy(in_chunks(d.train_x, code), d.train_y, in_chunks(d.test_x, code),
                                  d.test_y, s);
  out.mean_norm = conv2->weight.flatten(1).norm(2, {1}).mean().item<double>();
  out.units_used = 1.0;
  return out;
}

double mean_of(const std::vector<double>& v) {
  double m = 0.0;
  for (const double x : v) {
    m += x;
  }
  return m / static_cast<double>(v.size());
}

double sd_of(const std::vector<double>& v) {
  if (v.size() < 2) {
    return 0.0;
  }
  const double m = mean_of(v);
  double ss = 0.0;
  for (const double x : v) {
    ss += (x - m) * (x - m);
  }
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

std::string json_list(const std::vector<double>& v) {
  std::ostringstream s;
  s.precision(6);
  s << "[";
  for (size_t i = 0; i < v.size(); ++i) {
    s << (i ? ", " : "") << v[i];
  }
  s << "]";
  return s.str();
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  CLI::App app{"SoftHebb features + a linear readout on Fashion-MNIST, vs random features"};
  Settings s;
  add_options(app, s);
  CLI11_PARSE(app, argc, argv);
  const c10::Device device = engram::examples::device_or_exit(s.device);
  if (s.threads > 0) {
    torch::set_num_threads(s.threads);
  }
  std::string command;
  for (int i = 0; i < argc; ++i) {
    command += (i ? " " : "") + std::string(argv[i]);
  }
  const Dataset data = load_dataset(s, device);
  std::printf("Fashion-MNIST i.i.d.: %lld train, %lld test images; model %s\n",
              static_cast<long long>(s.n_train), static_cast<long long>(data.test_x.size(0)),
              s.model.c_str());
  std::ostringstream json;
  json.precision(6);
  json << "{\n  \"benchmark\": \"fashion-mnist-iid\",\n  \"model\": \"" << s.model
       << "\",\n  \"command\": \"" << command << "\",\n  \"train_images\": " << s.n_train
       << ",\n  \"unsupervised_epochs\": " << s.epochs << ",\n  \"temperature\": " << s.temperature
       << ",\n  \"learning_rate\": " << s.lr
       << ",\n  \"adaptive_learning_rate\": " << (s.fixed_lr ? "false" : "true")
       << ",\n  \"anti_hebbian\": " << (s.no_anti ? "false" : "true") << ",\n  \"activation\": \""
       << s.activation << "\",\n  \"input\": \"" << s.input
       << "\",\n  \"readout_epochs\": " << s.readout_epochs << ",\n  \"rows\": [";
  for (size_t wi = 0; wi < s.widths.size(); ++wi) {
    const int64_t width = s.widths[wi];
    std::vector<double> hebb, rand, norms, used, secs;
    for (int64_t k = 0; k < s.seeds; ++k) {
      const int64_t seed = s.first_seed + k;
      const auto start = std::chrono::steady_clock::now();
      torch::manual_seed(static_cast<uint64_t>(seed));
      const Outcome h =
          s.model == "conv" ? conv_run(data, s, width, true) : linear_run(data, s, width, true);
      secs.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      torch::manual_seed(static_cast<uint64_t>(seed + 1000));
      const Outcome r =
          s.model == "conv" ? conv_run(data, s, width, false) : linear_run(data, s, width, false);
      hebb.push_back(h.accuracy);
      rand.push_back(r.accuracy);
      norms.push_back(h.mean_norm);
      used.push_back(h.units_used);
      std::printf("width %lld seed %lld: softhebb %.4f (mean norm %.3f, units used %.2f, %.1f s)"
                  "  random %.4f\n",
                  static_cast<long long>(width), static_cast<long long>(seed), h.accuracy,
                  h.mean_norm, h.units_used, secs.back(), r.accuracy);
    }
    std::printf("width %lld: softhebb %.4f ± %.4f   random %.4f ± %.4f   (%lld seeds)\n",
                static_cast<long long>(width), mean_of(hebb), sd_of(hebb), mean_of(rand),
                sd_of(rand), static_cast<long long>(s.seeds));
    json << (wi ? "," : "") << "\n    {\"width\": " << width
         << ", \"softhebb\": " << json_list(hebb) << ", \"random\": " << json_list(rand)
         << ", \"softhebb_mean\": " << mean_of(hebb) << ", \"softhebb_sd\": " << sd_of(hebb)
         << ", \"random_mean\": " << mean_of(rand) << ", \"random_sd\": " << sd_of(rand)
         << ", \"mean_weight_norm\": " << mean_of(norms) << ", \"units_used\": " << mean_of(used)
         << ", \"softhebb_seconds\": " << mean_of(secs) << "}";
  }
  json << "\n  ]\n}\n";
  if (!s.json.empty()) {
    engram::io::write_file_atomically(s.json, json.str());
  }
  return 0;
}
