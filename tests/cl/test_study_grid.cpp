// Shards of a grid (disjoint, deterministic, union = grid for every n), --hp-grid products and
// the grid fingerprint.
#include <engram/train/study_grid.h>

#include <support/error_message.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace engram::train {
namespace {

TEST(Shards, DisjointAndTogetherEveryCellForEveryCount) {
  for (size_t cells : {0u, 1u, 5u, 12u, 26u}) {
    for (int64_t n = 1; n <= 7; ++n) {
      std::multiset<size_t> all;
      for (int64_t i = 0; i < n; ++i) {
        const auto part = shard_cells(cells, {i, n});
        EXPECT_TRUE(std::is_sorted(part.begin(), part.end()));
        EXPECT_EQ(part, shard_cells(cells, {i, n})) << "not deterministic";
        all.insert(part.begin(), part.end());
        // Balanced: sizes differ by at most one.
        EXPECT_LE(part.size(), cells / static_cast<size_t>(n) + 1);
        EXPECT_GE(part.size(), cells / static_cast<size_t>(n));
      }
      ASSERT_EQ(all.size(), cells) << cells << " cells, " << n << " shards";
      size_t expected = 0;
      for (size_t c : all)
        EXPECT_EQ(c, expected++) << "a cell missing or twice, n = " << n;
    }
  }
}

TEST(Shards, ParsesIndexOverCountAndRefusesTheRest) {
  const Shard s = parse_shard("2/8");
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 8);
  EXPECT_EQ(shard_cells(10, parse_shard("1/3")), (std::vector<size_t>{1, 4, 7}));
  for (const char* bad : {"3/3", "1", "-1/3", "1/0", "a/b", "1/3/4", ""})
    EXPECT_ERROR_MENTIONS(parse_shard(bad), std::string("--shard: expected i/n with 0 <= i < n "
                                                        "<= 100000 (e.g. 0/4), got '") +
                                                bad + "'");
}

TEST(HpGrid, SeveralKeysGiveTheirProductFirstAxisSlowest) {
  const auto axes =
      parse_hp_grid({"ewc.lambda=1e2,1e3", "ewc.fisher_samples=10,20,30", "si.c=0.1,1"});
  ASSERT_EQ(axes.size(), 3u);
  const auto ewc = hp_settings(axes, "ewc");
  ASSERT_EQ(ewc.size(), 6u);
  EXPECT_EQ(format_hp_setting(ewc[0]), "fisher_samples=10,lambda=1e2");
  EXPECT_EQ(format_hp_setting(ewc[1]), "fisher_samples=20,lambda=1e2");
  EXPECT_EQ(format_hp_setting(ewc[5]), "fisher_samples=30,lambda=1e3");
  EXPECT_EQ(hp_settings(axes, "si").size(), 2u);
  const auto none = hp_settings(axes, "naive");
  ASSERT_EQ(none.size(), 1u);
  EXPECT_TRUE(none[0].empty());
}

TEST(HpGrid, MalformedItemsAreRefused) {
  EXPECT_ERROR_MENTIONS(parse_hp_grid({"lambda=1,2"}), "expected strategy.key=v1,v2");
  EXPECT_ERROR_MENTIONS(parse_hp_grid({"ewc.lambda="}), "got 'ewc.lambda='");
  EXPECT_ERROR_MENTIONS(parse_hp_grid({"ewc.lambda=1,,2"}), "empty value");
  EXPECT_ERROR_MENTIONS(parse_hp_grid({"ewc.lambda=1,1"}), "value '1' given twice");
  EXPECT_ERROR_MENTIONS(parse_hp_grid({"ewc.lambda=1", "ewc.lambda=2"}), "ewc.lambda given twice");
}

TEST(Fingerprint, StableAndSensitive) {
  EXPECT_EQ(fingerprint_hex(""), "cbf29ce484222325"); // the FNV-1a offset basis
  EXPECT_EQ(fingerprint_hex("a"), "af63dc4c8601ec8c");
  EXPECT_NE(fingerprint_hex("grid|0-4"), fingerprint_hex("grid|0-3"));
}

} // namespace
} // namespace engram::train
