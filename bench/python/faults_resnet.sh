#!/usr/bin/env bash
# Page faults, system time and CPU time per training iteration of the reduced ResNet-18 loop:
# engram with glibc's default malloc thresholds (the glibc.malloc.check=0 tunable, a no-op, makes
# tune_host_allocator leave them alone), engram as it runs (tune_host_allocator), and the Python
# peer. Each is run for 1 and for N+1 iterations under /usr/bin/time; the difference over N is the
# cost of one iteration, without start-up, set-up and evaluation. Run from the repository root.
# Usage: bench/python/faults_resnet.sh [build_dir] [rounds] [N]
set -euo pipefail
build="${1:-build}"
rounds="${2:-3}"
n="${3:-20}"
py="${ENGRAM_PYTHON:-$HOME/.cache/engram/venv/bin/python}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OMP_NUM_THREADS=1
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
measure() { # label iterations command...
  local label="$1" its="$2"
  shift 2
  /usr/bin/time -f "$label $its %U %S %R" -a -o "$log" "$@" > /dev/null 2>&1
}
for round in $(seq "$rounds"); do
  for its in 1 $((n + 1)); do
    GLIBC_TUNABLES=glibc.malloc.check=0 measure engram-default "$its" \
      "$build/bench/bench_resnet_training" --iterations "$its" --threads 1
    measure engram "$its" "$build/bench/bench_resnet_training" --iterations "$its" --threads 1
    measure pytorch "$its" "$py" -W ignore "$here/resnet_trainer_peer.py" --iterations "$its" \
      --threads 1
  done
done
"$py" - "$log" "$n" <<'PY'
import collections, statistics, sys
n = int(sys.argv[2])
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    label, its, user, system, faults = line.split()
    runs[(label, int(its))].append((float(user), float(system), int(faults)))
print("| process | minor page faults / iteration | system ms / iteration | CPU ms / iteration |")
print("|---|---|---|---|")
for label in ("engram-default", "engram", "pytorch"):
    short, long = runs[(label, 1)], runs[(label, n + 1)]
    per = [((lu + ls - su - ss) / n * 1e3, (ls - ss) / n * 1e3, (lf - sf) / n)
           for (su, ss, sf), (lu, ls, lf) in zip(short, long)]
    med = lambda k: statistics.median(p[k] for p in per)
    print(f"| {label} | {med(2):.0f} | {med(1):.1f} | {med(0):.0f} "
          f"({', '.join(f'{p[0]:.0f}' for p in per)}) |")
PY
