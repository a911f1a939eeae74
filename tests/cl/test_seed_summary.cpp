// Aggregation over seeds on hand-made accuracy matrices: exact means, sample standard deviations
// and SEMs; grouping of cells; seed lists.
#include <engram/train/seed_summary.h>

#include <support/error_message.h>

#include <gtest/gtest.h>

#include <cmath>

namespace engram::train {
namespace {

SeedRun run(const std::string& strategy, uint64_t seed, cl::AccuracyMatrix R,
            const std::string& status = "ok") {
  SeedRun r;
  r.scenario = "class";
  r.strategy = strategy;
  r.preset = "mlp";
  r.seed = seed;
  r.status = status;
  r.num_tasks = static_cast<int64_t>(R.size());
  r.accuracy = R;
  if (status == "ok" && !R.empty())
    r.metrics = cl::compute_metrics(R, std::vector<double>(R.size(), 0.5));
  r.total_seconds = 10.0 * static_cast<double>(seed + 1);
  return r;
}

TEST(SeedStats, MeanSampleSdAndSemOfKnownValues) {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sample variance 32/7.
  const SeedStats s = seed_stats({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(s.n, 8);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_DOUBLE_EQ(s.sd, std::sqrt(32.0 / 7.0));
  EXPECT_DOUBLE_EQ(s.sem, std::sqrt(32.0 / 7.0) / std::sqrt(8.0));
}

TEST(SeedStats, OneValueHasNoSpreadAndNanIsLeftOut) {
  const SeedStats one = seed_stats({0.25});
  EXPECT_EQ(one.n, 1);
  EXPECT_DOUBLE_EQ(one.mean, 0.25);
  EXPECT_TRUE(std::isnan(one.sd));
  EXPECT_TRUE(std::isnan(one.sem));
  const SeedStats with_nan = seed_stats({1.0, std::nan(""), 3.0});
  EXPECT_EQ(with_nan.n, 2);
  EXPECT_DOUBLE_EQ(with_nan.mean, 2.0);
  EXPECT_DOUBLE_EQ(with_nan.sd, std::sqrt(2.0));
  EXPECT_EQ(seed_stats({}).n, 0);
}

TEST(SummarizeSeeds, HandMadeMatricesGiveExactMetricStatistics) {
  // Two tasks. Seed 0: R = [[.9 .1] [.5 .7]] -> ACC .6, BWT -.4, forgetting .4.
  // Seed 1: R = [[.8 .2] [.6 .8]] -> ACC .7, BWT -.2, forgetting .2.
  // Seed 2: R = [[1. .3] [.7 .9]] -> ACC .8, BWT -.3, forgetting .3.
  const std::vector<SeedRun> runs = {run("ewc", 0, {{.9, .1}, {.5, .7}}),
                                     run("ewc", 1, {{.8, .2}, {.6, .8}}),
                                     run("ewc", 2, {{1., .3}, {.7, .9}})};
  const auto cells = summarize_seeds(runs);
  ASSERT_EQ(cells.size(), 1u);
  const CellSummary& c = cells[0];
  EXPECT_EQ(c.seeds, (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(c.status, "ok");
  EXPECT_EQ(c.acc.n, 3);
  EXPECT_NEAR(c.acc.mean, 0.7, 1e-12);
  EXPECT_NEAR(c.acc.sd, 0.1, 1e-12); // deviations -.1, 0, .1: variance .02 / 2
  EXPECT_NEAR(c.acc.sem, 0.1 / std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(c.bwt.mean, -0.3, 1e-12);
  EXPECT_NEAR(c.bwt.sd, 0.1, 1e-12);
  EXPECT_NEAR(c.forgetting.mean, 0.3, 1e-12);
  // FWT: R[0][1] - b[1] = .1-.5, .2-.5, .3-.5 -> mean -.3, sd .1.
  EXPECT_NEAR(c.fwt.mean, -0.3, 1e-12);
  EXPECT_NEAR(c.fwt.sd, 0.1, 1e-12);
  EXPECT_NEAR(c.seconds.mean, 20.0, 1e-12);
  ASSERT_EQ(c.accuracy_mean.size(), 2u);
  EXPECT_NEAR(c.accuracy_mean[0][0], 0.9, 1e-12);
  EXPECT_NEAR(c.accuracy_mean[1][1], 0.8, 1e-12);
  EXPECT_NEAR(c.accuracy_sd[1][0], 0.1, 1e-12);
  EXPECT_NEAR(c.accuracy_sd[0][0], 0.1, 1e-12);
}

TEST(SummarizeSeeds, GroupsCellsInFirstAppearanceOrderAndLeavesOutIncompleteRuns) {
  std::vector<SeedRun> runs = {
      run("naive", 0, {{1., 0.}, {0., 1.}}), run("ewc", 0, {{1., 0.}, {.5, 1.}}),
      run("naive", 1, {{1., 0.}, {.2, 1.}}), run("ewc", 1, {{1., 0.}}, "partial")};
  SeedRun skipped = run("xdg", 0, {});
  skipped.status = "skipped";
  skipped.note = "xdg needs task identity";
  runs.push_back(skipped);
  const auto cells = summarize_seeds(runs);
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[0].strategy, "naive");
  EXPECT_EQ(cells[1].strategy, "ewc");
  EXPECT_EQ(cells[2].strategy, "xdg");
  EXPECT_NEAR(cells[0].acc.mean, 0.55, 1e-12); // (.5 + .6) / 2
  EXPECT_EQ(cells[1].seeds, (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(cells[1].complete, (std::vector<uint64_t>{0}));
  EXPECT_EQ(cells[1].acc.n, 1);
  EXPECT_NEAR(cells[1].acc.mean, 0.75, 1e-12);
  EXPECT_EQ(cells[2].status, "skipped");
  EXPECT_EQ(cells[2].note, "xdg needs task identity");
  const std::string table = format_seed_table(cells);
  EXPECT_NE(table.find("mean ± sd over seeds"), std::string::npos) << table;
  EXPECT_NE(table.find("55.00% ±"), std::string::npos) << table;
  EXPECT_NE(table.find("(skipped: xdg needs task identity)"), std::string::npos) << table;
}

TEST(SummarizeSeeds, RefusesTheSameSeedTwiceInOneCell) {
  EXPECT_ERROR_MENTIONS(summarize_seeds({run("ewc", 3, {{1.}}), run("ewc", 3, {{1.}})}),
                        "seed 3 appears twice");
}

TEST(SeedList, RangesAndListsInTheOrderGiven) {
  EXPECT_EQ(parse_seed_list("0-4"), (std::vector<uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(parse_seed_list("0,3,7"), (std::vector<uint64_t>{0, 3, 7}));
  EXPECT_EQ(parse_seed_list("5,0-2"), (std::vector<uint64_t>{5, 0, 1, 2}));
  EXPECT_EQ(parse_seed_list("42"), (std::vector<uint64_t>{42}));
  EXPECT_EQ(format_seed_list({0, 1, 2, 3, 4}), "0-4");
  EXPECT_EQ(format_seed_list({0, 3, 7}), "0,3,7");
  EXPECT_EQ(format_seed_list({0, 1, 5}), "0,1,5");
}

TEST(SeedList, BadListsNameTheFlagAndTheValue) {
  EXPECT_ERROR_MENTIONS(parse_seed_list("4-0"), "--seeds: expected a range low-high");
  EXPECT_ERROR_MENTIONS(parse_seed_list("a"), "got 'a'");
  EXPECT_ERROR_MENTIONS(parse_seed_list("-1"), "got '-1'");
  EXPECT_ERROR_MENTIONS(parse_seed_list("1,1"), "seed 1 given twice");
  EXPECT_ERROR_MENTIONS(parse_seed_list(""), "--seeds");
  EXPECT_ERROR_MENTIONS(parse_seed_list("1,"), "got '1,'");
}

} // namespace
} // namespace engram::train
