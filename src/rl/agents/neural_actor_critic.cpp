#include <engram/rl/agents/neural_actor_critic.h>

#include <engram/rl/agents/action_selection.h>
#include <engram/rl/agents/actor_critic_loss.h>
#include <engram/rl/agents/eligibility_trace.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <numeric>

namespace engram::rl {

NeuralActorCritic::NeuralActorCritic(NeuralActorCriticOptions options, EnvironmentFactory make_env)
    : options_(options), make_env_(std::move(make_env)), rng_(options.seed()) {
  const auto& o = options_;
  TORCH_CHECK(make_env_, "NeuralActorCritic: argument 'make_env' is empty");
  TORCH_CHECK(o.num_envs() > 0 && o.num_steps() > 0 && o.total_steps() > 0,
              "NeuralActorCritic: 'num_envs', 'num_steps' and 'total_steps' expected > 0, got ",
              o.num_envs(), ", ", o.num_steps(), ", ", o.total_steps());
  TORCH_CHECK(o.num_minibatches() > 0 && (o.num_envs() * o.num_steps()) % o.num_minibatches() == 0,
              "NeuralActorCritic: argument 'num_minibatches' expected to divide num_envs * "
              "num_steps = ",
              o.num_envs() * o.num_steps(), ", got ", o.num_minibatches());
  TORCH_CHECK(o.update_epochs() > 0, "NeuralActorCritic: argument 'update_epochs' expected > 0");
  check_positive(o.learning_rate(), "NeuralActorCritic", "learning_rate");
  check_unit_interval(o.gamma(), "NeuralActorCritic", "gamma");
  check_unit_interval(o.gae_lambda(), "NeuralActorCritic", "gae_lambda");
  TORCH_CHECK(o.clip_coef() >= 0, "NeuralActorCritic: argument 'clip_coef' expected >= 0, got ",
              o.clip_coef());
  TORCH_CHECK(o.solve_window() > 0, "NeuralActorCritic: argument 'solve_window' expected > 0");

  const auto probe = make_env_(o.seed());
  const Space obs_space = probe->observation_space();
  const Space act_space = probe->action_space();
  TORCH_CHECK(!obs_space.is_discrete() && act_space.is_discrete(),
              "NeuralActorCritic: expects a Box observation space and a Discrete action space, "
              "got ",
              obs_space.to_string(), " and ", act_space.to_string());
  observation_dim_ = obs_space.size();
  num_actions_ = act_space.n;
  torch::manual_seed(o.seed());
  net_ = ActorCriticNet(ActorCriticNetOptions(observation_dim_, num_actions_).hidden(o.hidden()));
  optimizer_ = std::make_unique<torch::optim::Adam>(
      net_->parameters(), torch::optim::AdamOptions(o.learning_rate()).eps(1e-5));
}

int64_t NeuralActorCritic::greedy_action(const Observation& observation) const {
  TORCH_CHECK(static_cast<int64_t>(observation.size()) == observation_dim_,
              "NeuralActorCritic::greedy_action: argument 'observation' expected ",
              observation_dim_, " values, got ", observation.size());
  std::vector<float> x(observation.begin(), observation.end());
  std::vector<float> logits(num_actions_);
  float value = 0;
  net_->infer(x.data(), logits.data(), &value);
  return std::max_element(logits.begin(), logits.end()) - logits.begin();
}

namespace {

// Sets the intra-op threads for its lifetime (n <= 0 leaves them as they are).
struct ThreadsGuard {
  int previous = at::get_num_threads();
  explicit ThreadsGuard(int64_t n) {
    if (n > 0)
      at::set_num_threads(static_cast<int>(n));
  }
  ~ThreadsGuard() { at::set_num_threads(previous); }
};

} // namespace

// The num_envs environments with their current observations, and the storage of one rollout,
// [num_steps, num_envs, ...] row-major.
struct NeuralActorCritic::Rollout {
  Rollout(int64_t n_env, int64_t T, int64_t D, int64_t A)
      : n_env(n_env), T(T), D(D), obs(n_env * D), episode_return(n_env, 0.0),
        next_done(n_env, 0.0f), b_obs(n_env * T * D), b_logprob(n_env * T), b_reward(n_env * T),
        b_done(n_env * T), b_value(n_env * T), b_adv(n_env * T), b_delta(n_env * T),
        b_action(n_env * T), logits(A), probs(A) {}

