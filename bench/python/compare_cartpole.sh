#!/usr/bin/env bash
# Side-by-side CartPole actor-critic timing: engram (C++/LibTorch) vs the CleanRL-style Python
# PyTorch baseline, same algorithm and hyper-parameters, one intra-op thread each, interleaved
# runs on the same machine. Two measurements per seed:
#   fixed  - exactly STEPS env steps (throughput: env-steps/s, wall and CPU time)
#   solve  - until the mean return of 100 consecutive episodes reaches 475 (time-to-solve)
# Usage: bench/python/compare_cartpole.sh [build_dir] [seeds] [steps]
set -euo pipefail
build="${1:-build}"
seeds="${2:-1 2 3}"
steps="${3:-40960}"
py="${ENGRAM_PYTHON:-$HOME/.cache/engram/venv/bin/python}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exe="$build/examples/example_rl_cartpole"
export OMP_NUM_THREADS=1
for seed in $seeds; do
  for mode in fixed solve; do
    args_cpp=("/tmp/engram_cartpole_$seed.csv" "$seed")
    args_py=(--seed "$seed")
    if [ "$mode" = fixed ]; then
      args_cpp+=("$steps" --no-stop)
      args_py+=(--total-steps "$steps" --no-stop)
    fi
    echo "mode=$mode $(/usr/bin/time -f 'cpu_s=%U' "$exe" "${args_cpp[@]}" 2>&1 | grep -E '^\{|cpu_s' | tr '\n' ' ')"
    echo "mode=$mode $(/usr/bin/time -f 'cpu_s=%U' "$py" "$here/cartpole_actor_critic.py" "${args_py[@]}" 2>&1 | grep -E '^\{|cpu_s' | tr '\n' ' ')"
  done
done
