#pragma once
// Strategies by name. Each strategy registers itself in its own .cpp file, with one line that
// gives its class, its name, a summary (for --help and the table in docs/cl.md) and the valid
// range of each option of its typed options struct:
//
//   ENGRAM_REGISTER_STRATEGY(EwcStrategy, "ewc", "Kirkpatrick et al. 2017: ...",
//                            ENGRAM_STRATEGY_OPTION(lambda, OptionRange::at_least(0)),
//                            ENGRAM_STRATEGY_OPTION(fisher_samples, OptionRange::at_least(1)));
//
// The class derives from StrategyWithOptions<EwcOptions> (strategy.h) and is constructible from its
// options, or from its options and the run's seed. An option's kind follows its TORCH_ARG type:
// int64_t is an integer, double a number; a std::string registered with ENGRAM_STRATEGY_CHOICE is
// one of a list of names. Every value a preset or --hp gives is checked here, in
// one place: an unknown option, a value of the wrong kind or out of range is a one-line error
// naming the strategy, the option, the range and the value. `engram strategies` lists what is
// registered; `engram strategies --markdown` prints the table of docs/cl.md.

#include <engram/cl/strategy.h>
#include <engram/cl/strategy_option.h>

#include <c10/util/Exception.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace engram::cl {

struct OptionInfo {
  std::string name;
  OptionKind kind = OptionKind::kNumber;
  OptionRange range = OptionRange::any();
  double default_value = 0;
  std::vector<std::string> choices; // a choice option's names; its value is an index into them
};

struct StrategyInfo {
  std::string name;
  std::string summary;
  std::vector<OptionInfo> options; // in the order of the registration
  // The strategy with `values` (already checked) over its defaults.
  std::function<std::unique_ptr<Strategy>(const OptionOverrides& values, uint64_t seed)> make;
  // The options of a strategy made by `make`, by name.
  std::function<OptionValues(const Strategy& strategy)> values;

  const OptionInfo* find_option(const std::string& option) const; // nullptr when none
  std::vector<std::string> option_names() const;
};

// Adds a strategy; a second one of the same name is an error. ENGRAM_REGISTER_STRATEGY calls it.
void register_strategy(StrategyInfo info);

// The registered names, sorted.
std::vector<std::string> strategy_names();
// nullptr when `name` is no strategy.
const StrategyInfo* find_strategy(const std::string& name);
// Throws "unknown strategy 'ewk' (expected one of: agem, ewc, ...)".
const StrategyInfo& strategy_info(const std::string& name);

// Empty when `value` is valid for `option`, else why not: "expected an integer >= 1, got 0.5"; for
// a choice option "expected one of: vandeven, avalanche, got 2" (the value is the index).
std::string option_value_error(const OptionInfo& option, double value);
// What `option` accepts, in words: "an integer >= 1", "a number in [0, 1]",
// "one of: vandeven, avalanche".
std::string option_expected_text(const OptionInfo& option);
// The index of `name` among a choice option's names; -1 when it is none of them.
int64_t find_choice(const OptionInfo& option, const std::string& name);
// Throws "strategy 'ewc': option 'lambda' expected a number >= 0, got -1", or for an unknown
// option "strategy 'ewc': no option 'lamda' (options: lambda, fisher_samples)".
void check_strategy_option(const std::string& strategy, const std::string& option, double value);
// Parses "key=value" (the text of --hp) into `out`, checked as check_strategy_option does; a
// choice option's value is one of its names ("variant=avalanche"), stored as its index.
void parse_strategy_option(const std::string& strategy, const std::string& text,
                           OptionOverrides& out);
// The strategy's defaults overridden by `overrides`, every one checked.
OptionValues resolve_strategy_options(const std::string& name,
                                      const OptionOverrides& overrides = {});
// The strategy with its defaults overridden by `overrides`; unknown names, options or values out
// of range throw as above. Its hyperparameters() equal resolve_strategy_options(name, overrides).
std::unique_ptr<Strategy> make_strategy(const std::string& name,
                                        const OptionOverrides& overrides = {}, uint64_t seed = 0);

// The Markdown table of docs/cl.md: strategy, summary, options with default, kind and range.
std::string format_strategy_table_markdown();
// One paragraph per strategy, for `engram strategies`.
std::string format_strategy_list();

