#pragma once
// Validation of a results file (docs/results-schema.md) before anything reads it further: the
// plotter is handed only documents that are well-formed, so that a damaged file gives one line
// naming the file and the JSON path, never a traceback, a hang or a silent plot of garbage.

#include <string>

namespace engram::train {

// The largest task count a results file may declare (as `engram run --tasks` accepts).
constexpr long long kMaxResultTasks = 100000;

// Checks `text` (the contents of `path`) against the results schema, versions 1 and 2: the schema
// tag, every run's required fields and their types, num_tasks in [1, kMaxResultTasks], the
// accuracy matrix T' x T with T' <= T, accuracies finite in [0, 1] (or null), per-task arrays of
// the right lengths. Throws c10::Error: "results file 'p': $.runs[0].num_tasks: expected ...".
void validate_results_document(const std::string& text, const std::string& path);

} // namespace engram::train
