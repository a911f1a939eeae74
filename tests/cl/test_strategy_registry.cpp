// The strategy registry: every strategy registers itself from its own file when the shared library
// is loaded, with typed options whose kinds and ranges one place checks; the docs table is the
// registry's.
#include <engram/cl/ewc.h>
#include <engram/cl/strategy_registry.h>

#include <support/error_message.h>
#include <test_paths.h>

#include <c10/util/Exception.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace engram {
namespace {

using testing::error_of;
using ::testing::HasSubstr;

// Nothing in this test names a strategy class: the registrations ran when libengram was loaded.
TEST(StrategyRegistry, EveryStrategyRegistersItselfWhenTheLibraryLoads) {
  EXPECT_EQ(
      cl::strategy_names(),
      (std::vector<std::string>{"agem", "cls-sleep", "der", "derpp", "dgr", "dgr-distill", "er-ace",
                                "ewc", "gdumb", "hebbian-readout", "hippocampal-replay", "icarl",
                                "joint", "lwf", "naive", "online-ewc", "replay", "si", "xdg"}));
  for (const auto& name : cl::strategy_names())
    EXPECT_EQ(cl::make_strategy(name)->name(), name);
}

TEST(StrategyRegistry, DefaultsAreUnchangedAndIntegersStayIntegers) {
  using K = cl::OptionKind;
  const std::map<std::string, std::map<std::string, std::pair<K, double>>> expected{
      {"naive", {}},
      {"joint", {}},
      // Choice options: the index of the default among the names (exact, vandeven, ...).
      {"ewc",
       {{"lambda", {K::kNumber, 10000}},
        {"fisher_samples", {K::kInteger, 500}},
        {"fisher_labels", {K::kChoice, 0}},
        {"fisher_eval", {K::kInteger, 1}},
        {"fisher_batch", {K::kInteger, 128}}}},
      {"online-ewc",
       {{"lambda", {K::kNumber, 10000}},
        {"gamma", {K::kNumber, 1}},
        {"variant", {K::kChoice, 0}},
        {"fisher_samples", {K::kInteger, 500}},
        {"fisher_labels", {K::kChoice, 0}},
        {"fisher_eval", {K::kInteger, 1}},
        {"fisher_batch", {K::kInteger, 128}}}},
      {"si", {{"c", {K::kNumber, 500}}, {"xi", {K::kNumber, 0.1}}}},
      {"lwf",
       {{"temperature", {K::kNumber, 2}},
        {"variant", {K::kChoice, 0}},
        {"reduction", {K::kChoice, 0}}}},
      {"replay", {{"buffer_size", {K::kInteger, 1000}}, {"weighting", {K::kChoice, 0}}}},
      {"agem",
       {{"buffer_size", {K::kInteger, 1000}},
        {"reference_batch", {K::kInteger, 256}},
        {"budget", {K::kChoice, 0}}}},
      {"xdg", {{"gated_fraction", {K::kNumber, 0.8}}}},
      {"hebbian-readout", {{"body_tasks", {K::kInteger, 1}}}},
      {"hippocampal-replay", {{"buffer_size", {K::kInteger, 1000}}, {"beta", {K::kNumber, 2}}}},
      {"cls-sleep",
       {{"buffer_size", {K::kInteger, 1000}},
        {"sleep_iterations", {K::kInteger, 200}},
        {"sleep_batch_size", {K::kInteger, 64}},
        {"recent_fraction", {K::kNumber, 0.5}},
        {"wake_weight", {K::kNumber, 1}}}},
      {"der",
       {{"buffer_size", {K::kInteger, 500}},
        {"alpha", {K::kNumber, 0.3}},
        {"replay_batch", {K::kInteger, 0}}}},
      {"derpp",
       {{"buffer_size", {K::kInteger, 500}},
        {"alpha", {K::kNumber, 0.1}},
        {"beta", {K::kNumber, 0.5}},
        {"replay_batch", {K::kInteger, 0}}}},
      {"er-ace", {{"buffer_size", {K::kInteger, 500}}, {"replay_batch", {K::kInteger, 0}}}},
      {"gdumb",
       {{"buffer_size", {K::kInteger, 500}},
        {"epochs", {K::kInteger, 256}},
        {"batch_size", {K::kInteger, 16}},
        {"lr", {K::kNumber, 0.05}},
        {"min_lr", {K::kNumber, 0.0005}}}},
      {"icarl", {{"memory_size", {K::kInteger, 2000}}, {"temperature", {K::kNumber, 1}}}},
      {"dgr",
       {{"hidden", {K::kInteger, 400}},
        {"latent_dim", {K::kInteger, 100}},
        {"lr", {K::kNumber, 0.001}}}},
      {"dgr-distill",
       {{"hidden", {K::kInteger, 400}},
        {"latent_dim", {K::kInteger, 100}},
        {"lr", {K::kNumber, 0.001}},
        {"temperature", {K::kNumber, 2}}}},
  };
  ASSERT_EQ(expected.size(), cl::strategy_names().size());
  for (const auto& [name, options] : expected) {
    const auto values = cl::make_strategy(name)->hyperparameters();
    ASSERT_EQ(values.size(), options.size()) << name;
    for (const auto& [option, kind_value] : options) {
      ASSERT_TRUE(values.count(option)) << name << "." << option;
      EXPECT_EQ(values.at(option).kind, kind_value.first) << name << "." << option;
      EXPECT_DOUBLE_EQ(values.at(option).value, kind_value.second) << name << "." << option;
    }
  }
}

TEST(StrategyRegistry, OverridesReachTheTypedOptions) {
  auto s = cl::make_strategy("agem", {{"reference_batch", 32}});
  EXPECT_EQ(s->hyperparameters().at("reference_batch").value, 32);
  EXPECT_EQ(s->hyperparameters().at("reference_batch").to_string(), "32");
  EXPECT_EQ(s->hyperparameters().at("buffer_size").value, 1000);
}

// A strategy constructed from its options struct, not through the registry, reports them too.
TEST(StrategyRegistry, DirectlyConstructedStrategiesReportTheirOptions) {
  const cl::EwcStrategy ewc(cl::EwcOptions().lambda(5).fisher_samples(7));
  EXPECT_EQ(ewc.options.lambda(), 5);
  EXPECT_EQ(ewc.hyperparameters().at("lambda").value, 5);
  EXPECT_EQ(ewc.hyperparameters().at("fisher_samples").value, 7);
  EXPECT_EQ(ewc.hyperparameters().at("fisher_samples").kind, cl::OptionKind::kInteger);
}

std::string range_error(const std::string& strategy, const cl::OptionInfo& o, double value) {
  return "strategy '" + strategy + "': option '" + o.name + "' expected " +
         (o.kind == cl::OptionKind::kInteger ? "an integer " : "a number ") + o.range.to_string() +
         ", got " + cl::format_number(value);
}

// For every option of every registered strategy: a value out of range (and for an integer option a
// fraction) is refused by make_strategy and by the --hp parser, with one line that names the
// strategy, the option, the range and the value.
TEST(StrategyRegistry, EveryOptionRejectsValuesOutOfRangeInOneLine) {
  size_t checked = 0;
  for (const auto& name : cl::strategy_names()) {
    for (const auto& o : cl::strategy_info(name).options) {
      if (o.kind == cl::OptionKind::kChoice)
        continue; // ChoiceOptionsTakeTheirNames
      std::vector<double> bad{o.range.outside()};
      if (o.kind == cl::OptionKind::kInteger)
        bad.push_back(o.default_value + 0.5);
      for (double v : bad) {
        const std::string expected = range_error(name, o, v);
        EXPECT_EQ(error_of([&] { cl::make_strategy(name, {{o.name, v}}); }), expected);
        cl::OptionOverrides parsed;
        EXPECT_EQ(error_of([&] {
                    cl::parse_strategy_option(name, o.name + "=" + cl::format_number(v), parsed);
                  }),
                  expected);
        EXPECT_TRUE(parsed.empty());
        EXPECT_EQ(expected.find('\n'), std::string::npos);
        ++checked;
      }
      EXPECT_EQ(cl::option_value_error(o, o.default_value), "");
    }
  }
  EXPECT_GE(checked, 15u);
}

TEST(StrategyRegistry, RangesAreTheDocumentedOnes) {
  EXPECT_EQ(error_of([] {
              cl::make_strategy("ewc", {{"fisher_samples", 0}});
            }),
            "strategy 'ewc': option 'fisher_samples' expected an integer in [1, 10000000], got 0");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("ewc", {{"lambda", -1}});
            }),
            "strategy 'ewc': option 'lambda' expected a number >= 0, got -1");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("xdg", {{"gated_fraction", 1}});
            }),
            "strategy 'xdg': option 'gated_fraction' expected a number in [0, 1), got 1");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("online-ewc", {{"gamma", 1.5}});
            }),
            "strategy 'online-ewc': option 'gamma' expected a number in [0, 1], got 1.5");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("si", {{"xi", 0}});
            }),
            "strategy 'si': option 'xi' expected a number > 0, got 0");
  EXPECT_EQ(
      error_of([] {
        cl::make_strategy("replay", {{"buffer_size", 10.5}});
      }),
      "strategy 'replay': option 'buffer_size' expected an integer in [1, 10000000], got 10.5");
  // Huge values are refused against the upper end of the range, and shown as given.
  EXPECT_EQ(
      error_of([] {
        cl::make_strategy("agem", {{"buffer_size", 1e300}});
      }),
      "strategy 'agem': option 'buffer_size' expected an integer in [1, 10000000], got 1e+300");
  EXPECT_EQ(
      error_of([] {
        cl::make_strategy("agem", {{"reference_batch", 0}});
      }),
      "strategy 'agem': option 'reference_batch' expected an integer in [1, 16777216], got 0");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("lwf", {{"temperature", -2}});
            }),
            "strategy 'lwf': option 'temperature' expected a number > 0, got -2");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("ewc", {{"lambda", std::numeric_limits<double>::infinity()}});
            }),
            "strategy 'ewc': option 'lambda' expected a number >= 0, got inf");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("hebbian-readout", {{"body_tasks", 0}});
            }),
            "no error");
}