namespace detail {

template <typename Options>
struct OptionBinding {
  OptionInfo info;
  std::function<void(Options&, double)> set;
  std::function<double(Options&)> get;
};

template <typename Options, typename Access>
OptionBinding<Options> bind_option(const char* name, Access access, OptionRange range) {
  using T = std::remove_reference_t<decltype(access(std::declval<Options&>()))>;
  static_assert(std::is_same_v<T, int64_t> || std::is_same_v<T, double>,
                "a strategy option is an int64_t (integer) or a double (number)");
  OptionBinding<Options> b;
  b.info.name = name;
  b.info.kind = std::is_same_v<T, int64_t> ? OptionKind::kInteger : OptionKind::kNumber;
  b.info.range = range;
  b.set = [access](Options& o, double v) { access(o) = static_cast<T>(v); };
  b.get = [access](Options& o) { return static_cast<double>(access(o)); };
  return b;
}

// A choice option: a std::string TORCH_ARG that holds one of `choices`.
template <typename Options, typename Access>
OptionBinding<Options> bind_choice(const char* name, Access access,
                                   std::vector<std::string> choices) {
  using T = std::remove_reference_t<decltype(access(std::declval<Options&>()))>;
  static_assert(std::is_same_v<T, std::string>, "a choice option is a std::string");
  OptionBinding<Options> b;
  b.info.name = name;
  b.info.kind = OptionKind::kChoice;
  b.info.range = OptionRange::half_open(0, static_cast<double>(choices.size()));
  b.info.choices = choices;
  b.set = [access, choices](Options& o, double v) {
    access(o) = choices.at(static_cast<size_t>(v));
  };
  b.get = [access, choices](Options& o) {
    for (size_t i = 0; i < choices.size(); ++i)
      if (choices[i] == access(o))
        return static_cast<double>(i);
    return -1.0; // not a valid choice: register_strategy and the values function refuse it
  };
  return b;
}

template <typename S, typename... Bindings>
void register_strategy_type(const char* name, const char* summary, Bindings... bindings) {
  using Options = typename S::Options;
  std::vector<OptionBinding<Options>> options{std::move(bindings)...};
  StrategyInfo info;
  info.name = name;
  info.summary = summary;
  Options defaults;
  for (auto& b : options) {
    b.info.default_value = b.get(defaults);
    info.options.push_back(b.info);
  }
  info.make = [options](const OptionOverrides& values,
                        [[maybe_unused]] uint64_t seed) -> std::unique_ptr<Strategy> {
    Options o;
    for (const auto& b : options)
      if (auto it = values.find(b.info.name); it != values.end())
        b.set(o, it->second);
    if constexpr (std::is_constructible_v<S, Options, uint64_t>)
      return std::make_unique<S>(std::move(o), seed);
    else
      return std::make_unique<S>(std::move(o));
  };
  info.values = [options, name = info.name](const Strategy& strategy) {
    const auto* s = dynamic_cast<const S*>(&strategy);
    TORCH_CHECK(s != nullptr, "strategy '", name, "': name() belongs to another class");
    Options o = s->options;
    OptionValues values;
    for (const auto& b : options) {
      const double v = b.get(o);
      TORCH_CHECK(b.info.kind != OptionKind::kChoice || v >= 0, "strategy '", name, "': option '",
                  b.info.name, "' holds none of its choices");
      values[b.info.name] = OptionValue{b.info.kind, v, b.info.choices};
    }
    return values;
  };
  register_strategy(std::move(info));
}

} // namespace detail
} // namespace engram::cl

#define ENGRAM_CL_CONCAT_INNER(a, b) a##b
#define ENGRAM_CL_CONCAT(a, b) ENGRAM_CL_CONCAT_INNER(a, b)

// Registers `StrategyType` (see the top of this file) when the library is loaded. Use it at
// namespace scope inside namespace engram::cl, once per strategy.
#define ENGRAM_REGISTER_STRATEGY(StrategyType, ...)                                                \
  namespace {                                                                                      \
  [[maybe_unused]] const bool ENGRAM_CL_CONCAT(engram_strategy_registered_, __LINE__) = [] {       \
    using Options = StrategyType::Options;                                                         \
    static_cast<void>(sizeof(Options));                                                            \
    ::engram::cl::detail::register_strategy_type<StrategyType>(__VA_ARGS__);                       \
    return true;                                                                                   \
  }();                                                                                             \
  }

// One option of the strategy's options struct, inside ENGRAM_REGISTER_STRATEGY: the TORCH_ARG
// `field` and its valid OptionRange.
#define ENGRAM_STRATEGY_OPTION(field, range)                                                       \
  ::engram::cl::detail::bind_option<Options>(                                                      \
      #field, [](Options & o) -> auto& { return o.field(); }, range)

// A choice option (a std::string TORCH_ARG `field`) inside ENGRAM_REGISTER_STRATEGY, with its
// names: ENGRAM_STRATEGY_CHOICE(variant, "vandeven", "avalanche").
#define ENGRAM_STRATEGY_CHOICE(field, ...)                                                         \
  ::engram::cl::detail::bind_choice<Options>(                                                      \
      #field, [](Options & o) -> auto& { return o.field(); },                                      \
      std::vector<std::string>{__VA_ARGS__})
