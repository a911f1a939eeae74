#include <engram/models/continual_batch_norm.h>
#include <engram/models/conv_layers.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>
#include <engram/models/pretrained.h>
#include <engram/models/residual_block.h>

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include <support/error_message.h>
#include <support/module_contract.h>
#include <support/scratch_dir.h>
#include <test_paths.h>

#include <filesystem>
#include <sstream>

namespace engram::models {
namespace {

using ::testing::HasSubstr;

Preset preset_of(const std::string& layers) {
  return parse_preset(R"({"name": "t", "layers": [)" + layers + "]}", "p.json");
}

std::string build_error(const std::string& layers, const Shape& input) {
  return engram::testing::error_of([&] { build_network(preset_of(layers), input, 10); });
}

Preset shipped(const std::string& name) {
  return load_preset(std::string(ENGRAM_SOURCE_DIR) + "/models/" + name + ".json");
}

int64_t parameter_count(const Network& net) {
  int64_t n = 0;
  for (const auto& p : net->parameters())
    n += p.numel();
  return n;
}

TEST(ConvLayers, ShapesAreInferredThroughTheStack) {
  const Preset lenet = shipped("lenet");
  Network net = build_network(lenet, Shape{1, 28, 28}, 10);
  std::ostringstream text;
  net->pretty_print(text);
  EXPECT_EQ(text.str(),
            "engram::models::Network(input_shape=[1, 28, 28], layers=[conv2d([6, 28, 28]), "
            "relu([6, 28, 28]), maxpool2d([6, 14, 14]), conv2d([16, 10, 10]), relu([16, 10, 10]), "
            "maxpool2d([16, 5, 5]), flatten(400), linear(120), relu(120), linear(84), relu(84)], "
            "num_outputs=10)");
  // Flat [B, 784] batches (the streams' layout) and [B, 1, 28, 28] ones give the same logits.
  at::manual_seed(0);
  const at::Tensor x = at::rand({4, 784});
  net->eval();
  EXPECT_TRUE(at::allclose(net->forward(x), net->forward(x.view({4, 1, 28, 28}))));
  EXPECT_EQ(net->forward(x).sizes(), (std::vector<int64_t>{4, 10}));
  // The same preset on CIFAR-shaped images.
  Network colour = build_network(lenet, Shape{3, 32, 32}, 100);
  EXPECT_EQ(colour->forward(at::rand({2, 3072})).sizes(), (std::vector<int64_t>{2, 100}));
  EXPECT_EQ(colour->head()->weight.size(1), 84);
}

TEST(ConvLayers, WindowArithmeticFollowsLibTorch) {
  EXPECT_EQ(window_output_size(32, 3, 2, 1), 16);
  EXPECT_EQ(window_output_size(28, 5, 1, 0), 24);
  EXPECT_EQ(window_output_size(7, 2, 2, 0), 3);
  EXPECT_EQ(window_output_size(2, 5, 1, 0), 0);
  const Preset p = preset_of(R"({"type": "conv2d", "out_channels": 4, "kernel": 3, "stride": 2,
      "padding": 1}, {"type": "avgpool2d", "kernel": 3, "stride": 1, "padding": 1},
      {"type": "adaptive_avgpool2d", "output_size": 2}, {"type": "dropout", "p": 0.2},
      {"type": "flatten"})");
  Network net = build_network(p, Shape{3, 9, 9}, 5);
  net->eval();
  EXPECT_EQ(net->features(at::rand({2, 3, 9, 9})).sizes(), (std::vector<int64_t>{2, 16}));
}

TEST(ConvLayers, ShapeMismatchNamesTheLayerAndBothShapes) {
  EXPECT_THAT(build_error(R"({"type": "conv2d", "out_channels": 4})", Shape{784}),
              HasSubstr("$.layers[0] (conv2d): expected an input [C, H, W], got [784]"));
  EXPECT_THAT(
      build_error(R"({"type": "conv2d", "out_channels": 4, "kernel": 3},
                             {"type": "linear", "out_features": 10})",
                  Shape{1, 8, 8}),
      HasSubstr("$.layers[1] (linear): expected a flat input [features], got [4, 6, 6] "
                "from $.layers[0] (conv2d); put a {\"type\": \"flatten\"} layer before it"));
  EXPECT_THAT(build_error(R"({"type": "conv2d", "out_channels": 4, "kernel": 5},
                             {"type": "maxpool2d", "kernel": 2}, {"type": "conv2d", "out_channels": 8,
                             "kernel": 5})",
                          Shape{1, 12, 12}),
              HasSubstr("$.layers[2] (conv2d): kernel 5 with padding 0 does not fit the input "
                        "[4, 4, 4] (output [8, 0, 0])"));
  EXPECT_THAT(build_error(R"({"type": "flatten"}, {"type": "batchnorm2d"})", Shape{1, 4, 4}),
              HasSubstr("$.layers[1] (batchnorm2d): expected an input [C, H, W], got [16]"));
  EXPECT_THAT(build_error(R"({"type": "basic_block", "out_channels": 8})", Shape{10}),
              HasSubstr("$.layers[0] (basic_block): expected an input [C, H, W], got [10]"));
  // A fully connected first layer reads images flattened (the MLP presets on image streams).
  Network mlp = build_network(shipped("mlp-2x400"), Shape{1, 28, 28}, 10);
  EXPECT_EQ(mlp->input_shape(), (Shape{784}));
  EXPECT_ERROR_MENTIONS(mlp->forward(at::zeros({2, 3, 8})), "expected [B, 784]");
}