TEST(StrategyRegistry, UnknownNamesListTheValidOnes) {
  EXPECT_EQ(error_of([] { cl::make_strategy("ewk"); }),
            "unknown strategy 'ewk' (expected one of: agem, cls-sleep, der, derpp, dgr, "
            "dgr-distill, er-ace, ewc, gdumb, hebbian-readout, hippocampal-replay, icarl, joint, "
            "lwf, naive, online-ewc, replay, si, xdg)");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("ewc", {{"lamda", 1}});
            }),
            "strategy 'ewc': no option 'lamda' (options: lambda, fisher_samples, fisher_labels, "
            "fisher_eval, fisher_batch)");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("naive", {{"lambda", 1}});
            }),
            "strategy 'naive': no option 'lambda' (it has none)");
}

TEST(StrategyRegistry, ParsesOptionText) {
  cl::OptionOverrides out;
  cl::parse_strategy_option("ewc", "lambda=5000", out);
  EXPECT_EQ(out.at("lambda"), 5000);
  EXPECT_EQ(error_of([&] { cl::parse_strategy_option("ewc", "lambda", out); }),
            "strategy 'ewc': expected option=value, got 'lambda'");
  EXPECT_EQ(error_of([&] { cl::parse_strategy_option("ewc", "lambda=big", out); }),
            "strategy 'ewc': option 'lambda' expected a number >= 0, got 'big'");
  EXPECT_EQ(error_of([&] { cl::parse_strategy_option("ewc", "lambda=1x", out); }),
            "strategy 'ewc': option 'lambda' expected a number >= 0, got '1x'");
}

