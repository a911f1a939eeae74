#pragma once
// Eligibility traces for linear (and tabular = one-hot) TD learners (Sutton & Barto 2nd ed.,
// ch. 12). With decay = gamma * lambda and features x of the current state:
//   accumulating  e <- decay e + x
//   replacing     e_i <- x_i where x_i != 0, decay e_i elsewhere (binary features)
//   dutch         e <- decay e + (1 - alpha decay e.x) x   (van Seijen & Sutton 2014)
// Dutch traces make linear TD(lambda) equivalent to the online lambda-return; they are the trace
// of true online TD(lambda).

#include <cstdint>
#include <string>
#include <vector>

namespace engram::rl {

enum class TraceKind { kAccumulating, kReplacing, kDutch };

std::string to_string(TraceKind kind);

// e <- trace update of `kind` for features `x`; `alpha` is used by dutch traces only.
void update_trace(std::vector<double>& e, const std::vector<double>& x, double decay, double alpha,
                  TraceKind kind);

// Throws c10::Error naming `function` and `argument` unless 0 <= value <= 1.
void check_unit_interval(double value, const char* function, const char* argument);
// Throws c10::Error unless value > 0 (and finite).
void check_positive(double value, const char* function, const char* argument);

double dot(const std::vector<double>& a, const std::vector<double>& b);

} // namespace engram::rl
