// The `engram` command-line tool.
#include <engram/cli/commands.h>

#include <engram/config.h>
#include <engram/train/host_memory.h>

#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>

#include <csignal>
#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  // Past a file-size limit (`ulimit -f`), a write then fails with EFBIG and is reported like a full
  // disk, instead of the signal killing the process mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  // Freed tensors stay in the process for the next iteration instead of going back to the system.
  engram::train::tune_host_allocator();
  CLI::App app{"engram: brain-inspired learning layers and continual-learning benchmarks"};
  app.set_version_flag("--version", std::string("engram ") + ENGRAM_VERSION_STRING);
  app.require_subcommand(1);
  engram::cli::add_info_command(app);
  engram::cli::add_run_command(app);
  engram::cli::add_compare_command(app);
  engram::cli::add_plot_command(app);
  engram::cli::add_merge_command(app);
  engram::cli::add_strategies_command(app);
  engram::cli::add_learning_rules_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const c10::Error& e) {
    std::cerr << "engram: error: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "engram: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
