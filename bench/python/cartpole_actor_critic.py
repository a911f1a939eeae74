"""CleanRL-style PPO actor-critic on CartPole-v1 in Python/PyTorch: the baseline that engram's
C++ NeuralActorCritic (src/rl/agents/neural_actor_critic.*) is timed against.

Same algorithm and hyper-parameters as CleanRL's ppo.py (4 envs x 128 steps, GAE 0.95, 4 epochs x 4
minibatches, clip 0.2, ent 0.01, Adam 2.5e-4 annealed, eps 1e-5, grad-norm 0.5, orthogonal init),
with the one change engram also makes: time-limit truncation bootstraps from the final state's
value. CartPole is implemented here in plain Python with Gymnasium's CartPole-v1 dynamics and
termination rules (gymnasium is not installed in the venv; its step is also pure Python + math).

Usage: python cartpole_actor_critic.py [--seed 1] [--total-steps 500000] [--threads 1] [--no-stop]
Prints one JSON line: env_steps, seconds, env_steps_per_second, solved_at_step, solved_at_seconds.
"""
import argparse
import json
import math
import random
import time
from collections import deque

import torch
import torch.nn as nn
from torch.distributions.categorical import Categorical


class CartPole:
    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    total_mass = masspole + masscart
    polemass_length = masspole * length
    theta_threshold = 12 * 2 * math.pi / 360
    x_threshold = 2.4

    def __init__(self, seed, max_steps=500):
        self.rng = random.Random(seed)
        self.max_steps = max_steps

    def reset(self):
        self.state = [self.rng.uniform(-0.05, 0.05) for _ in range(4)]
        self.steps = 0
        return list(self.state)

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        costheta, sintheta = math.cos(theta), math.sin(theta)
        temp = (force + self.polemass_length * theta_dot**2 * sintheta) / self.total_mass
        thetaacc = (self.gravity * sintheta - costheta * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * costheta**2 / self.total_mass))
        xacc = temp - self.polemass_length * thetaacc * costheta / self.total_mass
        x, x_dot = x + self.tau * x_dot, x_dot + self.tau * xacc
        theta, theta_dot = theta + self.tau * theta_dot, theta_dot + self.tau * thetaacc
        self.state = [x, x_dot, theta, theta_dot]
        self.steps += 1
        terminated = (x < -self.x_threshold or x > self.x_threshold
                      or theta < -self.theta_threshold or theta > self.theta_threshold)
        truncated = not terminated and self.steps >= self.max_steps
        return list(self.state), 1.0, terminated, truncated


def layer_init(layer, std=math.sqrt(2), bias_const=0.0):
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


