# gpu-check module of the plastic ops (src/ops): at most 3.5 minutes on an H100/H200.
#  - every CUDA test of the ops (already in ctest; re-run alone so their log is separate);
#  - the op against the unrolled PyTorch loop on the same GPU (bench/python/plastic_rnn_peer.py,
#    B=32 N=128 T=200, forward + backward), with CUDA-graph capture and replay of the op;
#  - the C++ op benchmark (fused vs the ATen reference) on the GPU.
# Dry run: the same scripts on the CPU build with tiny sizes (argument handling, agreement check,
# JSON writing), and the CUDA test binary's listing.
ops_lib="$build_dir/libengram.so"
if [ "$dry_run" = 1 ]; then
  [ -f "$ops_lib" ] || log "ops: $ops_lib missing (build the 'engram' target)"
  timed 120 "$py" bench/python/plastic_rnn_peer.py --library "$ops_lib" --B 2 --N 8 --T 4 \
    --threads 1 --repeats 1 --json "$OUT/ops-peer-dry.json" >"$OUT/ops-peer.txt" 2>&1 &&
    log "ops: peer benchmark dry run ok: $(grep -E '^threads' "$OUT/ops-peer.txt")"
  if [ -x "$build_dir/tests/ops/engram_ops_tests" ]; then
    timed 30 "$build_dir/tests/ops/engram_ops_tests" --gtest_list_tests \
      --gtest_filter='*Cuda*' >"$OUT/ops-cuda-tests.txt" 2>&1 &&
      log "ops: $(grep -c '^  ' "$OUT/ops-cuda-tests.txt") CUDA tests listed"
  fi
else
  timed 60 "$build_dir/tests/ops/engram_ops_tests" --gtest_filter='*Cuda*' \
    >"$OUT/ops-cuda-tests.txt" 2>&1
  log "ops: CUDA tests: $(grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$OUT/ops-cuda-tests.txt" | tr '\n' ' ')"
  timed 90 "$py" bench/python/plastic_rnn_peer.py --library "$ops_lib" --device cuda \
    --graph-check --threads 1 --repeats 5 --json "$OUT/ops-peer-cuda.json" \
    >"$OUT/ops-peer.txt" 2>&1
  grep -E '^(agreement|CUDA graph|threads)' "$OUT/ops-peer.txt" >>"$summary"
  if [ -x "$build_dir/bench/bench_plastic_ops" ]; then
    timed 45 "$build_dir/bench/bench_plastic_ops" --benchmark_filter='Cuda|CUDA' \
      --benchmark_min_time=0.05 >"$OUT/ops-bench.txt" 2>&1
  fi
fi
