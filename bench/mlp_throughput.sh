#!/usr/bin/env bash
# Training throughput of the 2x400 MLP on Split Fashion-MNIST (class-IL, naive fine-tuning):
# engram's trainer (`engram run`) side by side with the same model and loop in Python/PyTorch
# (bench/python/mlp_trainer_peer.py), interleaved in one run on the same machine, same threads.
# Reports iterations/s (training only, evaluation excluded, as the results JSON's task_seconds),
# the ratio engram / Python, and the peak resident memory of each process.
#
# Usage: bench/mlp_throughput.sh [build_dir] [iterations_per_task] [repeats] [device] [threads]
#   defaults: build 300 3 cpu 1. Fashion-MNIST from $ENGRAM_FASHION_MNIST_DIR or
#   /usr/share/datasets/fashion-mnist.
set -euo pipefail
build="${1:-build}"
iterations="${2:-300}"
repeats="${3:-3}"
device="${4:-cpu}"
threads="${5:-1}"
py="${ENGRAM_PYTHON:-$HOME/.cache/engram/venv/bin/python}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
data="${ENGRAM_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export OMP_NUM_THREADS="$threads"
for r in $(seq 1 "$repeats"); do
  "$build/engram" run "$repo/models/mlp-2x400.json" --benchmark split-fmnist \
    --scenario class --strategy naive --iterations "$iterations" --threads "$threads" \
    --device "$device" --quiet --out "$out/engram_$r.json" >/dev/null
  "$py" "$here/python/mlp_trainer_peer.py" --data "$data" --iterations "$iterations" \
    --threads "$threads" --device "$device" >"$out/python_$r.json" 2>>"$out/python_stderr.txt"
done
"$py" - "$out" "$repeats" "$iterations" "$device" "$threads" <<'PY'
import json, statistics, sys
out, repeats, iterations, device, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
cpp, py = [], []
for r in range(1, repeats + 1):
    run = json.load(open(f"{out}/engram_{r}.json"))["runs"][0]
    secs = sum(run["task_seconds"])
    cpp.append({"ips": iterations * len(run["task_seconds"]) / secs, "s": secs,
                "rss": run["peak_rss_mb"], "acc": run["metrics"]["acc"]})
    p = json.loads(open(f"{out}/python_{r}.json").read())
    py.append({"ips": p["iterations_per_second"], "s": p["train_seconds"], "rss": p["peak_rss_mb"],
               "acc": p["acc"]})
def row(name, rs):
    med = lambda k: statistics.median(x[k] for x in rs)
    print(f"{name:8s} {med('ips'):10.1f} it/s   train {med('s'):7.2f} s   peak RSS {med('rss'):7.0f} MiB"
          f"   ACC {100 * med('acc'):5.1f}%   (median of {len(rs)}; it/s: "
          + ", ".join(f"{x['ips']:.1f}" for x in rs) + ")")
print(f"2x400 MLP, Split Fashion-MNIST class-IL, naive, {iterations} it/task x 5 tasks, batch 128, "
      f"device {device}, {threads} thread(s)")
row("engram", cpp)
row("python", py)
ratio = statistics.median(c["ips"] / p["ips"] for c, p in zip(cpp, py))
print(f"ratio engram/python (median of per-pair ratios): {ratio:.3f}")
PY