TEST(ConvLayers, OptionsOutsideTheirRangesAreRefused) {
  EXPECT_THAT(build_error(R"({"type": "conv2d", "out_channels": 0})", Shape{1, 8, 8}),
              HasSubstr("$.layers[0].out_channels: expected an integer >= 1, got 0"));
  EXPECT_THAT(build_error(R"({"type": "conv2d", "out_channels": 2, "stride": 0})", Shape{1, 8, 8}),
              HasSubstr("$.layers[0].stride: expected an integer >= 1, got 0"));
  EXPECT_THAT(
      build_error(R"({"type": "conv2d", "out_channels": 2, "padding": -1})", Shape{1, 8, 8}),
      HasSubstr("$.layers[0].padding: expected an integer >= 0, got -1"));
  EXPECT_THAT(build_error(R"({"type": "dropout", "p": 1.0})", Shape{8}),
              HasSubstr("$.layers[0].p: expected a number in [0, 1), got 1"));
  EXPECT_THAT(build_error(R"({"type": "maxpool2d", "kernel": 2, "padding": 2})", Shape{1, 8, 8}),
              HasSubstr("$.layers[0].padding: expected at most half the kernel (1), got 2"));
  EXPECT_THAT(build_error(R"({"type": "adaptive_avgpool2d", "output_size": 9})", Shape{1, 8, 8}),
              HasSubstr("$.layers[0].output_size: expected at most the input's height and width"));
  EXPECT_THAT(build_error(R"({"type": "batchnorm2d", "momentum": 2})", Shape{1, 8, 8}),
              HasSubstr("$.layers[0].momentum: expected a number in [0, 1], got 2"));
  EXPECT_THAT(build_error(R"({"type": "batchnorm2d", "bn_stats": "frozen"})", Shape{1, 8, 8}),
              HasSubstr("$.layers[0].bn_stats: expected one of running, frozen_after_first_task; "
                        "got 'frozen'"));
  EXPECT_THAT(engram::testing::error_of(
                  [] { preset_of(R"({"type": "conv2d", "out_channels": 2, "kernal": 3})"); }),
              HasSubstr("$.layers[0].kernal: unknown key"));
  EXPECT_THAT(engram::testing::error_of([] { preset_of(R"({"type": "maxpool2d"})"); }),
              HasSubstr("$.layers[0].kernel: missing (expected integer)"));
}

