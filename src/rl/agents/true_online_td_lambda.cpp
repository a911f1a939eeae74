#include <engram/rl/agents/true_online_td_lambda.h>

#include <c10/util/Exception.h>

namespace engram::rl {

TrueOnlineTDLambda::TrueOnlineTDLambda(TDLambdaOptions options) : options_(options) {
  TORCH_CHECK(options_.num_features() > 0,
              "TrueOnlineTDLambda: argument 'num_features' expected > 0, got ",
              options_.num_features());
  check_positive(options_.alpha(), "TrueOnlineTDLambda", "alpha");
  check_unit_interval(options_.gamma(), "TrueOnlineTDLambda", "gamma");
  check_unit_interval(options_.lambda(), "TrueOnlineTDLambda", "lambda");
  w_.assign(options_.num_features(), 0.0);
  e_.assign(options_.num_features(), 0.0);
}

void TrueOnlineTDLambda::begin_episode() {
  std::fill(e_.begin(), e_.end(), 0.0);
  v_old_ = 0.0;
}

void TrueOnlineTDLambda::check_features(const std::vector<double>& x, const char* argument) const {
  TORCH_CHECK(static_cast<int64_t>(x.size()) == options_.num_features(),
              "TrueOnlineTDLambda::update: argument '", argument, "' expected ",
              options_.num_features(), " features, got ", x.size());
}

double TrueOnlineTDLambda::value(const std::vector<double>& x) const {
  check_features(x, "x");
  return dot(w_, x);
}

double TrueOnlineTDLambda::update(const std::vector<double>& x, double reward,
                                  const std::vector<double>& x_next, bool terminal) {
  check_features(x, "x");
  if (!terminal)
    check_features(x_next, "x_next");
  const double alpha = options_.alpha();
  const double gamma = options_.gamma();
  const double v = dot(w_, x);
  const double v_next = terminal ? 0.0 : dot(w_, x_next);
  const double delta = reward + gamma * v_next - v;
  update_trace(e_, x, gamma * options_.lambda(), alpha, TraceKind::kDutch);
  const double a = alpha * (delta + v - v_old_);
  const double b = alpha * (v - v_old_);
  for (size_t i = 0; i < w_.size(); ++i)
    w_[i] += a * e_[i] - b * x[i];
  v_old_ = v_next;
  if (terminal)
    begin_episode();
  last_delta_ = delta;
  return delta;
}

} // namespace engram::rl
