#!/usr/bin/env bash
# A full disk while a checkpoint is written: one clean error naming the file (no abort), the
# previous checkpoint intact, no temporary file left, and a later --resume finishes the run with
# the same numbers as an uninterrupted one. The full disk is simulated twice, without privileges:
# by the I/O layer's test hook (ENGRAM_IO_FAIL_AFTER_BYTES) and by a file-size limit (ulimit -f).
# usage: full_disk.sh ENGRAM PRESET WORKDIR
set -u
engram=$1 preset=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
run() { # run NAME [extra flags...]
  local name=$1; shift
  "$engram" run "$preset" --benchmark split-synthetic --scenario class --strategy ewc \
    --iterations 20 --threads 1 --quiet --out "$work/$name.json" --checkpoint "$work/$name.ckpt" "$@"
}
same_numbers() { # the fields that must be bit-identical between two results files
  python3 "$(dirname "${BASH_SOURCE[0]}")/same_numbers.py" "$1" "$2"
}

run full >/dev/null || fail "uninterrupted run failed"

for how in hook ulimit; do
  rm -f "$work/r".*
  run r --stop-after-task 1 >/dev/null || fail "$how: first part failed"
  cp "$work/r.ckpt" "$work/before.ckpt"
  if [ "$how" = hook ]; then
    out=$(ENGRAM_IO_FAIL_AFTER_BYTES=4096 run r --resume 2>&1); rc=$?
    expected="No space left on device"
  else
    size_kb=$(( $(stat -c %s "$work/r.ckpt") / 1024 / 2 ))
    out=$( (ulimit -f "$size_kb"; run r --resume) 2>&1); rc=$?
    expected="File too large"
  fi
  [ "$rc" -eq 1 ] || fail "$how: exit status $rc, expected 1: $out"
  [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "$how: not one line: $out"
  case "$out" in
    "engram: error: cannot write '$work/r.ckpt': $expected") ;;
    *) fail "$how: unexpected message: $out" ;;
  esac
  cmp -s "$work/r.ckpt" "$work/before.ckpt" || fail "$how: the previous checkpoint changed"
  ls "$work" | grep -q '\.tmp\.' && fail "$how: a temporary file was left: $(ls "$work")"
  run r --resume >/dev/null || fail "$how: --resume after the failure did not finish"
  same_numbers "$work/full.json" "$work/r.json" || fail "$how: resumed numbers differ"
  echo "$how: clean error, checkpoint intact, resume bit-identical"
done
echo "full disk: ok"