TEST(ResidualBlock, ShortcutIsAProjectionExactlyWhenTheShapeChanges) {
  BasicBlock same(BasicBlockOptions(8, 8));
  BasicBlock wider(BasicBlockOptions(8, 16));
  BasicBlock strided(BasicBlockOptions(8, 8).stride(2));
  EXPECT_FALSE(same->has_projection());
  EXPECT_TRUE(wider->has_projection());
  EXPECT_TRUE(strided->has_projection());
  const at::Tensor x = at::rand({2, 8, 9, 9});
  EXPECT_EQ(same->forward(x).sizes(), (std::vector<int64_t>{2, 8, 9, 9}));
  EXPECT_EQ(wider->forward(x).sizes(), (std::vector<int64_t>{2, 16, 9, 9}));
  EXPECT_EQ(strided->forward(x).sizes(), (std::vector<int64_t>{2, 8, 5, 5}));
  EXPECT_EQ(same->named_children().size(), 4u);
  EXPECT_EQ(strided->named_children().size(), 6u);
  // relu(... + x): outputs are non-negative; with zeroed residual weights the block is relu(x).
  {
    at::NoGradGuard no_grad;
    same->bn2->bn->weight.zero_();
  }
  same->eval();
  EXPECT_TRUE(at::allclose(same->forward(x - 0.5), at::relu(x - 0.5)));
  std::ostringstream text;
  strided->pretty_print(text);
  EXPECT_EQ(text.str(), "engram::models::BasicBlock(8, 8, stride=2, shortcut=conv1x1, "
                        "bn_stats=running)");
  EXPECT_ERROR_MENTIONS(BasicBlock(BasicBlockOptions(8, 8).stride(0)), "'stride' expected >= 1");
}

TEST(ResidualBlock, ModuleContractCloneSaveLoad) {
  BasicBlock block(BasicBlockOptions(4, 6).stride(2));
  block->forward(at::rand({3, 4, 8, 8})); // moves the running statistics off their start
  BasicBlock copy = engram::testing::expect_deep_clone(block, "BasicBlock");
  EXPECT_TRUE(copy->has_projection());
  BasicBlock fresh(BasicBlockOptions(4, 6).stride(2));
  engram::testing::expect_save_load(block, fresh, "BasicBlock");
  block->to(at::kDouble);
  engram::testing::expect_moved_to(*block, at::kDouble, "BasicBlock");
  ContinualBatchNorm2d bn(ContinualBatchNorm2dOptions(3));
  ContinualBatchNorm2d bn_copy = engram::testing::expect_deep_clone(bn, "ContinualBatchNorm2d");
  Conv2dLayer conv(Conv2dLayerOptions(3, 4, 3).padding(1));
  Conv2dLayer conv_fresh(Conv2dLayerOptions(3, 4, 3).padding(1));
  engram::testing::expect_deep_clone(conv, "Conv2dLayer");
  engram::testing::expect_save_load(conv, conv_fresh, "Conv2dLayer");
}

TEST(Presets, ResNetsMatchTheReferenceArchitectures) {
  // Parameter counts of Mammoth's resnet18(nf) with 10 classes, as
  // bench/python/resnet_trainer_peer.py --count-parameters [--nf 64] prints them.
  Network reduced = build_network(shipped("reduced-resnet18"), Shape{3, 32, 32}, 10);
  EXPECT_EQ(parameter_count(reduced), 1094750);
  EXPECT_EQ(reduced->head()->weight.size(1), 160);
  Network full = build_network(shipped("resnet18"), Shape{3, 32, 32}, 10);
  EXPECT_EQ(parameter_count(full), 11173962);
  EXPECT_EQ(full->head()->weight.size(1), 512);
  reduced->eval();
  EXPECT_EQ(reduced->forward(at::rand({2, 3072})).sizes(), (std::vector<int64_t>{2, 10}));
  // On MNIST-format images too (global pooling takes any size).
  Network mnist = build_network(shipped("reduced-resnet18"), Shape{1, 28, 28}, 10);
  mnist->eval();
  EXPECT_EQ(mnist->forward(at::rand({2, 784})).sizes(), (std::vector<int64_t>{2, 10}));
}

