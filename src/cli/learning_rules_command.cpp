// `engram learning-rules`: the registered learning rules (per-layer and model-level); --markdown
// prints the table of docs/learning-rules.md, --names one name a line.
#include <engram/cli/commands.h>

#include <engram/train/learning_rule.h>

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace engram::cli {

void add_learning_rules_command(CLI::App& app) {
  auto markdown = std::make_shared<bool>(false);
  auto names = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "learning-rules",
      "List the learning rules (backprop, feedback alignment, sign symmetry, ...) a preset's "
      "\"learning\" field or --learning may name");
  cmd->add_flag("--markdown", *markdown, "The Markdown table of docs/learning-rules.md");
  cmd->add_flag("--names", *names, "One name a line");
  cmd->callback([markdown, names] {
    if (*names) {
      for (const auto& name : learning::learning_rule_names())
        std::cout << name << "\n";
    } else if (*markdown) {
      std::cout << learning::format_learning_rule_table_markdown();
    } else {
      std::cout << learning::format_learning_rule_list();
    }
  });
}

} // namespace engram::cli
