# gpu-check module: every other C++ benchmark binary once (each area's own module may run its
# benchmarks in more detail). At most BENCH_TIMEOUT (30) seconds per binary, 8 binaries.
if [ "$dry_run" = 1 ]; then
  log "benchmarks: $(ls "$build_dir"/bench/bench_* 2>/dev/null | wc -l) binaries would run"
else
  : >"$OUT/bench.txt"
  for b in "$build_dir"/bench/bench_*; do
    [ -x "$b" ] || continue
    [ "$(basename "$b")" = bench_plastic_ops ] && continue # run by 10-ops.sh
    echo "=== $(basename "$b")" >>"$OUT/bench.txt"
    timed "${BENCH_TIMEOUT:-30}" "$b" --benchmark_filter="${BENCH_FILTER:-.}" \
      --benchmark_min_time="${BENCH_MIN_TIME:-0.05}" >>"$OUT/bench.txt" 2>&1
    log "$(basename "$b") exit $?"
  done
fi
