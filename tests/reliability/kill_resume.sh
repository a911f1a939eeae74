#!/usr/bin/env bash
# kill -9 during a run, then --resume, until it finishes: the numbers are bit-identical to an
# uninterrupted run, for several strategies, and no temporary file is left. Each strategy is
# killed twice at fixed pseudo-random moments and once in the middle of a checkpoint write
# (ENGRAM_IO_KILL_AT_WRITE: SIGKILL with half the file written).
# usage: kill_resume.sh ENGRAM PRESET WORKDIR
set -u
engram=$1 preset=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
RANDOM=20261202 # bash's generator, seeded: the same kill times on every run
for strategy in naive ewc replay si; do
  common=(run "$preset" --benchmark split-synthetic --scenario class --strategy "$strategy"
          --iterations 40 --threads 1 --quiet)
  "$engram" "${common[@]}" --checkpoint "$work/$strategy-full.ckpt" \
    --out "$work/$strategy-full.json" >/dev/null || fail "$strategy: uninterrupted run failed"
  args=("${common[@]}" --checkpoint "$work/$strategy.ckpt")
  # Killed in the middle of writing the second checkpoint.
  ENGRAM_IO_KILL_AT_WRITE=2 "$engram" "${args[@]}" --out "$work/$strategy.json" >/dev/null 2>&1
  [ $? -eq 137 ] || fail "$strategy: not killed during its checkpoint write"
  ls "$work" | grep -q "^$strategy\.ckpt\.tmp\." || fail "$strategy: no half-written temporary"
  # Killed at two pseudo-random moments.
  for kill in 1 2; do
    "$engram" "${args[@]}" --out "$work/$strategy.json" --resume >/dev/null 2>&1 &
    pid=$!
    sleep "$(( 1 + RANDOM % 2 )).$(( RANDOM % 10 ))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  "$engram" "${args[@]}" --out "$work/$strategy.json" --resume >/dev/null \
    || fail "$strategy: the final resumed run failed"
  python3 "$(dirname "${BASH_SOURCE[0]}")/same_numbers.py" "$work/$strategy-full.json" \
    "$work/$strategy.json" || fail "$strategy: differs"
  ls "$work" | grep -q "^$strategy\..*\.tmp\." && fail "$strategy: temporary file left: $(ls "$work")"
  echo "$strategy: killed in a checkpoint write and twice more, resumed bit-identical"
done
echo "kill and resume: ok"
