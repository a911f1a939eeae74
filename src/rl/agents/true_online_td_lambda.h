#pragma once
// True online TD(lambda) (van Seijen & Sutton 2014; Sutton & Barto 2nd ed., section 12.5): the
// exact online equivalent of the online lambda-return algorithm for linear v(s) = w.x(s), with a
// dutch trace and the two correction terms. Per step:
//   delta = r + gamma v' - v,  e <- gamma lambda e + (1 - alpha gamma lambda e.x) x
//   w <- w + alpha (delta + v - v_old) e - alpha (v - v_old) x,  v_old <- v'
// Returns delta on every update like the other TD learners.

#include <engram/rl/agents/td_lambda.h>

namespace engram::rl {

class TrueOnlineTDLambda : public LinearTDBase {
public:
  // options.trace() is ignored: the algorithm is defined with the dutch trace.
  explicit TrueOnlineTDLambda(TDLambdaOptions options);

  void begin_episode();
  double update(const std::vector<double>& x, double reward, const std::vector<double>& x_next,
                bool terminal);

private:
  double v_old_ = 0.0;
};

} // namespace engram::rl
