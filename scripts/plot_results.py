#!/usr/bin/env python3
"""Plots of an engram results file (schema engram.cl.results/1, docs/results-schema.md).

For every completed run: a heat map of the accuracy matrix R[i][j] and the accuracy of each task
over the stream. For files with several runs, one figure with final average accuracy per
strategy and scenario as well. Needs matplotlib (Debian: python3-matplotlib).

    plot_results.py results.json [--out-dir DIR]
"""
import argparse
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def slug(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def write_atomically(fig, path):
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    os.replace(tmp, path)
    plt.close(fig)


def plot_run(run, out_dir):
    R = run["accuracy_matrix"]
    T = run["num_tasks"]
    title = f'{run["benchmark"]} {run["scenario"]}-IL, {run["strategy"]}, {run["preset"]}'
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    im = ax1.imshow([[100 * v for v in row] for row in R], vmin=0, vmax=100, cmap="viridis")
    for i, row in enumerate(R):
        for j, v in enumerate(row):
            ax1.text(j, i, f"{100 * v:.0f}", ha="center", va="center",
                     color="white" if v < 0.6 else "black", fontsize=8)
    ax1.set_xticks(range(T), [f"T{j + 1}" for j in range(T)])
    ax1.set_yticks(range(len(R)), [f"after T{i + 1}" for i in range(len(R))])
    ax1.set_xlabel("tested on")
    ax1.set_title("accuracy matrix R[i][j] (%)")
    fig.colorbar(im, ax=ax1, fraction=0.046)
    steps = list(range(1, len(R) + 1))
    for j in range(T):
        xs = [i + 1 for i in range(len(R)) if i >= j]
        ys = [100 * R[i][j] for i in range(len(R)) if i >= j]
        if xs:
            ax2.plot(xs, ys, marker="o", label=f"T{j + 1}")
    avg = [100 * sum(R[i][: i + 1]) / (i + 1) for i in range(len(R))]
    ax2.plot(steps, avg, "k--", linewidth=2, label="mean seen")
    ax2.set_xlabel("after training task")
    ax2.set_ylabel("test accuracy (%)")
    ax2.set_ylim(0, 101)
    ax2.set_xticks(steps)
    ax2.legend(fontsize=7, ncol=2)
    ax2.set_title("accuracy of each task over the stream")
    fig.suptitle(title)
    fig.subplots_adjust(wspace=0.4)
    name = slug(f'{run["scenario"]}-{run["strategy"]}-{run["preset"]}') + ".png"
    write_atomically(fig, os.path.join(out_dir, name))
    return name


def plot_summary(runs, out_dir):
    done = [r for r in runs if r.get("metrics")]
    scenarios = sorted({r["scenario"] for r in done})
    if not done:
        return None
    fig, axes = plt.subplots(1, len(scenarios), figsize=(5.5 * len(scenarios), 4), squeeze=False)
    for ax, sc in zip(axes[0], scenarios):
        rs = [r for r in done if r["scenario"] == sc]
        labels = [f'{r["strategy"]}\n{r["preset"]}' if len({x["preset"] for x in rs}) > 1 else r["strategy"]
                  for r in rs]
        accs = [100 * r["metrics"]["acc"] for r in rs]
        bars = ax.bar(range(len(rs)), accs, color="tab:blue")
        for b, a in zip(bars, accs):
            ax.text(b.get_x() + b.get_width() / 2, a + 1, f"{a:.0f}", ha="center", fontsize=7)
        ax.set_xticks(range(len(rs)), labels, rotation=45, ha="right", fontsize=8)
        ax.set_ylim(0, 105)
        ax.set_ylabel("final average accuracy (%)")
        ax.set_title(f'{rs[0]["benchmark"]}, {sc}-IL')
    write_atomically(fig, os.path.join(out_dir, "summary.png"))
    return "summary.png"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("--out-dir", default=None)
    args = ap.parse_args()
    with open(args.results) as f:
        doc = json.load(f)
    if not str(doc.get("schema", "")).startswith("engram.cl.results/"):
        sys.exit(f"plot_results.py: {args.results}: not an engram results file (schema {doc.get('schema')!r})")
    out_dir = args.out_dir or os.path.dirname(os.path.abspath(args.results))
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for run in doc["runs"]:
        if run.get("accuracy_matrix"):
            written.append(plot_run(run, out_dir))
    if len(doc["runs"]) > 1:
        s = plot_summary(doc["runs"], out_dir)
        if s:
            written.append(s)
    print(f"plot_results.py: wrote {len(written)} PNG files to {out_dir}")


if __name__ == "__main__":
    main()
