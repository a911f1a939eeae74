#pragma once
// Each `engram` subcommand lives in its own file and registers itself on the root app here.

namespace CLI {
class App;
}

namespace engram::cli {

void add_info_command(CLI::App& app);

} // namespace engram::cli
