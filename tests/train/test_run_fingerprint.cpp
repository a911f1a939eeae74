#include <engram/train/run_fingerprint.h>

#include <engram/models/preset.h>

#include <support/error_message.h>

#include <gtest/gtest.h>

namespace engram::train {
namespace {

RunFingerprint sample(double lr, const std::string& layers) {
  RunFingerprint fp;
  fp.add("benchmark", std::string("split-synthetic"));
  fp.add("iterations", int64_t{30});
  fp.add("seed", uint64_t{18446744073709551615ull});
  fp.add("shuffle_classes", false);
  fp.add("lr", lr);
  fp.add("preset layers", layers);
  return fp;
}

TEST(RunFingerprint, RoundTripsThroughItsText) {
  const RunFingerprint fp = sample(0.001, "[]");
  const RunFingerprint back = RunFingerprint::parse(fp.serialize(), "test");
  EXPECT_EQ(back.fields(), fp.fields());
  EXPECT_EQ(back.difference_from(fp), "");
  EXPECT_EQ(fp.fields()[2].second, "18446744073709551615"); // no wrap
}

TEST(RunFingerprint, KeepsFullPrecision) {
  // Values that agree to 6 digits but differ: a different run.
  const std::string d = sample(0.001, "[]").difference_from(sample(0.0010000001, "[]"));
  EXPECT_EQ(d, "lr is '0.001' in the checkpoint, '0.0010000001000000001' in this run");
}

TEST(RunFingerprint, NamesTheFieldThatDiffers) {
  EXPECT_NE(sample(0.1, "[a]").difference_from(sample(0.1, "[b]")).find("preset layers is '[a]'"),
            std::string::npos);
  RunFingerprint more = sample(0.1, "[]");
  more.add("augment", std::string("standard"));
  EXPECT_EQ(sample(0.1, "[]").difference_from(more),
            "augment is not recorded in the checkpoint (this run: 'standard')");
  EXPECT_EQ(more.difference_from(sample(0.1, "[]")),
            "augment is recorded in the checkpoint ('standard') but not set by this run");
}

TEST(RunFingerprint, RefusesBadTextAndDuplicateFields) {
  EXPECT_ERROR_MENTIONS(RunFingerprint::parse("benchmark|x|y", "checkpoint 'c'"),
                        "checkpoint 'c': the run's fingerprint is not readable");
  EXPECT_ERROR_MENTIONS(RunFingerprint::parse("[1]", "checkpoint 'c'"), "not a JSON object");
  RunFingerprint fp;
  fp.add("seed", int64_t{1});
  EXPECT_ERROR_MENTIONS(fp.add("seed", int64_t{2}), "field 'seed' added twice");
}

TEST(RunFingerprint, CanonicalLayersFollowContentNotName) {
  const char* a = R"({"name": "p", "layers": [{"type": "linear", "out_features": 400},
                      {"type": "relu"}]})";
  const char* same = R"({"name": "other-name", "layers": [{"out_features": 400,
                      "type": "linear"}, {"type": "relu"}]})";
  const char* wider = R"({"name": "p", "layers": [{"type": "linear", "out_features": 401},
                      {"type": "relu"}]})";
  const char* tanh = R"({"name": "p", "layers": [{"type": "linear", "out_features": 400},
                      {"type": "tanh"}]})";
  const auto layers = [](const char* text) { return canonical_layers(models::parse_preset(text)); };
  EXPECT_EQ(layers(a), layers(same));
  EXPECT_NE(layers(a), layers(wider));
  EXPECT_NE(layers(a), layers(tanh));
}

} // namespace
} // namespace engram::train
