# `compare --jobs 1` (cells in this process) and `--jobs 2` (cells as child processes) give the
# same table.
source "$(dirname "$0")/common.sh"
"$ENGRAM" compare "${GRID[@]}" --jobs 1 --out-dir "$WORK/j1"
"$ENGRAM" compare "${GRID[@]}" --jobs 2 --out-dir "$WORK/j2"
same_table "$WORK/j1/table.txt" "$WORK/j2/table.txt"
grep -q "mean ± sd over seeds" "$WORK/j2/table.txt" || fail "table does not say what it shows"
[ "$(ls "$WORK"/j2/cells/*.json | wc -l)" = 4 ] || fail "expected 4 cell files"
cat "$WORK/j2/table.txt"
echo "jobs invariance: ok"
