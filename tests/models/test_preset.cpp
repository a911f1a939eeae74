#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <support/error_message.h>
#include <test_paths.h>

namespace engram::models {
namespace {

using ::testing::HasSubstr;

// The error of parsing `json` as a preset file p.json.
std::string error_of(const std::string& json) {
  return engram::testing::error_of([&] { parse_preset(json, "p.json"); });
}

TEST(Preset, ShippedPresetsLoadAndBuild) {
  for (const char* name : {"mlp-2x400", "mlp-2x1000"}) {
    const Preset p = load_preset(std::string(ENGRAM_SOURCE_DIR) + "/models/" + name + ".json");
    EXPECT_EQ(p.name, name);
    Network net = build_network(p, 784, 10);
    EXPECT_EQ(net->forward(at::zeros({3, 784})).sizes(), (std::vector<int64_t>{3, 10}));
    EXPECT_EQ(net->gate_widths().size(), 2u);
  }
  const Preset split = load_preset(std::string(ENGRAM_SOURCE_DIR) + "/models/mlp-2x400.json");
  EXPECT_EQ(split.training.iterations, 2000);
  EXPECT_DOUBLE_EQ(split.training.lr, 1e-3);
  const Preset perm = load_preset(std::string(ENGRAM_SOURCE_DIR) + "/models/mlp-2x1000.json");
  EXPECT_EQ(perm.training.iterations, 5000);
  EXPECT_DOUBLE_EQ(perm.training.lr, 1e-4);
  // 784*400+400 + 400*400+400 + 400*10+10 parameters.
  int64_t n = 0;
  for (const auto& t : build_network(split, 784, 10)->parameters())
    n += t.numel();
  EXPECT_EQ(n, 784 * 400 + 400 + 400 * 400 + 400 + 400 * 10 + 10);
}

TEST(Preset, UnknownKeyNamesItsPath) {
  EXPECT_THAT(
      error_of(
          R"({"name": "x", "layers": [{"type": "linear", "out_features": 4, "outfeatures": 3}]})"),
      HasSubstr("$.layers[0].outfeatures: unknown key"));
  EXPECT_THAT(error_of(R"({"name": "x", "layers": [], "trainig": {}})"),
              HasSubstr("$.trainig: unknown key"));
  EXPECT_THAT(error_of(R"({"name": "x", "layers": [], "strategies": {"ewc": {"lamda": 1}}})"),
              HasSubstr("$.strategies.ewc.lamda: unknown key"));
  EXPECT_THAT(error_of(R"({"name": "x", "layers": [], "strategies": {"ewk": {}}})"),
              HasSubstr("$.strategies.ewk: unknown strategy"));
}

TEST(Preset, WrongTypeNamesPathAndExpectedType) {
  EXPECT_THAT(error_of(R"({"name": "x", "layers": [{"type": "linear", "out_features": "400"}]})"),
              HasSubstr("$.layers[0].out_features: expected integer, got string"));
  EXPECT_THAT(error_of(R"({"name": "x", "layers": [{"type": "linear", "out_features": 4.5}]})"),
              HasSubstr("$.layers[0].out_features: expected integer, got number"));
  EXPECT_THAT(error_of(R"({"name": "x", "layers": [], "training": {"lr": "fast"}})"),
              HasSubstr("$.training.lr: expected number, got string"));
  EXPECT_THAT(error_of(R"({"name": 3, "layers": []})"),
              HasSubstr("$.name: expected string, got integer"));
  EXPECT_THAT(error_of(R"({"name": "x", "layers": {}})"),
              HasSubstr("$.layers: expected array, got object"));
  EXPECT_THAT(error_of(R"({"name": "x", "layers": [{"type": "conv"}]})"),
              HasSubstr("$.layers[0].type: unknown layer type 'conv'"));
  EXPECT_THAT(error_of(R"({"name": "x", "layers": [{"type": "linear"}]})"),
              HasSubstr("$.layers[0].out_features: missing (expected integer)"));
  EXPECT_THAT(error_of("{not json"), HasSubstr("not valid JSON"));
}

TEST(LayerRegistry, OtherLayerFamiliesCanRegister) {
  LayerType doubling;
  doubling.params = {{"factor", ParamKind::kNumber}};
  doubling.build = [](const LayerSpec& s, int64_t in) {
    const double f = s.numbers.count("factor") ? s.numbers.at("factor") : 2.0;
    torch::nn::Linear lin(in, in);
    {
      at::NoGradGuard g;
      lin->weight.copy_(at::eye(in) * f);
      lin->bias.zero_();
    }
    return NetworkLayer{"scale", torch::nn::AnyModule(lin), in, false};
  };
  register_layer_type("test_scale", doubling);
  const Preset p =
      parse_preset(R"({"name": "s", "layers": [{"type": "test_scale", "factor": 3}]})");
  Network net = build_network(p, 4, 2);
  EXPECT_EQ(net->forward(at::ones({1, 4})).size(1), 2);
}

// Huge integers are refused against the declared range and shown as given, never wrapped
// (2^63 - 1 once read back as -9223372036854775808).
TEST(Preset, HugeIntegersAreReportedAsGiven) {
  const std::string huge = R"({"name": "x", "layers": [{"type": "linear",
      "out_features": 9223372036854775807}]})";
  EXPECT_ERROR_MENTIONS(
      models::parse_preset(huge, "h.json"),
      "$.layers[0].out_features: expected an integer in [-2147483647, 2147483647], got "
      "9223372036854775807");
  const std::string unsigned_huge = R"({"name": "x", "layers": [{"type": "linear",
      "out_features": 18446744073709551615}]})";
  EXPECT_ERROR_MENTIONS(models::parse_preset(unsigned_huge, "h.json"), "got 18446744073709551615");
  const std::string batch = R"({"name": "x", "layers": [{"type": "relu"}],
      "training": {"batch_size": 18446744073709551615}})";
  EXPECT_ERROR_MENTIONS(models::parse_preset(batch, "h.json"),
                        "$.training.batch_size: expected a positive integer, got "
                        "18446744073709551615");
}

} // namespace
} // namespace engram::models
