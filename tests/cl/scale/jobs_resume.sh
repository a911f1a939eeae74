# A killed `compare --jobs 2` resumes: cells stopped after their first task continue from their
# checkpoints, a grid whose parent was killed -9 finishes on --resume, finished cells are reused,
# and the table equals the uninterrupted one.
source "$(dirname "$0")/common.sh"
"$ENGRAM" compare "${GRID[@]}" --jobs 2 --out-dir "$WORK/full"
# Every cell stops after task 0 (as if killed), then the grid resumes.
"$ENGRAM" compare "${GRID[@]}" --jobs 2 --out-dir "$WORK/stopped" --stop-after-task 0
grep -q "partial" "$WORK/stopped/table.txt" || fail "cells did not stop early"
"$ENGRAM" compare "${GRID[@]}" --jobs 2 --out-dir "$WORK/stopped" --resume
grep -q '"resumed_from_task": 1' "$WORK"/stopped/cells/*.json || fail "no cell resumed from its checkpoint"
same_table "$WORK/full/table.txt" "$WORK/stopped/table.txt"
# Everything finished: a second --resume trains nothing.
"$ENGRAM" compare "${GRID[@]}" --jobs 2 --out-dir "$WORK/stopped" --resume 2> "$WORK/reuse.log"
grep -q "4 of 4 cells reused" "$WORK/reuse.log" || fail "finished cells not reused: $(cat "$WORK/reuse.log")"
same_table "$WORK/full/table.txt" "$WORK/stopped/table.txt"
# The parent killed -9 once the first cell is done: the children die with it; --resume finishes.
"$ENGRAM" compare "${GRID[@]}" --jobs 2 --out-dir "$WORK/killed" &
pid=$!
for _ in $(seq 1 600); do
  ls "$WORK"/killed/cells/*.json >/dev/null 2>&1 && break
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
"$ENGRAM" compare "${GRID[@]}" --jobs 2 --out-dir "$WORK/killed" --resume 2> "$WORK/killed.log"
grep -Eq "[1-4] of 4 cells reused" "$WORK/killed.log" || fail "the cells finished before the kill were not reused"
same_table "$WORK/full/table.txt" "$WORK/killed/table.txt"
echo "jobs resume: ok"
