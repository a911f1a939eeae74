#!/usr/bin/env python3
"""Markdown table of an `engram compare --seeds ...` results.json: for each strategy and scenario,
ACC and BWT (%) as mean ± sd over the seeds (the file's own `summary`: sample sd), each seed's ACC,
and the seconds of a run (`total_seconds`, mean ± sd).

Usage: python3 scripts/seed_table.py results.json
"""
import collections
import json
import sys


def pct(m):
    return f"{100 * m['mean']:.2f} ± {100 * m['sd']:.2f}"


def main():
    doc = json.load(open(sys.argv[1]))
    scenarios = list(dict.fromkeys(s["scenario"] for s in doc["summary"]))
    strategies = list(dict.fromkeys(s["strategy"] for s in doc["summary"]))
    summary = {(s["strategy"], s["scenario"]): s for s in doc["summary"]}
    per_seed = collections.defaultdict(list)
    for r in sorted(doc["runs"], key=lambda r: r["seed"]):
        per_seed[(r["strategy"], r["scenario"])].append(r)
    seeds = ", ".join(str(s) for s in doc["grid"]["seeds"])
    print(f"| strategy | scenario | ACC | BWT | ACC per seed ({seeds}) | seconds per run |")
    print("|---|---|---|---|---|---|")
    for st in strategies:
        for sc in scenarios:
            s = summary[(st, sc)]
            accs = "; ".join(f"{100 * r['metrics']['acc']:.2f}" for r in per_seed[(st, sc)])
            t = s["total_seconds"]
            print(f"| {st} | {sc}-IL | {pct(s['metrics']['acc'])} | {pct(s['metrics']['bwt'])} | "
                  f"{accs} | {t['mean']:.0f} ± {t['sd']:.0f} |")

if __name__ == "__main__":
    main()
