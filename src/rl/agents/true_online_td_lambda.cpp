#include <engram/rl/agents/true_online_td_lambda.h>

#include <c10/util/Exception.h>

namespace engram::rl {

TrueOnlineTDLambda::TrueOnlineTDLambda(TDLambdaOptions options)
    : LinearTDBase(options, "TrueOnlineTDLambda") {}

void TrueOnlineTDLambda::begin_episode() {
  std::fill(e_.begin(), e_.end(), 0.0);
  v_old_ = 0.0;
}

double TrueOnlineTDLambda::update(const std::vector<double>& x, double reward,
                                  const std::vector<double>& x_next, bool terminal) {
  const TDError step = td_error(x, reward, x_next, terminal);
  const double alpha = options_.alpha();
  const double v = step.v;
  const double delta = step.delta;
  update_trace(e_, x, options_.gamma() * options_.lambda(), alpha, TraceKind::kDutch);
  const double a = alpha * (delta + v - v_old_);
  const double b = alpha * (v - v_old_);
  for (size_t i = 0; i < w_.size(); ++i)
    w_[i] += a * e_[i] - b * x[i];
  v_old_ = step.v_next;
  if (terminal)
    begin_episode();
  last_delta_ = delta;
  return delta;
}

} // namespace engram::rl
