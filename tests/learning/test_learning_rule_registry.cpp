// The learning-rule registry: the rules it knows, the preset's "learning" field (whole model or
// per layer) with its errors, the fingerprint of a preset with rules, and the i.i.d. stream.
#include <engram/data/benchmark.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>
#include <engram/train/learning_rule.h>
#include <engram/train/run_fingerprint.h>

#include "support/error_message.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

using engram::learning::learning_rule_names;
using engram::testing::expect_error;

TEST(LearningRuleRegistry, KnowsTheBuiltInRules) {
  const auto names = learning_rule_names();
  for (const char* rule : {"bp", "fa", "dfa", "usf", "brsf", "frsf", "pc", "softhebb"})
    EXPECT_NE(std::find(names.begin(), names.end(), rule), names.end()) << rule;
  const auto& fa = engram::learning::learning_rule_info("fa");
  EXPECT_EQ(fa.kind, engram::learning::RuleKind::kLayer);
  EXPECT_TRUE(fa.linear && fa.conv2d && fa.head);
  EXPECT_EQ(engram::learning::learning_rule_info("bp").head, nullptr);
  const std::string table = engram::learning::format_learning_rule_table_markdown();
  EXPECT_NE(table.find("| `dfa` | per-layer | linear, conv2d, head | Direct feedback alignment"),
            std::string::npos)
      << table;
}

TEST(LearningRuleRegistry, UnknownRuleNamesTheFieldTheRulesAndTheValue) {
  expect_error(
      [] { engram::models::parse_preset(R"({"name": "x", "learning": "xfa", "layers": []})"); },
      {"$.learning", "unknown learning rule 'xfa'", "bp, brsf, dfa, fa, frsf"});
  expect_error(
      [] {
        engram::models::parse_preset(R"({"name": "x", "layers": [
            {"type": "linear", "out_features": 3, "learning": "sgd"}]})");
      },
      {"$.layers[0].learning", "unknown learning rule 'sgd'", "usf"});
  // Only linear and conv2d layers take a rule.
  expect_error(
      [] {
        engram::models::parse_preset(
            R"({"name": "x", "layers": [{"type": "relu", "learning": "fa"}]})");
      },
      {"$.layers[0].learning", "unknown key"});
  expect_error(
      [] { engram::models::parse_preset(R"({"name": "x", "learning": 3, "layers": []})"); },
      {"$.learning", "expected string, got integer"});
  expect_error([] { engram::learning::learning_rule_info("nope", "--learning"); },
               {"--learning: unknown learning rule 'nope'", "dfa"});
}

TEST(LearningRuleRegistry, PerLayerRulesWinOverTheModels) {
  const auto preset = engram::models::parse_preset(R"({"name": "mixed", "learning": "fa",
      "layers": [{"type": "linear", "out_features": 8, "learning": "bp"}, {"type": "relu"},
                 {"type": "linear", "out_features": 8, "learning": "usf"}, {"type": "relu"},
                 {"type": "linear", "out_features": 8}]})");
  EXPECT_EQ(preset.learning, "fa");
  EXPECT_EQ(preset.layers[0].learning, "bp");
  auto net = engram::models::build_network(preset, 5, 3);
  std::ostringstream s;
  net->pretty_print(s);
  EXPECT_NE(s.str().find("layers=[linear(8), relu(8), linear+usf(8), relu(8), linear+fa(8)]"),
            std::string::npos)
      << s.str();
  ASSERT_NE(net->head_rule(), nullptr); // the model's rule reaches the head
  // The rule's layers start from the weights backprop's would have.
  const auto bp = engram::models::parse_preset(R"({"name": "bp", "layers": [
      {"type": "linear", "out_features": 8}, {"type": "relu"}]})");
  const auto fa = engram::models::parse_preset(R"({"name": "fa", "learning": "fa", "layers": [
      {"type": "linear", "out_features": 8}, {"type": "relu"}]})");
  at::manual_seed(3);
  auto a = engram::models::build_network(bp, 5, 3);
  at::manual_seed(3);
  auto b = engram::models::build_network(fa, 5, 3);
  EXPECT_TRUE(a->named_parameters()["layer0_linear.weight"].equal(
      b->named_parameters()["layer0_linear+fa.weight"]));
}

TEST(LearningRuleRegistry, FingerprintRecordsPerLayerRulesOnly) {
  const auto plain = engram::models::parse_preset(
      R"({"name": "p", "layers": [{"type": "linear", "out_features": 3}]})");
  const auto ruled = engram::models::parse_preset(
      R"({"name": "p", "layers": [{"type": "linear", "out_features": 3, "learning": "fa"}]})");
  EXPECT_EQ(engram::train::canonical_layers(plain), R"([{"out_features":"3","type":"linear"}])");
  EXPECT_NE(engram::train::canonical_layers(ruled).find(R"("learning":"fa")"), std::string::npos);
}

TEST(LearningRuleRegistry, BatchManhattanIsATrainingOption) {
  const auto p = engram::models::parse_preset(
      R"({"name": "p", "layers": [], "training": {"batch_manhattan": true}})");
  EXPECT_TRUE(p.training.batch_manhattan);
  expect_error(
      [] {
        engram::models::parse_preset(
            R"({"name": "p", "layers": [], "training": {"batch_manhattan": 1}})");
      },
      {"$.training.batch_manhattan", "expected boolean, got integer"});
}

TEST(IidStream, OneTaskHoldsEveryClass) {
  const auto name = engram::data::parse_benchmark("iid-synthetic");
  const auto dataset = engram::data::load_benchmark_dataset(name, "", 0);
  const auto stream =
      engram::data::make_benchmark_stream(name, dataset, engram::data::Scenario::kClass, 0, 0);
  ASSERT_EQ(stream.num_tasks(), 1);
  EXPECT_EQ(stream.task(0).train.size(), dataset.train_labels.size(0));
  EXPECT_EQ(stream.num_outputs(), 10);
  EXPECT_ERROR_MENTIONS(
      engram::data::make_benchmark_stream(name, dataset, engram::data::Scenario::kClass, 5, 0),
      "an iid benchmark is one task, got 5 tasks");
}

} // namespace
