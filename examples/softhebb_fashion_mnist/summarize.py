#!/usr/bin/env python3
"""Merges the JSON files of example_softhebb_fashion_mnist runs (one width, one or more seeds each)
into one table: per width, mean ± sd over all seeds of SoftHebb and of random features.

    python3 examples/softhebb_fashion_mnist/summarize.py docs/results/softhebb/linear-*.json
"""
import json
import statistics
import sys


def main(paths):
    rows = {}
    for path in paths:
        with open(path) as f:
            run = json.load(f)
        for row in run["rows"]:
            r = rows.setdefault((run["model"], row["width"]),
                                {"softhebb": [], "random": [], "norm": [], "used": [], "secs": []})
            r["softhebb"] += row["softhebb"]
            r["random"] += row["random"]
            r["norm"].append(row["mean_weight_norm"])
            r["used"].append(row["units_used"])
            r["secs"].append(row["softhebb_seconds"])
    print("| model | width | seeds | SoftHebb + readout | random features + readout | "
          "difference | mean ‖w‖ | units winning | SoftHebb s/seed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (model, width), r in sorted(rows.items()):
        h, q = r["softhebb"], r["random"]
        sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
        diff = [a - b for a, b in zip(h, q)]
        # the conv runs do not count winners
        used = "—" if model == "conv" else f"{statistics.mean(r['used']):.2f}"
        print(f"| {model} | {width} | {len(h)} | {100 * statistics.mean(h):.1f} ± {100 * sd(h):.1f} "
              f"| {100 * statistics.mean(q):.1f} ± {100 * sd(q):.1f} "
              f"| {100 * statistics.mean(diff):+.1f} ± {100 * sd(diff):.1f} "
              f"| {statistics.mean(r['norm']):.2f} | {used} "
              f"| {statistics.mean(r['secs']):.0f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
