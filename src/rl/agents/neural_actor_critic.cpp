#include <engram/rl/agents/neural_actor_critic.h>

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

NeuralActorCriticResult
NeuralActorCritic::train(const std::function<void(double, int64_t)>& on_episode) {
  const auto& o = options_;
  struct ThreadsGuard {
    int previous = at::get_num_threads();
    explicit ThreadsGuard(int64_t n) {
      if (n > 0)
        at::set_num_threads(static_cast<int>(n));
    }
    ~ThreadsGuard() { at::set_num_threads(previous); }
  } threads_guard(o.num_threads());
  const int64_t n_env = o.num_envs(), T = o.num_steps(), D = observation_dim_, A = num_actions_;
  const int64_t batch = n_env * T;
  const int64_t num_updates = o.total_steps() / batch;
  const float gamma = static_cast<float>(o.gamma());
  const float lam = static_cast<float>(o.gae_lambda());

  std::vector<std::unique_ptr<Environment>> envs;
  std::vector<float> obs(n_env * D);
  std::vector<double> episode_return(n_env, 0.0);
  for (int64_t i = 0; i < n_env; ++i) {
    envs.push_back(make_env_(o.seed() + static_cast<uint64_t>(i)));
    const Observation x = envs[i]->reset();
    std::copy(x.begin(), x.end(), obs.begin() + i * D);
  }
  std::vector<float> next_done(n_env, 0.0f);

  // Rollout storage, [T, n_env, ...] row-major.
  std::vector<float> b_obs(batch * D), b_logprob(batch), b_reward(batch), b_done(batch),
      b_value(batch), b_adv(batch), b_delta(batch);
  std::vector<int64_t> b_action(batch);
  std::vector<float> logits(A), probs(A);
  float value = 0;

  NeuralActorCriticResult result;
  std::deque<double> window;
  double window_sum = 0;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  int64_t global_step = 0;
  bool solved = false;

  for (int64_t update_i = 0; update_i < num_updates && !solved; ++update_i) {
    const double lr = o.anneal_lr()
                          ? o.learning_rate() * (1.0 - static_cast<double>(update_i) / num_updates)
                          : o.learning_rate();
    {
      torch::NoGradGuard no_grad;
      for (int64_t t = 0; t < T; ++t) {
        for (int64_t i = 0; i < n_env; ++i) {
          const int64_t k = t * n_env + i;
          float* x = obs.data() + i * D;
          std::copy(x, x + D, b_obs.begin() + k * D);
          b_done[k] = next_done[i];
          net_->infer(x, logits.data(), &value);
          const float m = *std::max_element(logits.begin(), logits.end());
          float z = 0;
          for (int64_t a = 0; a < A; ++a)
            z += (probs[a] = std::exp(logits[a] - m));
          float u = std::uniform_real_distribution<float>(0.0f, z)(rng_);
          int64_t action = A - 1;
          for (int64_t a = 0; a < A - 1; ++a) {
            if ((u -= probs[a]) < 0) {
              action = a;
              break;
            }
          }
          b_action[k] = action;
          b_logprob[k] = logits[action] - m - std::log(z);
          b_value[k] = value;

          const StepResult r = envs[i]->step(action);
          ++global_step;
          float reward = static_cast<float>(r.reward);
          episode_return[i] += r.reward;
          Observation next = r.observation;
          if (r.done()) {
            if (r.truncated && !r.terminated) {
              // Bootstrap through the time limit: the final state still has a value.
              std::vector<float> xf(next.begin(), next.end());
              float v_final = 0;
              net_->infer(xf.data(), logits.data(), &v_final);
              reward += gamma * v_final;
            }
            result.episode_returns.push_back(episode_return[i]);
            result.episode_end_step.push_back(global_step);
            if (on_episode)
              on_episode(episode_return[i], global_step);
            window.push_back(episode_return[i]);
            window_sum += episode_return[i];
            if (static_cast<int64_t>(window.size()) > o.solve_window()) {
              window_sum -= window.front();
              window.pop_front();
            }
            if (!solved && static_cast<int64_t>(window.size()) == o.solve_window() &&
                window_sum / o.solve_window() >= o.solve_return()) {
              solved = true;
              result.solved_at_step = global_step;
              result.solved_at_seconds = elapsed();
            }
            episode_return[i] = 0;
            next = envs[i]->reset();
          }
          b_reward[k] = reward;
          next_done[i] = r.done() ? 1.0f : 0.0f;
          std::copy(next.begin(), next.end(), obs.begin() + i * D);
        }
      }
      // GAE(lambda) over the rollout from the one-step TD errors.
      std::vector<float> last_gae(n_env, 0.0f);
      for (int64_t t = T - 1; t >= 0; --t) {
        for (int64_t i = 0; i < n_env; ++i) {
          const int64_t k = t * n_env + i;
          float next_value, next_nonterminal;
          if (t == T - 1) {
            net_->infer(obs.data() + i * D, logits.data(), &next_value);
            next_nonterminal = 1.0f - next_done[i];
          } else {
            next_value = b_value[k + n_env];
            next_nonterminal = 1.0f - b_done[k + n_env];
          }
          const float delta = b_reward[k] + gamma * next_value * next_nonterminal - b_value[k];
          b_delta[k] = delta;
          last_gae[i] = delta + gamma * lam * next_nonterminal * last_gae[i];
          b_adv[k] = last_gae[i];
        }
      }
    }
    last_deltas_ = at::from_blob(b_delta.data(), {T, n_env}, at::kFloat).clone();
    if (solved && o.stop_when_solved())
      break;

    const auto f = at::TensorOptions().dtype(at::kFloat);
    const at::Tensor t_obs = at::from_blob(b_obs.data(), {batch, D}, f);
    const at::Tensor t_act = at::from_blob(b_action.data(), {batch}, at::kLong);
    const at::Tensor t_logp = at::from_blob(b_logprob.data(), {batch}, f);
    const at::Tensor t_adv = at::from_blob(b_adv.data(), {batch}, f);
    const at::Tensor t_val = at::from_blob(b_value.data(), {batch}, f);
    const at::Tensor t_ret = t_adv + t_val;
    update(t_obs, t_act, t_logp, t_adv, t_ret, t_val, lr);
  }
  result.env_steps = global_step;
  result.seconds = elapsed();
  result.env_steps_per_second = global_step / std::max(result.seconds, 1e-9);
  return result;
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