  int64_t n_env, T, D;
  std::vector<std::unique_ptr<Environment>> envs;
  std::vector<float> obs;
  std::vector<double> episode_return;
  std::vector<float> next_done;
  std::vector<float> b_obs, b_logprob, b_reward, b_done, b_value, b_adv, b_delta;
  std::vector<int64_t> b_action;
  std::vector<float> logits, probs; // scratch for one observation
};

// Finished episodes, env steps and the solve criterion: the mean return of the last
// solve_window episodes reaching solve_return.
struct NeuralActorCritic::Progress {
  explicit Progress(const NeuralActorCriticOptions& o)
      : solve_window(o.solve_window()), solve_return(o.solve_return()) {}

  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  void end_episode(double episode_return, const std::function<void(double, int64_t)>& on_episode) {
    result.episode_returns.push_back(episode_return);
    result.episode_end_step.push_back(global_step);
    if (on_episode)
      on_episode(episode_return, global_step);
    window.push_back(episode_return);
    window_sum += episode_return;
    if (static_cast<int64_t>(window.size()) > solve_window) {
      window_sum -= window.front();
      window.pop_front();
    }
    if (!solved && static_cast<int64_t>(window.size()) == solve_window &&
        window_sum / solve_window >= solve_return) {
      solved = true;
      result.solved_at_step = global_step;
      result.solved_at_seconds = elapsed();
    }
  }

