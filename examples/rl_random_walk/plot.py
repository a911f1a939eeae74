"""Plots the CSV of rl_random_walk_td_lambda (Debian's python3 + matplotlib):
/usr/bin/python3 examples/rl_random_walk/plot.py rl_random_walk.csv out.png"""
import csv
import sys
from collections import defaultdict

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

rows = list(csv.DictReader(open(sys.argv[1])))
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
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
