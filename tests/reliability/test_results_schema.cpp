#include <engram/train/results_schema.h>

#include <support/error_message.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace engram::train {
namespace {

using nlohmann::json;

json valid_document() {
  json run = {{"benchmark", "split-synthetic"},
              {"scenario", "class"},
              {"strategy", "naive"},
              {"status", "ok"},
              {"num_tasks", 2},
              {"tasks", {"classes 0,1", "classes 2,3"}},
              {"accuracy_matrix", {{0.9, 0.1}, {0.4, 0.95}}},
              {"random_init_accuracy", {0.5, 0.5}},
              {"task_seconds", {0.1, 0.2}},
              {"final_loss", {0.3, 0.2}},
              {"metrics", {{"acc", 0.675}, {"bwt", -0.5}, {"fwt", nullptr}, {"forgetting", 0.5}}}};
  return {{"schema", "engram.cl.results/1"}, {"runs", {run}}};
}

std::string error_for(const json& doc) {
  return engram::testing::error_of([&] { validate_results_document(doc.dump(), "r.json"); });
}

TEST(ResultsSchema, AcceptsAValidDocument) {
  EXPECT_EQ(error_for(valid_document()), "no error");
  json v2 = valid_document();
  v2["schema"] = "engram.cl.results/2";
  EXPECT_EQ(error_for(v2), "no error");
}

// --eval-during's points and --pad are checked when present; files without them stay valid.
TEST(ResultsSchema, ChecksEvalDuringPointsAndPad) {
  json d = valid_document();
  d["runs"][0]["pad"] = 32;
  d["runs"][0]["eval_during"] = {{"every", 10},
                                 {"points",
                                  {{{"task", 0}, {"iteration", 10}, {"accuracy", {0.5}}},
                                   {{"task", 1}, {"iteration", 10}, {"accuracy", {0.4, 0.6}}}}}};
  d["runs"][0]["metrics"]["forgetting_avalanche"] = 0.5;
  d["runs"][0]["metrics"]["avg_incremental_acc"] = 0.8;
  EXPECT_EQ(error_for(d), "no error");
  json short_point = d;
  short_point["runs"][0]["eval_during"]["points"][1]["accuracy"] = {0.4};
  EXPECT_NE(error_for(short_point)
                .find("$.runs[0].eval_during.points[1].accuracy: expected an array of 2 numbers"),
            std::string::npos);
  json late_task = d;
  late_task["runs"][0]["eval_during"]["points"][0]["task"] = 2;
  EXPECT_NE(error_for(late_task).find("$.runs[0].eval_during.points[0].task: expected an integer "
                                      "in [0, 1], got 2"),
            std::string::npos);
  json bad_pad = d;
  bad_pad["runs"][0]["pad"] = 0;
  EXPECT_NE(error_for(bad_pad).find("$.runs[0].pad: expected an integer in [1, 1024], got 0"),
            std::string::npos);
}

TEST(ResultsSchema, RefusesEachDefectWithItsPath) {
  struct Case {
    const char* what;
    std::function<void(json&)> edit;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"huge num_tasks", [](json& d) { d["runs"][0]["num_tasks"] = 10000000; },
       "$.runs[0].num_tasks: expected an integer in [1, 100000], got 10000000"},
      {"accuracy 1e308", [](json& d) { d["runs"][0]["accuracy_matrix"][1][0] = 1e308; },
       "$.runs[0].accuracy_matrix[1][0]: expected a number in [0, 1] or null"},
      {"more rows than tasks",
       [](json& d) {
         d["runs"][0]["accuracy_matrix"].push_back({0.1, 0.2});
       },
       "$.runs[0].accuracy_matrix: expected an array of at most num_tasks = 2 rows"},
      {"short row", [](json& d) { d["runs"][0]["accuracy_matrix"][0] = {0.5}; },
       "$.runs[0].accuracy_matrix[0]: expected an array of 2 numbers"},
      {"string accuracy", [](json& d) { d["runs"][0]["random_init_accuracy"][1] = "x"; },
       "$.runs[0].random_init_accuracy[1]"},
      {"unknown schema", [](json& d) { d["schema"] = "engram.cl.results/9"; }, "$.schema"},
      {"no runs", [](json& d) { d.erase("runs"); }, "$: missing key 'runs'"},
      {"bad status", [](json& d) { d["runs"][0]["status"] = "done"; }, "$.runs[0].status"},
      {"metric out of range", [](json& d) { d["runs"][0]["metrics"]["acc"] = 7; },
       "$.runs[0].metrics.acc"},
      {"ok but partial matrix", [](json& d) { d["runs"][0]["accuracy_matrix"].erase(1); },
       "2 rows for a run with status ok"},
  };
  for (const auto& c : cases) {
    json d = valid_document();
    c.edit(d);
    const std::string e = error_for(d);
    EXPECT_NE(e.find("results file 'r.json': "), std::string::npos) << c.what << ": " << e;
    EXPECT_NE(e.find(c.message), std::string::npos) << c.what << ": " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << c.what << ": " << e;
  }
}

TEST(ResultsSchema, NanIsNotJson) {
  std::string text = valid_document().dump();
  text.replace(text.find("0.95"), 4, "NaN");
  EXPECT_ERROR_MENTIONS(validate_results_document(text, "r.json"),
                        "results file 'r.json' is not valid JSON: parse error");
}

} // namespace
} // namespace engram::train
