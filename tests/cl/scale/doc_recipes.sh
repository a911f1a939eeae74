# The recipes of docs/scale.md as written: the Slurm scripts pass `bash -n`; the xargs recipe runs
# on this machine at a tiny size, and its merged table equals the unsharded grid's.
source "$(dirname "$0")/common.sh"
: "${DOC:?}"
# The fenced block after "<!-- scale-recipe: NAME -->".
recipe() {
  awk -v name="$1" '
    $0 == "<!-- scale-recipe: " name " -->" { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$DOC"
}
for name in slurm slurm-submit xargs; do
  recipe "$name" > "$WORK/$name.sh"
  [ -s "$WORK/$name.sh" ] || fail "no recipe '$name' in $DOC"
  bash -n "$WORK/$name.sh" || fail "recipe '$name' is not valid bash"
done
grep -q -- '--shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"' "$WORK/slurm.sh" || fail "slurm recipe has no --shard"
grep -q 'engram merge' "$WORK/slurm-submit.sh" || fail "slurm submit recipe has no merge"
tiny="--benchmark split-synthetic --scenarios class --strategies naive,ewc --presets $PRESET --seeds 0-1 --iterations 15 --tasks 2 --hp ewc.fisher_samples=50"
ENGRAM="$ENGRAM" OUT="$WORK/study" SHARDS=3 PARALLEL=2 GRID="$tiny" bash "$WORK/xargs.sh" \
  > "$WORK/xargs.log" 2>&1 || fail "xargs recipe: $(tail -20 "$WORK/xargs.log")"
[ "$(ls "$WORK"/study/results.shard-*-of-3.json | wc -l)" = 3 ] || fail "expected 3 shard files"
# shellcheck disable=SC2086
"$ENGRAM" compare $tiny --threads 1 --out-dir "$WORK/whole" --quiet --no-plot
same_table "$WORK/whole/table.txt" "$WORK/study/table.txt"
echo "doc recipes: ok"
