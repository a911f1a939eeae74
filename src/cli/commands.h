#pragma once
// Each `engram` subcommand lives in its own file and registers itself on the root app here.

namespace CLI {
class App;
}

namespace engram::cli {

void add_info_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_plot_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_strategies_command(CLI::App& app);
void add_learning_rules_command(CLI::App& app);

} // namespace engram::cli
