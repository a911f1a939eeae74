#pragma once
// Linear TD(lambda) state-value prediction, v(s) = w.x(s), with accumulating, replacing or dutch
// eligibility traces (Sutton & Barto 2nd ed., section 12.2). TD(0) is lambda = 0. Every update
// returns the TD error delta = r + gamma v(s') - v(s): the reward-prediction error that dopamine
// neurons are thought to signal, and the modulatory third factor for plastic layers.
// TabularTDLambda is the same learner on one-hot state features.

#include <engram/rl/agents/eligibility_trace.h>

#include <torch/arg.h>

#include <cstdint>
#include <vector>

namespace engram::rl {

/// Options for linear and tabular TD(lambda) and for true online TD(lambda).
struct TDLambdaOptions {
  explicit TDLambdaOptions(int64_t num_features) : num_features_(num_features) {}
  /// number of features of x(s), the length of w (> 0); the number of states when tabular
  TORCH_ARG(int64_t, num_features);
  /// step size (> 0)
  TORCH_ARG(double, alpha) = 0.1;
  /// discount factor, in [0, 1]
  TORCH_ARG(double, gamma) = 1.0;
  /// trace-decay parameter lambda, in [0, 1]; 0 gives TD(0)
  TORCH_ARG(double, lambda) = 0.0;
  /// kind of eligibility trace; ignored by true online TD(lambda), which uses dutch traces
  TORCH_ARG(TraceKind, trace) = TraceKind::kAccumulating;
};

// What linear TD(lambda) and true online TD(lambda) share: the options, the weights w and the
// eligibility trace e of v(s) = w.x(s), and the TD error of one step. Both learners derive from it.
class LinearTDBase {
public:
  double value(const std::vector<double>& x) const;
  double last_delta() const { return last_delta_; }
  const std::vector<double>& weights() const { return w_; }
  std::vector<double>& weights() { return w_; }
  const TDLambdaOptions& options() const { return options_; }

protected:
  // Checks the options; `name` (the learner's class) prefixes every error message.
  LinearTDBase(TDLambdaOptions options, const char* name);

  struct TDError {
    double v;      // v(x)
    double v_next; // v(x_next), 0 when terminal
    double delta;  // r + gamma v(x_next) - v(x)
  };
  // Checks the features of one step (x_next only when not terminal) and returns its TD error.
  TDError td_error(const std::vector<double>& x, double reward, const std::vector<double>& x_next,
                   bool terminal) const;
  void check_features(const std::vector<double>& x, const char* argument) const;

  TDLambdaOptions options_;
  const char* name_;
  std::vector<double> w_;
  std::vector<double> e_;
  double last_delta_ = 0.0;
};

// TD(lambda) with the trace of options.trace(): e <- trace update, w <- w + alpha delta e.
class LinearTDLambda : public LinearTDBase {
public:
  explicit LinearTDLambda(TDLambdaOptions options);

  // Clears the eligibility trace; call at the start of every episode.
  void begin_episode();
  // One step from features x (reward `reward`) to x_next; `terminal` means v(x_next) = 0.
  // Returns delta.
  double update(const std::vector<double>& x, double reward, const std::vector<double>& x_next,
                bool terminal);
  const std::vector<double>& trace() const { return e_; }
};

class TabularTDLambda {
public:
  // `options.num_features()` is the number of states.
  explicit TabularTDLambda(TDLambdaOptions options);

  void begin_episode() { td_.begin_episode(); }
  double value(int64_t state) const;
  double update(int64_t state, double reward, int64_t next_state, bool terminal);
  double last_delta() const { return td_.last_delta(); }
  const std::vector<double>& values() const { return td_.weights(); }
  std::vector<double>& values() { return td_.weights(); }
  const LinearTDLambda& linear() const { return td_; }

private:
  const std::vector<double>& one_hot(int64_t state, std::vector<double>& buffer) const;

  LinearTDLambda td_;
  std::vector<double> x_;
  std::vector<double> x_next_;
};

} // namespace engram::rl
