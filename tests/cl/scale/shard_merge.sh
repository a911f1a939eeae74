# Two shards run at once, merged, give the unsharded table; merge refuses a cell twice and shards
# of another grid.
source "$(dirname "$0")/common.sh"
"$ENGRAM" compare "${GRID[@]}" --out-dir "$WORK/whole"
"$ENGRAM" compare "${GRID[@]}" --out-dir "$WORK/sharded" --shard 0/2 > "$WORK/s0.log" 2>&1 &
p0=$!
"$ENGRAM" compare "${GRID[@]}" --out-dir "$WORK/sharded" --shard 1/2 > "$WORK/s1.log" 2>&1 &
p1=$!
wait "$p0" || fail "shard 0: $(cat "$WORK/s0.log")"
wait "$p1" || fail "shard 1: $(cat "$WORK/s1.log")"
"$ENGRAM" merge "$WORK/sharded/results.shard-1-of-2.json" "$WORK/sharded/results.shard-0-of-2.json" \
  --out "$WORK/sharded/results.json" --no-plot
same_table "$WORK/whole/table.txt" "$WORK/sharded/table.txt"
# The same shard twice.
if "$ENGRAM" merge "$WORK/sharded/results.shard-0-of-2.json" "$WORK/sharded/results.shard-0-of-2.json" \
    --out "$WORK/dup.json" --no-plot 2> "$WORK/dup.log"; then fail "a duplicate cell was merged"; fi
grep -q "engram: error: merge: cell class-naive-mlp-2x400-s0 is in both" "$WORK/dup.log" || fail "$(cat "$WORK/dup.log")"
# A shard of another grid (other seeds).
"$ENGRAM" compare "${GRID_BASE[@]}" --seeds 2 --out-dir "$WORK/other" --shard 0/2
if "$ENGRAM" merge "$WORK/sharded/results.shard-1-of-2.json" "$WORK/other/results.shard-0-of-2.json" \
    --out "$WORK/mixed.json" --no-plot 2> "$WORK/mixed.log"; then fail "shards of two grids were merged"; fi
grep -q "is from another grid (fingerprint [0-9a-f]*)" "$WORK/mixed.log" || fail "$(cat "$WORK/mixed.log")"
echo "shard merge: ok"
