"""Plots the CSVs of the RL examples (Debian's python3 + matplotlib); each example's CSV and
figure sit in its own folder, examples/<folder>/<folder>.{csv,png}:
/usr/bin/python3 scripts/plot_rl.py [random_walk] examples/rl_random_walk/rl_random_walk.csv out.png
/usr/bin/python3 scripts/plot_rl.py bandit examples/rl_bandit/rl_bandit.csv out.png
/usr/bin/python3 scripts/plot_rl.py cartpole examples/rl_cartpole/rl_cartpole.csv out.png
/usr/bin/python3 scripts/plot_rl.py tmaze examples/rl_continual_tmaze/rl_continual_tmaze.csv out.png [block]
/usr/bin/python3 scripts/plot_rl.py dopamine examples/rl_dopamine/rl_dopamine.csv out.png"""
import csv
import sys
from collections import defaultdict

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def random_walk(rows):
    algos = ["td_lambda_accumulating", "true_online_td_lambda"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, algo in zip(axes, algos):
        curves = defaultdict(list)
        for r in rows:
            if r["algorithm"] == algo:
                curves[float(r["lambda"])].append((float(r["alpha"]), float(r["rms_error"])))
        for lam, pts in sorted(curves.items()):
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=f"λ={lam:g}")
        ax.set_ylim(0.2, 0.56)
        ax.set_xlabel("α")
        ax.set_title(algo.replace("_", " ") + " (19-state walk, 100 runs)")
    axes[0].set_ylabel("RMS error, first 10 episodes")
    axes[1].legend(fontsize=8)
    return fig


def bandit(rows):
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    steps = [int(r["step"]) for r in rows]
    for name in list(rows[0].keys())[1:]:
        ax.plot(steps, [float(r[name]) for r in rows], label=name.replace("_", " "))
    ax.set_xlabel("step")
    ax.set_ylabel("cumulative regret (mean over runs)")
    ax.set_title("drifting 10-armed bandit")
    ax.legend(fontsize=8)
    return fig


def cartpole(rows, window=100):
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    steps = [int(r["end_env_step"]) for r in rows]
    returns = [float(r["return"]) for r in rows]
    ax.plot(steps, returns, ".", ms=2, alpha=0.4, label="episode return")
    means = [sum(returns[max(0, i - window + 1):i + 1]) / len(returns[max(0, i - window + 1):i + 1])
             for i in range(len(returns))]
    ax.plot(steps, means, label=f"mean of last {window} episodes")
    ax.axhline(475, color="gray", ls="--", lw=1, label="solved (475)")
    ax.set_xlabel("env steps")
    ax.set_ylabel("return")
    ax.set_title("CartPole-v1, neural actor-critic")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def tmaze(rows, block):
    names = list(rows[0].keys())[1:]
    episodes = [int(r["episode"]) for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [2, 1]})
    for name in names:
        axes[0].plot(episodes, [float(r[name]) for r in rows], lw=0.8, label=name)
    for b in range(block, len(rows), block):
        axes[0].axvline(b + 0.5, color="gray", lw=0.4)
    axes[0].set_xlabel("episode (reward side switches at the grey lines)")
    axes[0].set_ylabel("fraction of seeds rewarded")
    axes[0].set_title("continual T-maze")
    # Every switch aligned: success as a function of episodes since the switch.
    for name in names:
        values = [float(r[name]) for r in rows]
        since = [sum(values[b + k] for b in range(block, len(values), block)) /
                 len(range(block, len(values), block)) for k in range(block)]
        axes[1].plot(range(1, block + 1), since, marker=".", label=name)
    axes[1].set_xlabel("episodes since the switch")
    axes[1].set_ylabel("fraction rewarded (mean over switches)")
    axes[1].set_title("re-adaptation after a switch")
    axes[1].legend(fontsize=7, loc="lower right")
    return fig


def dopamine(rows):
    trials = defaultdict(dict)
    probes = defaultdict(dict)
    for r in rows:
        (probes if r["probe"] == "1" else trials)[int(r["trial"])][int(r["time"])] = float(r["delta"])
    times = sorted(next(iter(trials.values())))
    order = sorted(trials)
    grid = [[trials[k][t] for t in times] for k in order]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    image = axes[0].imshow(grid, aspect="auto", origin="lower", cmap="RdBu_r", vmin=-1, vmax=1,
                           extent=(times[0] - 0.5, times[-1] + 0.5, order[0] - 0.5, order[-1] + 0.5))
    fig.colorbar(image, ax=axes[0], label="TD error δ")
    axes[0].set_xlabel("time step in trial (cue 5, reward 15)")
    axes[0].set_ylabel("trial")
    axes[0].set_title("δ over time × trial")
    for k in (order[0], order[len(order) // 10], order[-1]):
        axes[1].plot(times, [trials[k][t] for t in times], label=f"trial {k}")
    last_probe = max(probes)
    axes[1].plot(times, [probes[last_probe][t] for t in times], "k--",
                 label=f"reward omitted (after trial {last_probe})")
    axes[1].set_xlabel("time step in trial")
    axes[1].set_ylabel("δ")
    axes[1].set_title("burst moves from reward to cue; dip on omission")
    axes[1].legend(fontsize=8)
    return fig


args = sys.argv[1:]
kind = (args.pop(0) if args[0] in ("random_walk", "bandit", "cartpole", "tmaze", "dopamine")
        else "random_walk")
rows = read(args[0])
if kind == "tmaze":
    figure = tmaze(rows, int(args[2]) if len(args) > 2 else 50)
else:
    figure = {"random_walk": random_walk, "bandit": bandit, "cartpole": cartpole,
              "dopamine": dopamine}[kind](rows)
figure.tight_layout()
figure.savefig(args[1], dpi=110)
