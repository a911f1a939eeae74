#include <engram/rl/agents/td_lambda.h>

#include <c10/util/Exception.h>

namespace engram::rl {

LinearTDBase::LinearTDBase(TDLambdaOptions options, const char* name)
    : options_(options), name_(name) {
  TORCH_CHECK(options_.num_features() > 0, name_, ": argument 'num_features' expected > 0, got ",
              options_.num_features());
  check_positive(options_.alpha(), name_, "alpha");
  check_unit_interval(options_.gamma(), name_, "gamma");
  check_unit_interval(options_.lambda(), name_, "lambda");
  w_.assign(options_.num_features(), 0.0);
  e_.assign(options_.num_features(), 0.0);
}

void LinearTDBase::check_features(const std::vector<double>& x, const char* argument) const {
  TORCH_CHECK(static_cast<int64_t>(x.size()) == options_.num_features(), name_,
              "::update: argument '", argument, "' expected ", options_.num_features(),
              " features, got ", x.size());
}

double LinearTDBase::value(const std::vector<double>& x) const {
  check_features(x, "x");
  return dot(w_, x);
}

LinearTDBase::TDError LinearTDBase::td_error(const std::vector<double>& x, double reward,
                                             const std::vector<double>& x_next,
                                             bool terminal) const {
  check_features(x, "x");
  if (!terminal)
    check_features(x_next, "x_next");
  const double v = dot(w_, x);
  const double v_next = terminal ? 0.0 : dot(w_, x_next);
  const double delta = reward + options_.gamma() * v_next - v;
  return {v, v_next, delta};
}

LinearTDLambda::LinearTDLambda(TDLambdaOptions options) : LinearTDBase(options, "LinearTDLambda") {}

void LinearTDLambda::begin_episode() {
  std::fill(e_.begin(), e_.end(), 0.0);
}

double LinearTDLambda::update(const std::vector<double>& x, double reward,
                              const std::vector<double>& x_next, bool terminal) {
  const double delta = td_error(x, reward, x_next, terminal).delta;
  const double alpha = options_.alpha();
  update_trace(e_, x, options_.gamma() * options_.lambda(), alpha, options_.trace());
  for (size_t i = 0; i < w_.size(); ++i)
    w_[i] += alpha * delta * e_[i];
  last_delta_ = delta;
  return delta;
}

TabularTDLambda::TabularTDLambda(TDLambdaOptions options)
    : td_(options), x_(options.num_features(), 0.0), x_next_(options.num_features(), 0.0) {}

const std::vector<double>& TabularTDLambda::one_hot(int64_t state,
                                                    std::vector<double>& buffer) const {
  TORCH_CHECK(state >= 0 && state < static_cast<int64_t>(buffer.size()),
              "TabularTDLambda: argument 'state' expected in [0, ", buffer.size(), "), got ",
              state);
  std::fill(buffer.begin(), buffer.end(), 0.0);
  buffer[state] = 1.0;
  return buffer;
}

double TabularTDLambda::value(int64_t state) const {
  TORCH_CHECK(state >= 0 && state < static_cast<int64_t>(x_.size()),
              "TabularTDLambda::value: argument 'state' expected in [0, ", x_.size(), "), got ",
              state);
  return td_.weights()[state];
}

double TabularTDLambda::update(int64_t state, double reward, int64_t next_state, bool terminal) {
  one_hot(state, x_);
  if (!terminal) {
    one_hot(next_state, x_next_);
  }
  return td_.update(x_, reward, x_next_, terminal);
}

} // namespace engram::rl
