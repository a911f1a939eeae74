# gpu-check module of training on a device (src/train, src/cl): at most 3 minutes on an H100/H200.
#  - the CUDA variants of the trainer, strategy and checkpoint tests (engram_train_tests:
#    DeviceTraining/*cuda*, DeviceCheckpoint/*cuda*, SavedOnCudaResumesOnTheCpu*), re-run alone so
#    that their log comes back whole;
#  - the 2x400 MLP trainer throughput, engram vs the Python peer, on cuda:0.
# Dry run: the test binary's listing of those tests.
train_tests="$build_dir/tests/train/engram_train_tests"
if [ "$dry_run" = 1 ]; then
  if [ -x "$train_tests" ]; then
    timed 30 "$train_tests" --gtest_list_tests --gtest_filter='*cuda*:*Cuda*' \
      >"$OUT/device-cuda-tests.txt" 2>&1 &&
      log "device: $(grep -c '^  ' "$OUT/device-cuda-tests.txt") CUDA tests listed"
  fi
else
  log "device: engram_train_tests on CUDA"
  timed 60 "$train_tests" --gtest_filter='*cuda*:*Cuda*' >"$OUT/device-tests.log" 2>&1
  log "device tests: $(grep -E '^\[  (PASSED|FAILED|SKIPPED)' "$OUT/device-tests.log" | tr '\n' ' ')"
  log "device: 2x400 MLP throughput, engram vs Python, cuda:0"
  timed 120 bench/mlp_throughput.sh "$build_dir" 300 3 cuda:0 1 >"$OUT/device-bench.txt" 2>&1
  cat "$OUT/device-bench.txt" >>"$OUT/summary.txt"
fi
