#include <engram/rl/agents/actor_critic_loss.h>
#include <engram/rl/agents/actor_critic_net.h>
#include <engram/rl/agents/neural_actor_critic.h>
#include <engram/rl/environments/cart_pole.h>
#include <engram/rl/environments/random_walk.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <support/error_message.h>
#include <torch/serialize.h>

#include <numeric>
#include <sstream>

using namespace engram::rl;
using ::testing::HasSubstr;

namespace {

std::unique_ptr<Environment> make_cart_pole(uint64_t seed) {
  return std::make_unique<CartPole>(CartPoleOptions{500}, seed);
}

ActorCriticMinibatch random_minibatch(int64_t B) {
  ActorCriticMinibatch b;
  b.observations = at::randn({B, 4});
  b.actions = at::randint(0, 2, {B}, at::kLong);
  // Old log-probs around log(1/2) with a spread so that ratios fall on both sides of the clip.
  b.old_log_probs = std::log(0.5) + 0.4 * at::randn({B});
  b.advantages = at::randn({B});
  b.returns = at::randn({B});
  b.old_values = at::randn({B}) * 0.3;
  return b;
}

} // namespace

TEST(ActorCriticNet, FastInferenceMatchesTheModuleForward) {
  torch::manual_seed(0);
  ActorCriticNet net(ActorCriticNetOptions(4, 3).hidden(32));
  const at::Tensor x = at::randn({5, 4});
  auto [logits, values] = net->forward(x);
  for (int64_t i = 0; i < 5; ++i) {
    float l[3], v;
    net->infer(x[i].contiguous().data_ptr<float>(), l, &v);
    for (int a = 0; a < 3; ++a)
      EXPECT_NEAR(l[a], logits[i][a].item<float>(), 1e-5);
    EXPECT_NEAR(v, values[i].item<float>(), 1e-5);
  }
  std::ostringstream os;
  net->pretty_print(os);
  EXPECT_THAT(os.str(), HasSubstr("ActorCriticNet(observation_dim=4, num_actions=3, hidden=32)"));
}

TEST(ActorCriticLoss, HandWrittenBackwardMatchesAutograd) {
  for (const double clip : {0.2, 0.0}) {
    torch::manual_seed(1);
    ActorCriticNet net(ActorCriticNetOptions(4, 2).hidden(16));
    // Move the policy away from uniform so that entropy and ratio gradients are non-trivial.
    {
      at::NoGradGuard g;
      for (auto& p : net->parameters())
        p.add_(0.3 * at::randn_like(p));
    }
    const ActorCriticMinibatch b = random_minibatch(64);
    ActorCriticLossOptions o;
    o.clip_coef = clip;
    o.entropy_coef = 0.05;
    const at::Tensor loss = actor_critic_loss(*net, b, o);
    net->zero_grad();
    loss.backward();
    std::vector<at::Tensor> reference;
    for (const auto& p : net->parameters())
      reference.push_back(p.grad().clone());
    const double fused = actor_critic_loss_backward(*net, b, o);
    EXPECT_NEAR(fused, loss.item<double>(), 1e-4) << clip;
    const auto params = net->parameters();
    for (size_t k = 0; k < params.size(); ++k) {
      const double scale = reference[k].abs().max().item<double>() + 1e-6;
      EXPECT_LT((params[k].grad() - reference[k]).abs().max().item<double>() / scale, 1e-3)
          << "parameter " << k << " clip " << clip;
    }
  }
}

TEST(NeuralActorCritic, LearnsCartPoleAndExposesDelta) {
  NeuralActorCritic agent(NeuralActorCriticOptions().total_steps(40960).seed(3), make_cart_pole);
  const auto r = agent.train();
  ASSERT_GT(r.episode_returns.size(), 40u);
  const auto& g = r.episode_returns;
  const double first = std::accumulate(g.begin(), g.begin() + 20, 0.0) / 20;
  const double last = std::accumulate(g.end() - 20, g.end(), 0.0) / 20;
  EXPECT_LT(first, 40.0); // a random policy balances ~22 steps
  EXPECT_GT(last, 150.0);
  EXPECT_EQ(r.env_steps, 40960);
  const at::Tensor& d = agent.last_deltas();
  ASSERT_EQ(d.sizes(), (at::IntArrayRef{128, 4}));
  EXPECT_TRUE(d.isfinite().all().item<bool>());
  EXPECT_GT(d.abs().sum().item<double>(), 0.0);
}

TEST(NeuralActorCritic, SeededRunsGiveIdenticalReturns) {
  auto run = [](uint64_t seed) {
    NeuralActorCritic agent(NeuralActorCriticOptions().total_steps(4096).seed(seed),
                            make_cart_pole);
    return agent.train().episode_returns;
  };
  const auto a = run(5), b = run(5), c = run(6);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(NeuralActorCritic, BadConfigurationsAreNamedErrors) {
  using engram::testing::error_of;
  EXPECT_THAT(
      error_of([] { NeuralActorCritic a(NeuralActorCriticOptions().gamma(1.5), make_cart_pole); }),
      HasSubstr("argument 'gamma' expected in [0, 1], got 1.5"));
  EXPECT_THAT(error_of([] {
                NeuralActorCritic a(NeuralActorCriticOptions().gae_lambda(-0.5), make_cart_pole);
              }),
              HasSubstr("argument 'gae_lambda'"));
  EXPECT_THAT(error_of([] {
                NeuralActorCritic a(NeuralActorCriticOptions(), [](uint64_t s) {
                  return std::make_unique<RandomWalk>(RandomWalkOptions{}, s);
                });
              }),
              HasSubstr("expects a Box observation space"));
}
