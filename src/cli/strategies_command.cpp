// `engram strategies`: the registered continual-learning strategies with their options (default,
// kind, range); --markdown prints the table of docs/cl.md, --names one name a line.
#include <engram/cli/commands.h>

#include <engram/cl/strategy_registry.h>

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace engram::cli {

void add_strategies_command(CLI::App& app) {
  auto markdown = std::make_shared<bool>(false);
  auto names = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "strategies", "List the continual-learning strategies and their options (default, range)");
  cmd->add_flag("--markdown", *markdown, "The Markdown table of docs/cl.md");
  cmd->add_flag("--names", *names, "One name a line");
  cmd->callback([markdown, names] {
    if (*names) {
      for (const auto& name : cl::strategy_names())
        std::cout << name << "\n";
    } else if (*markdown) {
      std::cout << cl::format_strategy_table_markdown();
    } else {
      std::cout << cl::format_strategy_list();
    }
  });
}

} // namespace engram::cli
