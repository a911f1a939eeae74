#!/usr/bin/env python3
"""Plots of an engram results file (schema engram.cl.results/1 or /2, docs/results-schema.md).

For every cell (scenario, strategy, model) with a completed run: a heat map of the accuracy
matrix R[i][j] and the accuracy of each task over the stream, as the mean over the cell's seeds
(± sd in the curves when there are several). For files with several cells, one summary figure:
final average accuracy per strategy and model as horizontal bars with mean ± sd error bars, one
panel per scenario, readable at any number of rows. Runs evaluated on a validation split
(hyperparameter search) are not plotted. Needs matplotlib (Debian: python3-matplotlib).

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


def mean_sd(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    m = sum(values) / len(values)
    if len(values) < 2:
        return m, None
    return m, (sum((v - m) ** 2 for v in values) / (len(values) - 1)) ** 0.5


def cells_of(runs):
    """Test-set runs grouped by (scenario, strategy, preset), in the order they first appear."""
    cells = {}
    for r in runs:
        if r.get("evaluated_on", "test") != "test":
            continue
        cells.setdefault((r["scenario"], r["strategy"], r["preset"]), []).append(r)
    return cells


def plot_cell(runs, out_dir):
    done = sorted((r for r in runs if r.get("accuracy_matrix")), key=lambda r: -len(r["accuracy_matrix"]))
    R_all = [r["accuracy_matrix"] for r in done if len(r["accuracy_matrix"]) == len(done[0]["accuracy_matrix"])]
    rows = len(R_all[0])
    T = done[0]["num_tasks"]
    # Cells that --eval-every / --eval-tasks did not evaluate are null: drawn blank (NaN).
    nan = float("nan")
    R = [[(lambda v: nan if v is None else v)(mean_sd([m[i][j] for m in R_all])[0])
          for j in range(T)] for i in range(rows)]
    run = done[0]
    n = len(R_all)
    seeds = f", mean of {n} seeds" if n > 1 else ""
    title = f'{run["benchmark"]} {run["scenario"]}-IL, {run["strategy"]}, {run["preset"]}{seeds}'
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    im = ax1.imshow([[100 * v for v in row] for row in R], vmin=0, vmax=100, cmap="viridis")
    for i, row in enumerate(R):
        for j, v in enumerate(row):
            if v != v:
                continue
            ax1.text(j, i, f"{100 * v:.0f}", ha="center", va="center",
                     color="white" if v < 0.6 else "black", fontsize=8)
    ax1.set_xticks(range(T), [f"T{j + 1}" for j in range(T)])
    ax1.set_yticks(range(len(R)), [f"after T{i + 1}" for i in range(len(R))])
    ax1.set_xlabel("tested on")
    ax1.set_title("accuracy matrix R[i][j] (%)" + (" (mean)" if n > 1 else ""))
    fig.colorbar(im, ax=ax1, fraction=0.046)
    steps = list(range(1, len(R) + 1))
    for j in range(T):
        xs = [i + 1 for i in range(len(R)) if i >= j and R[i][j] == R[i][j]]
        stats = [mean_sd([None if m[i][j] is None else 100 * m[i][j] for m in R_all])
                 for i in range(len(R)) if i >= j and R[i][j] == R[i][j]]
        if xs:
            ys = [m for m, _ in stats]
            if n > 1:
                ax2.errorbar(xs, ys, yerr=[sd or 0 for _, sd in stats], marker="o", capsize=2,
                             label=f"T{j + 1}")
            else:
                ax2.plot(xs, ys, marker="o", label=f"T{j + 1}")
    seen = [[v for v in R[i][: i + 1] if v == v] for i in range(len(R))]
    avg_steps = [i + 1 for i in range(len(R)) if seen[i]]
    avg = [100 * sum(seen[i]) / len(seen[i]) for i in range(len(R)) if seen[i]]
    ax2.plot(avg_steps, avg, "k--", linewidth=2, label="mean seen")
    ax2.set_xlabel("after training task")
    ax2.set_ylabel("test accuracy (%)" + (" (mean ± sd)" if n > 1 else ""))
    ax2.set_ylim(0, 101)
    ax2.set_xticks(steps)
    ax2.legend(fontsize=7, ncol=2)
    ax2.set_title("accuracy of each task over the stream")
    fig.suptitle(title)
    fig.subplots_adjust(wspace=0.4)
    name = slug(f'{run["scenario"]}-{run["strategy"]}-{run["preset"]}') + ".png"
    write_atomically(fig, os.path.join(out_dir, name))
    return name


def plot_summary(cells, out_dir):
    """Horizontal bars, one row per strategy and model, mean ± sd over seeds; one panel per scenario."""
    rows = {}
    for (sc, strategy, preset), runs in cells.items():
        accs = [r["metrics"]["acc"] for r in runs if r.get("metrics") and r["metrics"].get("acc") is not None]
        if accs:
            m, sd = mean_sd([100 * a for a in accs])
            rows.setdefault(sc, []).append((strategy, preset, m, sd, len(accs), runs[0]["benchmark"]))
    if not rows:
        return None
    scenarios = sorted(rows)
    height = max(len(r) for r in rows.values())
    fig, axes = plt.subplots(1, len(scenarios), figsize=(6.5 * len(scenarios), 1.2 + 0.32 * height),
                             squeeze=False)
    for ax, sc in zip(axes[0], scenarios):
        rs = rows[sc]
        several_models = len({r[1] for r in rs}) > 1
        labels = [f"{s} ({p})" if several_models else s for s, p, *_ in rs]
        ys = list(range(len(rs)))
        means = [r[2] for r in rs]
        sds = [r[3] or 0 for r in rs]
        ax.barh(ys, means, xerr=sds, color="tab:blue", capsize=3, error_kw={"elinewidth": 1})
        for y, r in zip(ys, rs):
            text = f"{r[2]:.1f}" + (f" ± {r[3]:.1f}" if r[3] is not None else "")
            ax.text(min(r[2] + (r[3] or 0) + 1, 101), y, text, va="center", fontsize=7)
        ax.set_yticks(ys, labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 115)
        n = sorted({r[4] for r in rs})
        seeds = f"mean ± sd over {n[0]} seeds" if n == [n[0]] and n[0] > 1 else (
            "one seed" if n == [1] else f"mean ± sd over {n[0]}-{n[-1]} seeds")
        ax.set_xlabel(f"final average accuracy (%), {seeds}")
        ax.set_title(f"{rs[0][5]}, {sc}-IL")
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
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
    cells = cells_of(doc["runs"])
    for runs in cells.values():
        if any(r.get("accuracy_matrix") for r in runs):
            written.append(plot_cell(runs, out_dir))
    if len(cells) > 1:
        s = plot_summary(cells, out_dir)
        if s:
            written.append(s)
    print(f"plot_results.py: wrote {len(written)} PNG files to {out_dir}")


if __name__ == "__main__":
    main()
