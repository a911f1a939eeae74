// `engram merge a.json b.json ... --out results.json`: joins the results of the shards of one grid
// (`compare --shard i/n`), or any results files, into one results file, table and plot set.
// Shards of different grids (grid fingerprints) and a cell present twice are refused.
#include <engram/cli/cl_options.h>
#include <engram/cli/commands.h>
#include <engram/cli/results_document.h>

#include <engram/core/join.h>
#include <engram/io/atomic_file.h>
#include <engram/train/seed_summary.h>

#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

namespace engram::cli {

namespace {
struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out = "results.json";
  bool no_plot = false;
};

std::string fingerprint_of(const ResultsDocument& d) {
  if (d.doc.contains("grid") && d.doc["grid"].is_object() && d.doc["grid"].contains("fingerprint"))
    return d.doc["grid"]["fingerprint"].get<std::string>();
  return "";
}

void merge(const MergeOptions& o) {
  namespace fs = std::filesystem;
  check_output_file("--out", o.out);
  std::vector<ResultsDocument> docs;
  for (const auto& path : o.inputs)
    docs.push_back(read_results(path));
  // One grid: every input carries the same fingerprint, or none does (schema /1, `engram run`).
  const std::string fingerprint = fingerprint_of(docs.front());
  for (const auto& d : docs)
    TORCH_CHECK(fingerprint_of(d) == fingerprint, "merge: ", d.path, " is from another grid (",
                fingerprint_of(d).empty() ? std::string("no grid fingerprint")
                                          : "fingerprint " + fingerprint_of(d),
                ") than ", docs.front().path, " (",
                fingerprint.empty() ? std::string("no grid fingerprint")
                                    : "fingerprint " + fingerprint,
                ")");
  // Every cell once.
  std::map<std::string, std::string> seen; // cell id -> file
  std::vector<std::pair<std::string, nlohmann::json>> runs;
  nlohmann::json hp_search;
  for (const auto& d : docs) {
    for (const auto& run : d.doc["runs"]) {
      const std::string id = run_cell_id(run);
      const auto it = seen.find(id);
      TORCH_CHECK(it == seen.end(), "merge: cell ", id, " is in both ", it->second, " and ",
                  d.path);
      seen.emplace(id, d.path);
      runs.emplace_back(id, run);
    }
    if (hp_search.is_null() && d.doc.contains("hp_search"))
      hp_search = d.doc["hp_search"];
  }
  nlohmann::json grid;
  if (!fingerprint.empty()) {
    grid = docs.front().doc["grid"];
    grid.erase("shard");
    // The grid's canonical order, whatever the order of the shards.
    std::map<std::string, size_t> order;
    for (const auto& id : grid["cells"])
      order.emplace(id.get<std::string>(), order.size());
    std::vector<std::string> missing;
    for (const auto& kv : order)
      if (!seen.count(kv.first))
        missing.push_back(kv.first);
    for (const auto& r : runs)
      TORCH_CHECK(order.count(r.first), "merge: cell ", r.first, " of ", seen[r.first],
                  " is not in the grid");
    std::stable_sort(runs.begin(), runs.end(), [&](const auto& a, const auto& b) {
      return order.at(a.first) < order.at(b.first);
    });
    if (!missing.empty())
      std::cerr << "engram merge: " << missing.size() << " of " << order.size()
                << " cells of the grid are missing (first: " << missing.front()
                << "); merging the others\n";
  }
  nlohmann::json run_array = nlohmann::json::array();
  for (const auto& r : runs)
    run_array.push_back(r.second);
  const nlohmann::json doc = make_results_document(run_array, grid, hp_search);
  io::write_file_atomically(o.out, doc.dump(2) + "\n");
  const fs::path dir =
      fs::path(o.out).parent_path().empty() ? fs::path(".") : fs::path(o.out).parent_path();
  const std::string table = train::format_seed_table(summarize_runs(doc["runs"]));
  const std::string table_path = (dir / "table.txt").string();
  io::write_file_atomically(table_path, table);
  std::cout << "merged " << runs.size() << " runs from " << docs.size() << " file(s)\n";
  if (doc.contains("hp_search"))
    std::cout << format_hp_search(doc["hp_search"]);
  std::cout << table << "results: " << o.out << "   table: " << table_path << "\n";
  if (!o.no_plot) {
    std::string message;
    if (plot_results(o.out, dir.string(), message))
      std::cout << "plots: " << message << "\n";
    else
      std::cerr << "engram merge: no plots: " << message << "\n";
  }
}
} // namespace

void add_merge_command(CLI::App& app) {
  auto o = std::make_shared<MergeOptions>();
  auto* cmd = app.add_subcommand(
      "merge", "Join results files (the shards of `compare --shard`) into one results file, table "
               "and plots");
  cmd->add_option("results", o->inputs, "Results files (schema engram.cl.results/1 or /2)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", o->out, "Merged results JSON; table.txt and plots go beside it")
      ->capture_default_str();
  cmd->add_flag("--no-plot", o->no_plot, "Skip the PNG plots");
  cmd->callback([o] { merge(*o); });
}

} // namespace engram::cli