// A choice option (a named variant) is given by its name, recorded by its name, and anything else
// is one line listing the names.
TEST(StrategyRegistry, ChoiceOptionsTakeTheirNames) {
  cl::OptionOverrides out;
  cl::parse_strategy_option("lwf", "variant=avalanche", out);
  EXPECT_EQ(out.at("variant"), 1);
  auto lwf = cl::make_strategy("lwf", out);
  EXPECT_EQ(lwf->hyperparameters().at("variant").to_string(), "avalanche");
  EXPECT_EQ(lwf->hyperparameters().at("variant").kind, cl::OptionKind::kChoice);
  EXPECT_EQ(cl::make_strategy("lwf")->hyperparameters().at("variant").to_string(), "vandeven");
  EXPECT_EQ(error_of([&] { cl::parse_strategy_option("lwf", "variant=hinton", out); }),
            "strategy 'lwf': option 'variant' expected one of: vandeven, avalanche, got 'hinton'");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("lwf", {{"variant", 2}});
            }),
            "strategy 'lwf': option 'variant' expected one of: vandeven, avalanche, got 2");
  EXPECT_EQ(error_of([] {
              cl::make_strategy("agem", {{"budget", 0.5}});
            }),
            "strategy 'agem': option 'budget' expected one of: per-task, per-class, got 0.5");
  size_t choices = 0;
  for (const auto& name : cl::strategy_names())
    for (const auto& o : cl::strategy_info(name).options)
      if (o.kind == cl::OptionKind::kChoice) {
        ++choices;
        for (size_t i = 0; i < o.choices.size(); ++i) {
          cl::OptionOverrides parsed;
          cl::parse_strategy_option(name, o.name + "=" + o.choices[i], parsed);
          EXPECT_EQ(parsed.at(o.name), static_cast<double>(i));
          EXPECT_EQ(cl::make_strategy(name, parsed)->hyperparameters().at(o.name).to_string(),
                    o.choices[i]);
        }
      }
  EXPECT_GE(choices, 6u);
}

