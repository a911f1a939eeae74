#include <engram/cli/commands.h>

#include <engram/core/build_info.h>

#include <CLI/CLI.hpp>

#include <iostream>

namespace engram::cli {

void add_info_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "info", "Print engram, LibTorch and CUDA versions, compiled kernels, devices and threads");
  cmd->callback([] { std::cout << format_build_info(build_info()); });
}

} // namespace engram::cli