TEST(Presets, VanDeVenConvNetReducesCifarTo256x2x2) {
  Network net = build_network(shipped("vandeven-conv5"), Shape{3, 32, 32}, 100);
  std::ostringstream text;
  net->pretty_print(text);
  EXPECT_THAT(text.str(), HasSubstr("conv2d([16, 32, 32])"));
  EXPECT_THAT(text.str(), HasSubstr("conv2d([256, 2, 2]), batchnorm2d([256, 2, 2]), "
                                    "relu([256, 2, 2]), flatten(1024), linear(2000)"));
  EXPECT_EQ(net->gate_widths().back(), 2000);
  const Preset frozen = shipped("vandeven-conv5-frozen");
  EXPECT_THAT(frozen.pretrained, HasSubstr("models/conv5-cifar10.pt"));
  EXPECT_ERROR_MENTIONS(build_network(frozen, Shape{3, 32, 32}, 100),
                        "pretrained weights: no such file");
}

TEST(Presets, PretrainedConvLayersAreLoadedAndStayFrozen) {
  const auto dir = engram::testing::scratch_dir("pretrained");
  const std::string file = (dir / "conv5-cifar10.pt").string();
  at::manual_seed(1);
  Network pretrained = build_network(shipped("vandeven-conv5"), Shape{3, 32, 32}, 10);
  pretrained->forward(at::rand({4, 3072})); // running statistics away from their start
  torch::save(pretrained, file);

  Preset frozen = shipped("vandeven-conv5-frozen");
  frozen.pretrained = file;
  at::manual_seed(2);
  Network net = build_network(frozen, Shape{3, 32, 32}, 100);
  const auto src = pretrained->named_parameters();
  const auto dst = net->named_parameters();
  const auto src_buffers = pretrained->named_buffers();
  EXPECT_TRUE(at::equal(dst["layer0_conv2d.conv.weight"], src["layer0_conv2d.conv.weight"]));
  EXPECT_TRUE(at::equal(dst["layer12_conv2d.conv.bias"], src["layer12_conv2d.conv.bias"]));
  EXPECT_TRUE(at::equal(net->named_buffers()["layer1_batchnorm2d.bn.running_mean"],
                        src_buffers["layer1_batchnorm2d.bn.running_mean"]));
  // The fully connected layers too (same names and shapes); the head has the new outputs.
  EXPECT_EQ(net->head()->weight.size(0), 100);

  // Training changes the trainable layers and the head, never the frozen ones (weights or
  // statistics); gradients still reach through them to nothing trainable below, and the loss falls.
  const at::Tensor conv_before = dst["layer12_conv2d.conv.weight"].clone();
  const at::Tensor mean_before =
      net->named_buffers()["layer13_batchnorm2d.bn.running_mean"].clone();
  const at::Tensor fc_before = dst["layer16_linear.weight"].clone();
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  net->train();
  const at::Tensor x = at::rand({8, 3072});
  const at::Tensor y = at::randint(100, {8}, at::kLong);
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    at::cross_entropy_loss(net->forward(x), y).backward();
    opt.step();
  }
  EXPECT_TRUE(at::equal(dst["layer12_conv2d.conv.weight"], conv_before));
  EXPECT_TRUE(at::equal(net->named_buffers()["layer13_batchnorm2d.bn.running_mean"], mean_before));
  EXPECT_FALSE(at::equal(dst["layer16_linear.weight"], fc_before));

  // A file of another network is refused naming the file.
  Network other = build_network(preset_of(R"({"type": "linear", "out_features": 3})"), 5, 2);
  const std::string other_file = (dir / "other.pt").string();
  torch::save(other, other_file);
  frozen.pretrained = other_file;
  EXPECT_ERROR_MENTIONS(build_network(frozen, Shape{3, 32, 32}, 100), other_file);
}

TEST(Presets, FrozenConvLetsGradientsThroughToEarlierLayers) {
  const Preset p = preset_of(R"({"type": "conv2d", "out_channels": 3, "padding": 1},
      {"type": "conv2d", "out_channels": 3, "padding": 1, "freeze": true}, {"type": "flatten"})");
  Network net = build_network(p, Shape{1, 4, 4}, 2);
  net->forward(at::rand({2, 16})).sum().backward();
  const auto params = net->named_parameters();
  EXPECT_TRUE(params["layer0_conv2d.conv.weight"].grad().defined());
  EXPECT_GT(params["layer0_conv2d.conv.weight"].grad().abs().sum().item<double>(), 0.0);
  EXPECT_FALSE(params["layer1_conv2d.conv.weight"].grad().defined());
}

