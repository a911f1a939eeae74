#pragma once
// Results files (docs/results-schema.md) as the study commands read, combine and write them:
// schema engram.cl.results/2 written, /1 and /2 read. A document holds the runs (each seed of each
// cell, with its accuracy matrix), the seed summary computed from them, and for a grid its
// fingerprint (so that shards of different grids are never merged) and any hyperparameter search.

#include <engram/train/seed_summary.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace engram::cli {

constexpr const char* kResultsSchema = "engram.cl.results/2";

struct ResultsDocument {
  std::string path;
  nlohmann::json doc; // schema /1 or /2, with a "runs" array
  int version() const;
};

// Reads and checks a results file: JSON, schema engram.cl.results/1 or /2, a "runs" array whose
// runs name scenario, strategy and preset. Errors name the file.
ResultsDocument read_results(const std::string& path);

// The identity of a run inside a grid: its "cell" id when it has one, else
// scenario-strategy-preset-s<seed> (plus "-validation" for a validation run).
std::string run_cell_id(const nlohmann::json& run);

// One run of a results file as the seed aggregation needs it.
train::SeedRun seed_run_from_json(const nlohmann::json& run);

// The runs summarised over seeds (only runs evaluated on the test set).
std::vector<train::CellSummary> summarize_runs(const nlohmann::json& runs);

// {"schema": "engram.cl.results/2", "engram_version", "created", ["grid"], ["hp_search"],
//  "runs", "summary"}: `grid` and `hp_search` are left out when null.
nlohmann::json make_results_document(const nlohmann::json& runs, const nlohmann::json& grid,
                                     const nlohmann::json& hp_search);

// The hyperparameter search of a document as printed text ("" when it has none).
std::string format_hp_search(const nlohmann::json& hp_search);

} // namespace engram::cli