class Agent(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden=64):
        super().__init__()
        self.critic = nn.Sequential(
            layer_init(nn.Linear(obs_dim, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, 1), std=1.0))
        self.actor = nn.Sequential(
            layer_init(nn.Linear(obs_dim, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, n_actions), std=0.01))

    def get_value(self, x):
        return self.critic(x)

    def get_action_and_value(self, x, action=None):
        logits = self.actor(x)
        probs = Categorical(logits=logits)
        if action is None:
            action = probs.sample()
        return action, probs.log_prob(action), probs.entropy(), self.critic(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--total-steps", type=int, default=500000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-stop", action="store_true", help="train for exactly --total-steps")
    a = p.parse_args()
    num_envs, num_steps, lr0, gamma, gae_lambda = 4, 128, 2.5e-4, 0.99, 0.95
    num_minibatches, update_epochs, clip_coef, ent_coef, vf_coef, max_grad_norm = 4, 4, 0.2, 0.01, 0.5, 0.5
    batch_size = num_envs * num_steps
    minibatch_size = batch_size // num_minibatches
    num_updates = a.total_steps // batch_size

    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    torch.manual_seed(a.seed)
    envs = [CartPole(a.seed + i) for i in range(num_envs)]
    agent = Agent(4, 2)
    optimizer = torch.optim.Adam(agent.parameters(), lr=lr0, eps=1e-5)

    obs = torch.zeros((num_steps, num_envs, 4))
    actions = torch.zeros((num_steps, num_envs), dtype=torch.long)
    logprobs = torch.zeros((num_steps, num_envs))
    rewards = torch.zeros((num_steps, num_envs))
    dones = torch.zeros((num_steps, num_envs))
    values = torch.zeros((num_steps, num_envs))

    next_obs = torch.tensor([e.reset() for e in envs], dtype=torch.float32)
    next_done = torch.zeros(num_envs)
    ep_ret = [0.0] * num_envs
    window = deque(maxlen=100)
    global_step, solved_at, solved_time = 0, -1, -1.0
    start = time.perf_counter()
    for update in range(1, num_updates + 1):
        frac = 1.0 - (update - 1.0) / num_updates
        optimizer.param_groups[0]["lr"] = frac * lr0
        for step in range(num_steps):
            global_step += num_envs
            obs[step] = next_obs
            dones[step] = next_done
            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(next_obs)
                values[step] = value.flatten()
            actions[step] = action
            logprobs[step] = logprob
            new_obs, rew, done = [], [], []
            for i, e in enumerate(envs):
                o, r, term, trunc = e.step(int(action[i]))
                ep_ret[i] += r
                if term or trunc:
                    if trunc and not term:
                        with torch.no_grad():
                            r += gamma * float(agent.get_value(torch.tensor([o], dtype=torch.float32)))
                    window.append(ep_ret[i])
                    if solved_at < 0 and len(window) == 100 and sum(window) / 100 >= 475:
                        solved_at, solved_time = global_step, time.perf_counter() - start
                    ep_ret[i] = 0.0
                    o = e.reset()
                new_obs.append(o)
                rew.append(r)
                done.append(1.0 if (term or trunc) else 0.0)
            rewards[step] = torch.tensor(rew)
            next_obs = torch.tensor(new_obs, dtype=torch.float32)
            next_done = torch.tensor(done)
        if solved_at >= 0 and not a.no_stop:
            break
        with torch.no_grad():
            next_value = agent.get_value(next_obs).reshape(1, -1)
            advantages = torch.zeros_like(rewards)
            lastgaelam = 0
            for t in reversed(range(num_steps)):
                if t == num_steps - 1:
                    nextnonterminal = 1.0 - next_done
                    nextvalues = next_value
                else:
                    nextnonterminal = 1.0 - dones[t + 1]
                    nextvalues = values[t + 1]
                delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
                advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
            returns = advantages + values
        b_obs, b_logprobs, b_actions = obs.reshape(-1, 4), logprobs.reshape(-1), actions.reshape(-1)
        b_advantages, b_returns, b_values = advantages.reshape(-1), returns.reshape(-1), values.reshape(-1)
        for epoch in range(update_epochs):
            b_inds = torch.randperm(batch_size)
            for s in range(0, batch_size, minibatch_size):
                mb = b_inds[s:s + minibatch_size]
                _, newlogprob, entropy, newvalue = agent.get_action_and_value(b_obs[mb], b_actions[mb])
                ratio = (newlogprob - b_logprobs[mb]).exp()
                mb_adv = b_advantages[mb]
                mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
                pg_loss = torch.max(-mb_adv * ratio, -mb_adv * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)).mean()
                newvalue = newvalue.view(-1)
                v_unclipped = (newvalue - b_returns[mb]) ** 2
                v_clipped = b_values[mb] + torch.clamp(newvalue - b_values[mb], -clip_coef, clip_coef)
                v_loss = 0.5 * torch.max(v_unclipped, (v_clipped - b_returns[mb]) ** 2).mean()
                loss = pg_loss - ent_coef * entropy.mean() + v_loss * vf_coef
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), max_grad_norm)
                optimizer.step()
    seconds = time.perf_counter() - start
    print(json.dumps({"impl": "python-pytorch", "torch": torch.__version__, "seed": a.seed,
                      "env_steps": global_step, "seconds": round(seconds, 3),
                      "env_steps_per_second": round(global_step / seconds, 1),
                      "solved_at_step": solved_at, "solved_at_seconds": round(solved_time, 3)}))


if __name__ == "__main__":
    main()