TEST(BatchNormStats, RunningStatsChangeOnEveryTask) {
  ContinualBatchNorm2d bn(ContinualBatchNorm2dOptions(2));
  bn->train();
  for (int64_t task = 0; task < 3; ++task) {
    bn->begin_task(task);
    const at::Tensor before = bn->bn->running_mean.clone();
    bn->forward(at::rand({4, 2, 3, 3}) + static_cast<double>(task));
    EXPECT_FALSE(at::equal(bn->bn->running_mean, before)) << "task " << task;
    EXPECT_FALSE(bn->stats_frozen());
  }
}

TEST(BatchNormStats, FrozenAfterFirstTaskThroughTheNetworkHook) {
  const Preset p = preset_of(R"({"type": "conv2d", "out_channels": 2, "padding": 1},
      {"type": "batchnorm2d", "bn_stats": "frozen_after_first_task"}, {"type": "relu"},
      {"type": "basic_block", "out_channels": 4, "stride": 2, "bn_stats": "frozen_after_first_task"},
      {"type": "flatten"})");
  Network net = build_network(p, Shape{1, 6, 6}, 3);
  net->train();
  auto stats = [&] {
    std::vector<at::Tensor> s;
    for (const auto& b : net->named_buffers())
      if (b.key().find("running_") != std::string::npos)
        s.push_back(b.value().clone());
    return s;
  };
  auto changed = [](const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
    int64_t n = 0;
    for (size_t i = 0; i < a.size(); ++i)
      n += !at::equal(a[i], b[i]);
    return n;
  };
  net->begin_task(0);
  auto before = stats();
  ASSERT_EQ(before.size(), 8u); // running mean and var of 1 + 3 BatchNorms
  net->forward(at::rand({5, 36}));
  EXPECT_EQ(changed(before, stats()), 8); // task 0: standard running statistics
  // From task 1 on: frozen, in training mode too, and the output is the eval-mode output.
  net->begin_task(1);
  before = stats();
  const at::Tensor x = at::rand({5, 36}) * 3.0;
  const at::Tensor train_out = net->forward(x);
  EXPECT_EQ(changed(before, stats()), 0);
  net->eval();
  EXPECT_TRUE(at::allclose(train_out, net->forward(x)));
  net->train();
  net->begin_task(2);
  net->forward(x);
  EXPECT_EQ(changed(before, stats()), 0);
  // Gradients still train the affine weights while the statistics are frozen.
  net->zero_grad();
  net->forward(x).sum().backward();
  EXPECT_TRUE(net->named_parameters()["layer1_batchnorm2d.bn.weight"].grad().defined());
}

} // namespace
} // namespace engram::models

namespace engram::models {
namespace {

TEST(ConvLayers, ContextGatesActOnConvolutionalActivations) {
  Network net = build_network(shipped("lenet"), Shape{1, 28, 28}, 10);
  const auto widths = net->gate_widths();
  ASSERT_EQ(widths.size(), 4u); // relu after each conv2d and each linear
  EXPECT_EQ(widths[0], 6 * 28 * 28);
  EXPECT_EQ(widths[1], 16 * 10 * 10);
  net->eval();
  const at::Tensor x = at::rand({3, 784});
  std::vector<at::Tensor> ones, first_off;
  for (const int64_t w : widths) {
    ones.push_back(at::ones({w}));
    first_off.push_back(at::ones({3, w}));
  }
  first_off[0].zero_(); // all of the first conv layer's units gated off
  EXPECT_TRUE(at::allclose(net->forward(x, ones), net->forward(x)));
  const at::Tensor gated = net->forward(x, first_off);
  // Nothing of the input gets through: every sample gives the logits of an all-zero first layer.
  EXPECT_TRUE(at::allclose(gated[0], gated[1]));
  EXPECT_FALSE(at::allclose(gated, net->forward(x)));
}

} // namespace
} // namespace engram::models