TEST(StrategyRegistry, ANameRegistersOnce) {
  cl::StrategyInfo twin = cl::strategy_info("naive");
  EXPECT_THAT(error_of([&] { cl::register_strategy(twin); }),
              HasSubstr("strategy 'naive' is registered twice"));
}

TEST(StrategyRegistry, NumbersPrintShortest) {
  EXPECT_EQ(cl::format_number(10000), "10000");
  EXPECT_EQ(cl::format_number(0.1), "0.1");
  EXPECT_EQ(cl::format_number(0.8), "0.8");
  EXPECT_EQ(cl::format_number(1e-6), "1e-06");
  EXPECT_EQ(cl::format_number(-1), "-1");
}

// docs/cl.md holds `engram strategies --markdown` between two marker comments.
TEST(StrategyRegistry, DocsTableIsTheRegistrys) {
  std::ifstream in(std::string(ENGRAM_SOURCE_DIR) + "/docs/cl.md");
  ASSERT_TRUE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  const std::string begin =
      "<!-- strategy-table: generated by `engram strategies --markdown` -->\n";
  const std::string end = "<!-- end strategy-table -->";
  const auto b = doc.find(begin);
  const auto e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << "docs/cl.md lacks the marker " << begin;
  ASSERT_NE(e, std::string::npos) << "docs/cl.md lacks the marker " << end;
  const std::string table = doc.substr(b + begin.size(), e - b - begin.size());
  EXPECT_EQ(table, cl::format_strategy_table_markdown())
      << "regenerate it: build/engram strategies --markdown";
}

} // namespace
} // namespace engram
