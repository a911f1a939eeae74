"""Plots the CSVs of the circuits examples (Debian's python3 + matplotlib). Each CSV has rows
panel,series,x,y; every panel becomes one subplot with one line per series:
/usr/bin/python3 scripts/plot_circuits.py examples/circuits_conditioning/circuits_conditioning.csv out.png"""
import csv
import math
import sys
from collections import OrderedDict

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main(src, dst):
    panels = OrderedDict()
    with open(src, newline="") as f:
        for r in csv.DictReader(f):
            series = panels.setdefault(r["panel"], OrderedDict())
            series.setdefault(r["series"], []).append((float(r["x"]), float(r["y"])))
    n = len(panels)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * rows), squeeze=False)
    for ax, (title, series) in zip(axes.flat, panels.items()):
        for name, pts in series.items():
            xs, ys = zip(*sorted(pts))
            style = "o" if len(pts) == 1 else "-"
            ax.plot(xs, ys, style, label=name, markersize=6)
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(dst, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