  int64_t solve_window;
  double solve_return;
  NeuralActorCriticResult result;
  std::deque<double> window;
  double window_sum = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  int64_t global_step = 0;
  bool solved = false;
};

NeuralActorCriticResult
NeuralActorCritic::train(const std::function<void(double, int64_t)>& on_episode) {
  const auto& o = options_;
  ThreadsGuard threads_guard(o.num_threads());
  const int64_t num_updates = o.total_steps() / (o.num_envs() * o.num_steps());
  Rollout rollout = start_rollouts();
  Progress progress(o);
  for (int64_t update_i = 0; update_i < num_updates && !progress.solved; ++update_i) {
    const double lr = o.anneal_lr()
                          ? o.learning_rate() * (1.0 - static_cast<double>(update_i) / num_updates)
                          : o.learning_rate();
    {
      torch::NoGradGuard no_grad;
      collect_rollout(rollout, progress, on_episode);
      compute_advantages(rollout);
    }
    last_deltas_ =
        at::from_blob(rollout.b_delta.data(), {rollout.T, rollout.n_env}, at::kFloat).clone();
    if (progress.solved && o.stop_when_solved())
      break;
    learn(rollout, lr);
  }
  NeuralActorCriticResult result = std::move(progress.result);
  result.env_steps = progress.global_step;
  result.seconds = progress.elapsed();
  result.env_steps_per_second = progress.global_step / std::max(result.seconds, 1e-9);
  return result;
}

NeuralActorCritic::Rollout NeuralActorCritic::start_rollouts() {
  const auto& o = options_;
  Rollout rollout(o.num_envs(), o.num_steps(), observation_dim_, num_actions_);
  const int64_t D = observation_dim_;
  for (int64_t i = 0; i < rollout.n_env; ++i) {
    rollout.envs.push_back(make_env_(o.seed() + static_cast<uint64_t>(i)));
    const Observation x = rollout.envs[i]->reset();
    std::copy(x.begin(), x.end(), rollout.obs.begin() + i * D);
  }
  return rollout;
}

void NeuralActorCritic::collect_rollout(Rollout& rollout, Progress& progress,
                                        const std::function<void(double, int64_t)>& on_episode) {
  for (int64_t t = 0; t < rollout.T; ++t) {
    for (int64_t i = 0; i < rollout.n_env; ++i)
      step_environment(rollout, i, t * rollout.n_env + i, progress, on_episode);
  }
}

void NeuralActorCritic::step_environment(Rollout& r, int64_t i, int64_t k, Progress& progress,
                                         const std::function<void(double, int64_t)>& on_episode) {
  const int64_t D = r.D;
  const float gamma = static_cast<float>(options_.gamma());
  float* x = r.obs.data() + i * D;
  std::copy(x, x + D, r.b_obs.begin() + k * D);
  r.b_done[k] = r.next_done[i];
  float value = 0;
  net_->infer(x, r.logits.data(), &value);
  const SoftmaxSample sample = sample_softmax(r.logits.data(), num_actions_, r.probs.data(), rng_);
  r.b_action[k] = sample.action;
  r.b_logprob[k] = sample.log_probability;
  r.b_value[k] = value;

  const StepResult step = r.envs[i]->step(sample.action);
  ++progress.global_step;
  float reward = static_cast<float>(step.reward);
  r.episode_return[i] += step.reward;
  Observation next = step.observation;
  if (step.done()) {
    if (step.truncated && !step.terminated) {
      // Bootstrap through the time limit: the final state still has a value.
      std::vector<float> xf(next.begin(), next.end());
      float v_final = 0;
      net_->infer(xf.data(), r.logits.data(), &v_final);
      reward += gamma * v_final;
    }
    progress.end_episode(r.episode_return[i], on_episode);
    r.episode_return[i] = 0;
    next = r.envs[i]->reset();
  }
  r.b_reward[k] = reward;
  r.next_done[i] = step.done() ? 1.0f : 0.0f;
  std::copy(next.begin(), next.end(), r.obs.begin() + i * D);
}

void NeuralActorCritic::compute_advantages(Rollout& r) {
  const int64_t n_env = r.n_env, T = r.T;
  const float gamma = static_cast<float>(options_.gamma());
  const float lam = static_cast<float>(options_.gae_lambda());
  std::vector<float> last_gae(n_env, 0.0f);
  for (int64_t t = T - 1; t >= 0; --t) {
    for (int64_t i = 0; i < n_env; ++i) {
      const int64_t k = t * n_env + i;
      float next_value, next_nonterminal;
      if (t == T - 1) {
        net_->infer(r.obs.data() + i * r.D, r.logits.data(), &next_value);
        next_nonterminal = 1.0f - r.next_done[i];
      } else {
        next_value = r.b_value[k + n_env];
        next_nonterminal = 1.0f - r.b_done[k + n_env];
      }
      const float delta = r.b_reward[k] + gamma * next_value * next_nonterminal - r.b_value[k];
      r.b_delta[k] = delta;
      last_gae[i] = delta + gamma * lam * next_nonterminal * last_gae[i];
      r.b_adv[k] = last_gae[i];
    }
  }
}

void NeuralActorCritic::learn(Rollout& r, double lr) {
  const int64_t batch = r.n_env * r.T;
  const auto f = at::TensorOptions().dtype(at::kFloat);
  const at::Tensor t_obs = at::from_blob(r.b_obs.data(), {batch, r.D}, f);
  const at::Tensor t_act = at::from_blob(r.b_action.data(), {batch}, at::kLong);
  const at::Tensor t_logp = at::from_blob(r.b_logprob.data(), {batch}, f);
  const at::Tensor t_adv = at::from_blob(r.b_adv.data(), {batch}, f);
  const at::Tensor t_val = at::from_blob(r.b_value.data(), {batch}, f);
  const at::Tensor t_ret = t_adv + t_val;
  update(t_obs, t_act, t_logp, t_adv, t_ret, t_val, lr);
}

void NeuralActorCritic::update(const at::Tensor& obs, const at::Tensor& actions,
                               const at::Tensor& logprobs, const at::Tensor& advantages,
                               const at::Tensor& returns, const at::Tensor& values, double lr) {
  const auto& o = options_;
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  }
  const int64_t batch = obs.size(0);
  const int64_t mb_size = batch / o.num_minibatches();
  std::vector<int64_t> order(batch);
  std::iota(order.begin(), order.end(), 0);
  ActorCriticLossOptions loss_options;
  loss_options.clip_coef = o.clip_coef();
  loss_options.clip_value_loss = o.clip_value_loss();
  loss_options.normalize_advantages = o.normalize_advantages();
  loss_options.entropy_coef = o.entropy_coef();
  loss_options.value_coef = o.value_coef();
  for (int64_t epoch = 0; epoch < o.update_epochs(); ++epoch) {
    std::shuffle(order.begin(), order.end(), rng_);
    for (int64_t start = 0; start < batch; start += mb_size) {
      const at::Tensor idx = at::from_blob(order.data() + start, {mb_size}, at::kLong).clone();
      const ActorCriticMinibatch mb{obs.index_select(0, idx),      actions.index_select(0, idx),
                                    logprobs.index_select(0, idx), advantages.index_select(0, idx),
                                    returns.index_select(0, idx),  values.index_select(0, idx)};
      if (o.fused_update()) {
        actor_critic_loss_backward(*net_, mb, loss_options); // writes every parameter's .grad
      } else {
        const at::Tensor loss = actor_critic_loss(*net_, mb, loss_options);
        optimizer_->zero_grad();
        loss.backward();
      }
      torch::nn::utils::clip_grad_norm_(net_->parameters(), o.max_grad_norm());
      optimizer_->step();
    }
  }
}

} // namespace engram::rl
