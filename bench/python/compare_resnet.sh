#!/usr/bin/env bash
# Side-by-side training throughput of the reduced ResNet-18 on CIFAR-format batches: engram's
# trainer (bench_resnet_training, models/reduced-resnet18.json) vs the same model and loop in
# Python PyTorch (resnet_trainer_peer.py), batch 32, SGD, standard augmentation, one intra-op
# thread each, interleaved runs on the same machine. Run from the repository root.
# Usage: bench/python/compare_resnet.sh [build_dir] [rounds] [iterations] [augment]
set -euo pipefail
build="${1:-build}"
rounds="${2:-3}"
iterations="${3:-30}"
augment="${4:-standard}"
py="${ENGRAM_PYTHON:-$HOME/.cache/engram/venv/bin/python}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OMP_NUM_THREADS=1
for round in $(seq "$rounds"); do
  "$build/bench/bench_resnet_training" --iterations "$iterations" --threads 1 --augment "$augment"
  "$py" -W ignore "$here/resnet_trainer_peer.py" --iterations "$iterations" --threads 1 \
    --augment "$augment"
done
