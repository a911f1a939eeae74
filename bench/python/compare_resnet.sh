#!/usr/bin/env bash
# Side-by-side training throughput of the reduced ResNet-18 on CIFAR-format batches: engram's
# trainer (bench_resnet_training, models/reduced-resnet18.json) vs the same model and loop in
# Python PyTorch (resnet_trainer_peer.py), batch 32, SGD, standard augmentation, one intra-op
# thread each, interleaved runs on the same machine. Run from the repository root.
#
# Both sides are timed over the same iterations, 2..N. engram's CPU time covers its whole
# run_experiment (set-up, evaluations), so each round also runs it for one iteration and takes the
# difference; the peer reports the CPU time after its first iteration. Wall time is each side's
# own training-loop time over all N iterations (engram's task_seconds excludes evaluation).
# Prints every run's JSON line, then a summary (medians over the rounds, engram / PyTorch).
# Usage: bench/python/compare_resnet.sh [build_dir] [rounds] [iterations] [augment]
set -euo pipefail
build="${1:-build}"
rounds="${2:-3}"
iterations="${3:-30}"
augment="${4:-standard}"
py="${ENGRAM_PYTHON:-$HOME/.cache/engram/venv/bin/python}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OMP_NUM_THREADS=1
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for round in $(seq "$rounds"); do
  "$build/bench/bench_resnet_training" --iterations 1 --threads 1 --augment "$augment" |
    sed 's/^{/{"round": '"$round"', "baseline": true, /' | tee -a "$log"
  "$build/bench/bench_resnet_training" --iterations "$iterations" --threads 1 \
    --augment "$augment" | sed 's/^{/{"round": '"$round"', /' | tee -a "$log"
  "$py" -W ignore "$here/resnet_trainer_peer.py" --iterations "$iterations" --threads 1 \
    --augment "$augment" | sed 's/^{/{"round": '"$round"', /' | tee -a "$log"
done
"$py" - "$log" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
base = {r["round"]: r for r in runs if r.get("baseline")}
eng = [r for r in runs if r["impl"] == "engram" and not r.get("baseline")]
pyt = [r for r in runs if r["impl"] == "pytorch"]
n = eng[0]["iterations"]
e_cpu = [(n - 1) / (r["cpu_seconds"] - base[r["round"]]["cpu_seconds"]) for r in eng]
p_cpu = [(n - 1) / r["cpu_seconds_after_first"] for r in pyt]
e_wall = [r["iterations_per_second"] for r in eng]
p_wall = [r["iterations_per_second"] for r in pyt]
med = statistics.median
print(json.dumps({
    "summary": "iterations 2..N per CPU-second; wall: iterations 1..N per second",
    "engram_per_cpu_second": [round(v, 3) for v in e_cpu],
    "pytorch_per_cpu_second": [round(v, 3) for v in p_cpu],
    "median_engram_per_cpu_second": round(med(e_cpu), 3),
    "median_pytorch_per_cpu_second": round(med(p_cpu), 3),
    "ratio_cpu": round(med(e_cpu) / med(p_cpu), 3),
    "median_round_ratio_cpu": round(med(e / p for e, p in zip(e_cpu, p_cpu)), 3),
    "median_engram_per_wall_second": round(med(e_wall), 3),
    "median_pytorch_per_wall_second": round(med(p_wall), 3),
    "ratio_wall": round(med(e_wall) / med(p_wall), 3),
    "median_peak_rss_mb": {"engram": round(med(r["peak_rss_mb"] for r in eng)),
                           "pytorch": round(med(r["peak_rss_mb"] for r in pyt))}}))
EOF
