#include <engram/train/results_schema.h>

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

namespace engram::train {

namespace {

using nlohmann::json;

std::string shown(const json& v) {
  std::string text = v.dump();
  if (text.size() > 60)
    text = text.substr(0, 57) + "...";
  return text;
}

struct Checker {
  std::string path;

  [[noreturn]] void fail(const std::string& where, const std::string& expected,
                         const json& got) const {
    TORCH_CHECK(false, "results file '", path, "': ", where, ": expected ", expected, ", got ",
                shown(got));
  }
  [[noreturn]] void missing(const std::string& where, const std::string& key) const {
    TORCH_CHECK(false, "results file '", path, "': ", where, ": missing key '", key, "'");
  }

  const json& key(const json& obj, const std::string& where, const std::string& k) const {
    auto it = obj.find(k);
    if (it == obj.end())
      missing(where, k);
    return *it;
  }
  std::string string_at(const json& obj, const std::string& where, const std::string& k) const {
    const json& v = key(obj, where, k);
    if (!v.is_string())
      fail(where + "." + k, "a string", v);
    return v.get<std::string>();
  }
  long long integer_at(const json& obj, const std::string& where, const std::string& k,
                       long long lo, long long hi) const {
    const json& v = key(obj, where, k);
    if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
      fail(where + "." + k,
           "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", v);
    return v.get<long long>();
  }
  void numbers(const json& v, const std::string& where, size_t length, bool accuracy) const {
    if (!v.is_array() || v.size() != length)
      fail(where, "an array of " + std::to_string(length) + " numbers", v);
    for (size_t i = 0; i < v.size(); ++i) {
      const json& x = v[i];
      const std::string at = where + "[" + std::to_string(i) + "]";
      if (x.is_null() && accuracy)
        continue; // an accuracy that could not be computed
      if (!x.is_number() || !std::isfinite(x.get<double>()))
        fail(at, accuracy ? "a number in [0, 1] or null" : "a finite number", x);
      if (accuracy && (x.get<double>() < 0 || x.get<double>() > 1))
        fail(at, "a number in [0, 1] or null", x);
      if (!accuracy && x.get<double>() < 0 && where.find("final_loss") == std::string::npos)
        fail(at, "a number >= 0", x);
    }
  }

  // --eval-during's points: each the accuracies on tasks 0..task.
  void eval_during(const json& e, const std::string& where, long long T) const {
    if (!e.is_object())
      fail(where, "an object", e);
    integer_at(e, where, "every", 1, 1000000000);
    const json& points = key(e, where, "points");
    if (!points.is_array())
      fail(where + ".points", "an array", points);
    for (size_t i = 0; i < points.size(); ++i) {
      const std::string at = where + ".points[" + std::to_string(i) + "]";
      if (!points[i].is_object())
        fail(at, "an object", points[i]);
      const long long task = integer_at(points[i], at, "task", 0, T - 1);
      integer_at(points[i], at, "iteration", 1, 1000000000);
      numbers(key(points[i], at, "accuracy"), at + ".accuracy", static_cast<size_t>(task + 1),
              true);
    }
  }

  void run(const json& r, const std::string& where) const {
    if (!r.is_object())
      fail(where, "an object", r);
    for (const char* k : {"benchmark", "scenario", "strategy"})
      string_at(r, where, k);
    const std::string status = string_at(r, where, "status");
    if (status != "ok" && status != "partial" && status != "skipped")
      fail(where + ".status", "ok, partial or skipped", r["status"]);
    const long long T = integer_at(r, where, "num_tasks", 1, kMaxResultTasks);
    if (auto it = r.find("tasks"); it != r.end()) {
      if (!it->is_array() || it->size() != static_cast<size_t>(T))
        fail(where + ".tasks", "an array of " + std::to_string(T) + " strings", *it);
    }
    if (r.contains("pad"))
      integer_at(r, where, "pad", 1, 1024);
    if (status == "skipped")
      return;
    if (auto it = r.find("eval_during"); it != r.end())
      eval_during(*it, where + ".eval_during", T);
    const json& matrix = key(r, where, "accuracy_matrix");
    if (!matrix.is_array() || matrix.size() > static_cast<size_t>(T))
      fail(where + ".accuracy_matrix",
           "an array of at most num_tasks = " + std::to_string(T) + " rows",
           json(std::to_string(matrix.is_array() ? matrix.size() : 0) + " rows"));
    if (status == "ok" && matrix.size() != static_cast<size_t>(T))
      fail(where + ".accuracy_matrix", std::to_string(T) + " rows for a run with status ok",
           json(std::to_string(matrix.size()) + " rows"));
    for (size_t i = 0; i < matrix.size(); ++i)
      numbers(matrix[i], where + ".accuracy_matrix[" + std::to_string(i) + "]",
              static_cast<size_t>(T), true);
    numbers(key(r, where, "random_init_accuracy"), where + ".random_init_accuracy",
            static_cast<size_t>(T), true);
    for (const char* k : {"task_seconds", "final_loss"})
      if (auto it = r.find(k); it != r.end())
        numbers(*it, where + "." + k, matrix.size(), false);
    if (auto it = r.find("metrics"); it != r.end()) {
      if (!it->is_object())
        fail(where + ".metrics", "an object", *it);
      for (auto m = it->begin(); m != it->end(); ++m)
        if (!m.value().is_null() &&
            (!m.value().is_number() || !std::isfinite(m.value().get<double>()) ||
             std::fabs(m.value().get<double>()) > 1))
          fail(where + ".metrics." + m.key(), "a number in [-1, 1] or null", m.value());
    }
  }
};

} // namespace

void validate_results_document(const std::string& text, const std::string& path) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) { // parse errors, and numbers out of range (1e400)
    std::string what = e.what();
    const auto colon = what.find("parse error");
    TORCH_CHECK(false, "results file '", path,
                "' is not valid JSON: ", colon == std::string::npos ? what : what.substr(colon));
  }
  const Checker c{path};
  if (!doc.is_object())
    c.fail("$", "a JSON object", doc);
  const std::string schema = c.string_at(doc, "$", "schema");
  if (schema != "engram.cl.results/1" && schema != "engram.cl.results/2")
    c.fail("$.schema", "engram.cl.results/1 or engram.cl.results/2", doc["schema"]);
  const json& runs = c.key(doc, "$", "runs");
  if (!runs.is_array())
    c.fail("$.runs", "an array", runs);
  for (size_t i = 0; i < runs.size(); ++i)
    c.run(runs[i], "$.runs[" + std::to_string(i) + "]");
}

} // namespace engram::train
