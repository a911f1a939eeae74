#!/usr/bin/env python3
"""engram's reproduction of van de Ven & Tolias 2019 against the paper's table.

Reads the results.json of one or more `scripts/reproduce-vandeven2019` runs (any scenarios) and
prints, per strategy and scenario, engram's final average accuracy as mean ± SEM over the seeds
(the file's own summary: SEM = sample sd / sqrt(n), the paper's statistic), the published mean ± SEM, the difference, and
whether the cell meets the goal: within 2 points of the published mean, or within 2 published SEMs.

Usage: python3 scripts/vandeven2019_table.py split|permuted results.json [results.json ...]
"""
import json
import sys

# "Three scenarios for continual learning", arXiv:1904.07734: final test accuracy (%) averaged over
# all tasks, mean (± SEM) over 20 seeds; split MNIST Table 2, permuted MNIST Table 3.
# Transcribed by hand from the paper; check against the PDF before citing a cell.
PUBLISHED = {
    "split": {
        "naive": {"task": (87.19, 0.94), "domain": (59.21, 2.04), "class": (19.90, 0.02)},
        "joint": {"task": (99.66, 0.02), "domain": (98.42, 0.06), "class": (97.94, 0.03)},
        "xdg": {"task": (99.10, 0.08)},
        "ewc": {"task": (98.64, 0.22), "domain": (63.95, 1.90), "class": (20.01, 0.06)},
        "online-ewc": {"task": (99.12, 0.11), "domain": (64.32, 1.90), "class": (19.96, 0.07)},
        "si": {"task": (99.09, 0.15), "domain": (65.36, 1.57), "class": (19.99, 0.06)},
        "lwf": {"task": (99.57, 0.02), "domain": (71.50, 1.63), "class": (23.85, 0.44)},
        "dgr": {"task": (99.50, 0.03), "domain": (95.72, 0.25), "class": (90.79, 0.41)},
        "dgr-distill": {"task": (99.61, 0.02), "domain": (96.83, 0.20), "class": (91.79, 0.32)},
        "icarl": {"class": (94.57, 0.11)},
    },
    "permuted": {
        "naive": {"task": (81.79, 0.48), "domain": (78.51, 0.24), "class": (17.26, 0.19)},
        "joint": {"task": (97.68, 0.01), "domain": (97.59, 0.01), "class": (97.59, 0.02)},
        "xdg": {"task": (91.40, 0.23)},
        "ewc": {"task": (94.74, 0.05), "domain": (94.31, 0.11), "class": (25.04, 0.50)},
        "online-ewc": {"task": (95.96, 0.06), "domain": (94.42, 0.13), "class": (33.88, 0.49)},
        "si": {"task": (94.75, 0.14), "domain": (95.33, 0.11), "class": (29.31, 0.62)},
        "lwf": {"task": (69.84, 0.46), "domain": (72.64, 0.52), "class": (22.64, 0.23)},
        "dgr": {"task": (92.52, 0.08), "domain": (95.09, 0.04), "class": (92.19, 0.09)},
        "dgr-distill": {"task": (97.51, 0.01), "domain": (97.35, 0.02), "class": (96.38, 0.03)},
        "icarl": {"class": (94.85, 0.03)},
    },
}
ORDER = ["naive", "joint", "xdg", "ewc", "online-ewc", "si", "lwf", "dgr", "dgr-distill", "icarl"]
SCENARIOS = ["task", "domain", "class"]


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in PUBLISHED:
        sys.exit(__doc__)
    published = PUBLISHED[sys.argv[1]]
    cells = {}  # (strategy, scenario) -> the results file's summary of its seeds
    for path in sys.argv[2:]:
        for entry in json.load(open(path))["summary"]:
            if "metrics" in entry:  # not a skipped entry
                cells[(entry["strategy"], entry["scenario"])] = entry
    print("| strategy | scenario | seeds | engram ACC (mean ± SEM) | published (± SEM) | difference "
          "| goal | seconds per run |")
    print("|---|---|---|---|---|---|---|---|")
    misses = []
    for st in ORDER:
        for sc in SCENARIOS:
            if (st, sc) not in cells:
                continue
            acc = cells[(st, sc)]["metrics"]["acc"]
            n, mean, sem = acc["n"], 100 * acc["mean"], 100 * acc["sem"]
            secs = cells[(st, sc)]["total_seconds"]["mean"]
            pub = published.get(st, {}).get(sc)
            if pub is None:
                print(f"| {st} | {sc}-IL | {n} | {mean:.2f} ± {sem:.2f} | — | — | — | {secs:.0f} |")
                continue
            diff = mean - pub[0]
            ok = abs(diff) <= 2.0 or abs(diff) <= 2 * pub[1]
            if not ok:
                misses.append(f"{st} {sc}-IL")
            print(f"| {st} | {sc}-IL | {n} | {mean:.2f} ± {sem:.2f} | {pub[0]:.2f} ± {pub[1]:.2f} | "
                  f"{diff:+.2f} | {'✓' if ok else '✗'} | {secs:.0f} |")
    print()
    print("Cells off the goal: " + (", ".join(misses) if misses else "none"))


if __name__ == "__main__":
    main()
