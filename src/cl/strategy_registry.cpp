#include <engram/cl/strategy_registry.h>
#include <engram/core/join.h>

#include <c10/util/Exception.h>

#include <cmath>
#include <map>
#include <sstream>

namespace engram::cl {

namespace {

// Every registered strategy, by name. A function-local static, so that it exists before the
// first registration whatever the order in which the library's files are initialised.
std::map<std::string, StrategyInfo>& registry() {
  static std::map<std::string, StrategyInfo> strategies;
  return strategies;
}

// Integer option values must be exactly representable as doubles.
constexpr double kLargestInteger = 9007199254740992.0; // 2^53

std::string expected_text(const OptionInfo& option) {
  return option_expected_text(option);
}

std::string default_text(const OptionInfo& o) {
  return o.kind == OptionKind::kChoice ? OptionValue{o.kind, o.default_value, o.choices}.to_string()
                                       : format_number(o.default_value);
}

std::string kind_and_range(const OptionInfo& o) {
  return o.kind == OptionKind::kChoice ? option_expected_text(o)
                                       : to_string(o.kind) + " " + o.range.to_string();
}

const OptionInfo& checked_option(const StrategyInfo& info, const std::string& option) {
  const OptionInfo* o = info.find_option(option);
  if (o == nullptr) {
    const std::string valid =
        info.options.empty() ? "it has none" : "options: " + join(info.option_names());
    TORCH_CHECK(false, "strategy '", info.name, "': no option '", option, "' (", valid, ")");
  }
  return *o;
}

std::string describe_option(const OptionInfo& o) {
  return "`" + o.name + "` (" + default_text(o) + "; " + kind_and_range(o) + ")";
}

} // namespace

const OptionInfo* StrategyInfo::find_option(const std::string& option) const {
  for (const auto& o : options)
    if (o.name == option)
      return &o;
  return nullptr;
}

std::vector<std::string> StrategyInfo::option_names() const {
  std::vector<std::string> names;
  for (const auto& o : options)
    names.push_back(o.name);
  return names;
}

void register_strategy(StrategyInfo info) {
  TORCH_CHECK(!info.name.empty() && info.make && info.values,
              "register_strategy: a strategy needs a name, a make and a values function");
  TORCH_CHECK(registry().count(info.name) == 0, "register_strategy: strategy '", info.name,
              "' is registered twice");
  for (const auto& o : info.options)
    TORCH_CHECK(option_value_error(o, o.default_value).empty(), "register_strategy: strategy '",
                info.name, "': the default of option '", o.name, "' ",
                option_value_error(o, o.default_value));
  std::string name = info.name;
  registry().emplace(std::move(name), std::move(info));
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& kv : registry())
    names.push_back(kv.first);
  return names;
}

const StrategyInfo* find_strategy(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

const StrategyInfo& strategy_info(const std::string& name) {
  const StrategyInfo* info = find_strategy(name);
  TORCH_CHECK(info != nullptr, "unknown strategy '", name,
              "' (expected one of: ", join(strategy_names()), ")");
  return *info;
}

std::string option_expected_text(const OptionInfo& option) {
  if (option.kind == OptionKind::kChoice)
    return "one of: " + join(option.choices);
  return std::string(option.kind == OptionKind::kInteger ? "an integer " : "a number ") +
         option.range.to_string();
}

int64_t find_choice(const OptionInfo& option, const std::string& name) {
  for (size_t i = 0; i < option.choices.size(); ++i)
    if (option.choices[i] == name)
      return static_cast<int64_t>(i);
  return -1;
}

std::string option_value_error(const OptionInfo& option, double value) {
  bool ok = option.range.contains(value);
  if (option.kind == OptionKind::kInteger || option.kind == OptionKind::kChoice)
    ok = ok && value == std::trunc(value) && std::fabs(value) <= kLargestInteger;
  return ok ? "" : "expected " + expected_text(option) + ", got " + format_number(value);
}

void check_strategy_option(const std::string& strategy, const std::string& option, double value) {
  const StrategyInfo& info = strategy_info(strategy);
  const std::string error = option_value_error(checked_option(info, option), value);
  TORCH_CHECK(error.empty(), "strategy '", strategy, "': option '", option, "' ", error);
}

void parse_strategy_option(const std::string& strategy, const std::string& text,
                           OptionOverrides& out) {
  const auto eq = text.find('=');
  TORCH_CHECK(eq != std::string::npos && eq > 0, "strategy '", strategy,
              "': expected option=value, got '", text, "'");
  const std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  const OptionInfo& option = checked_option(strategy_info(strategy), key);
  if (option.kind == OptionKind::kChoice) {
    const int64_t index = find_choice(option, value);
    TORCH_CHECK(index >= 0, "strategy '", strategy, "': option '", key, "' expected ",
                expected_text(option), ", got '", value, "'");
    out[key] = static_cast<double>(index);
    return;
  }
  double v = 0;
  bool parsed = false;
  try {
    size_t used = 0;
    v = std::stod(value, &used);
    parsed = used == value.size();
  } catch (const std::exception&) {
  }
  TORCH_CHECK(parsed, "strategy '", strategy, "': option '", key, "' expected ",
              expected_text(option), ", got '", value, "'");
  check_strategy_option(strategy, key, v);
  out[key] = v;
}

OptionValues resolve_strategy_options(const std::string& name, const OptionOverrides& overrides) {
  const StrategyInfo& info = strategy_info(name);
  for (const auto& kv : overrides)
    check_strategy_option(name, kv.first, kv.second);
  OptionValues values;
  for (const auto& o : info.options) {
    auto it = overrides.find(o.name);
    values[o.name] =
        OptionValue{o.kind, it == overrides.end() ? o.default_value : it->second, o.choices};
  }
  return values;
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const OptionOverrides& overrides,
                                        uint64_t seed) {
  resolve_strategy_options(name, overrides); // checks every override
  return strategy_info(name).make(overrides, seed);
}

OptionValues Strategy::hyperparameters() const {
  const StrategyInfo* info = find_strategy(name());
  return info == nullptr ? OptionValues{} : info->values(*this);
}

std::string format_strategy_table_markdown() {
  std::ostringstream s;
  s << "| `--strategy` | what it does | options (default; kind and range) |\n|---|---|---|\n";
  for (const auto& kv : registry()) {
    const StrategyInfo& info = kv.second;
    std::vector<std::string> options;
    for (const auto& o : info.options)
      options.push_back(describe_option(o));
    s << "| `" << info.name << "` | " << info.summary << " | "
      << (options.empty() ? "—" : join(options)) << " |\n";
  }
  return s.str();
}

std::string format_strategy_list() {
  std::ostringstream s;
  for (const auto& kv : registry()) {
    const StrategyInfo& info = kv.second;
    s << info.name << "\n  " << info.summary << "\n";
    for (const auto& o : info.options)
      s << "  " << o.name << " = " << default_text(o) << "  (" << kind_and_range(o) << ")\n";
  }
  return s.str();
}

} // namespace engram::cl
