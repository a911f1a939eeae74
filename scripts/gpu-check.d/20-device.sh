# Sourced by scripts/gpu-check after its ctest step (uses its $build_dir, $OUT, log): the device
# checks on CUDA. The CUDA variants of the trainer, strategy and checkpoint tests
# (engram_train_tests: DeviceTraining/*cuda*, DeviceCheckpoint/*cuda*, SavedOnCudaResumesOnTheCpu*)
# already ran in ctest; here they run again alone so that their log comes back whole, then the
# 2x400 MLP throughput of engram vs the Python peer on cuda:0.
log "device: engram_train_tests on CUDA"
timeout 180 "$build_dir/tests/train/engram_train_tests" --gtest_filter='*cuda*:*Cuda*' \
  >"$OUT/device-tests.log" 2>&1
log "device tests exit $?: $(grep -E '^\[  (PASSED|FAILED|SKIPPED)' "$OUT/device-tests.log" | tr '\n' ' ')"
log "device: 2x400 MLP throughput, engram vs Python, cuda:0"
timeout 240 bench/mlp_throughput.sh "$build_dir" 300 3 cuda:0 1 >"$OUT/device-bench.txt" 2>&1
log "device bench exit $?"
cat "$OUT/device-bench.txt" >>"$OUT/summary.txt"
