# gpu-check module of GatedWorkingMemory on CUDA (layers/memory, engram::gated_memory_layer): at
# most 40 seconds on an H100/H200.
#  - the memory CUDA test alone (engram_memory_tests, *Cuda*: cuDNN for a plain LSTM, engram's
#    operator with peepholes, both against the CPU), at most 15 s;
#  - forward + backward at T=100, B=32, I=H=256 (bench/bench_memory.cpp): engram's peephole path
#    against cuDNN's plain LSTM (torch::nn::LSTM), at most 20 s, and the time ratio in the
#    summary, at most 5 s.
# Dry run: the test and benchmark listings, and the ratio step on the benchmark's JSON from this
# CPU build (whose CUDA benchmarks report "no CUDA device").
memory_tests="$build_dir/tests/memory/engram_memory_tests"
memory_bench="$build_dir/bench/bench_memory"
gwm_filter='BM_TorchLstm_ForwardBackward_Cuda|BM_GatedWorkingMemory_ForwardBackward_Cuda/peephole:1'
# Reads the benchmark's JSON (argv[1]); prints engram's peephole path over cuDNN's plain LSTM
# (real time per iteration).
gwm_ratio_py='
import json, sys
runs = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
cudnn = runs.get("BM_TorchLstm_ForwardBackward_Cuda/real_time", {})
engram = runs.get("BM_GatedWorkingMemory_ForwardBackward_Cuda/peephole:1/real_time", {})
if not cudnn or not engram:
    sys.exit("gated memory: benchmark missing from " + sys.argv[1] + ": " + " ".join(runs))
if cudnn.get("error_occurred") or engram.get("error_occurred"):
    print("gated memory: skipped (%s)" % (cudnn.get("error_message") or engram.get("error_message")))
else:
    print("gated memory (T=100 B=32 I=H=256, fwd+bwd): engram peephole %.3f ms, cuDNN LSTM %.3f ms, "
          "ratio %.2f" % (engram["real_time"], cudnn["real_time"],
                          engram["real_time"] / cudnn["real_time"]))
'
if [ "$dry_run" = 1 ]; then
  if [ -x "$memory_tests" ]; then
    timed 15 "$memory_tests" --gtest_list_tests --gtest_filter='*Cuda*' \
      >"$OUT/gated-memory-tests.txt" 2>&1 &&
      log "gated memory: $(grep -c '^  ' "$OUT/gated-memory-tests.txt") CUDA tests listed"
  fi
  if [ -x "$memory_bench" ]; then
    timed 15 "$memory_bench" --benchmark_filter="$gwm_filter" --benchmark_format=json \
      --benchmark_out="$OUT/gated-memory-bench.json" >"$OUT/gated-memory-bench.txt" 2>&1 &&
      timed 5 "$py" -c "$gwm_ratio_py" "$OUT/gated-memory-bench.json" >>"$summary"
  else
    log "gated memory: $memory_bench missing (build the 'benchmarks' target)"
  fi
else
  timed 15 "$memory_tests" --gtest_filter='*Cuda*' >"$OUT/gated-memory-tests.txt" 2>&1
  log "gated memory: CUDA tests: $(grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$OUT/gated-memory-tests.txt" | tr '\n' ' ')"
  timed 20 "$memory_bench" --benchmark_filter="$gwm_filter" --benchmark_min_time=0.3 \
    --benchmark_format=json --benchmark_out="$OUT/gated-memory-bench.json" \
    >"$OUT/gated-memory-bench.txt" 2>&1 &&
    timed 5 "$py" -c "$gwm_ratio_py" "$OUT/gated-memory-bench.json" >>"$summary"
fi
