# Shared by the study tests: the tiny grid they run and a table without its measured columns.
# Usage: ENGRAM=path/to/engram WORK=dir bash <test>.sh
set -euo pipefail
: "${ENGRAM:?}" "${WORK:?}" "${PRESET:?}"
rm -rf "$WORK"
mkdir -p "$WORK"
# Two strategies x two seeds in task-IL on the synthetic benchmark: four cells of a second or two.
GRID_BASE=(--benchmark split-synthetic --scenarios class --strategies naive,ewc --presets "$PRESET"
           --iterations 15 --tasks 2 --hp ewc.fisher_samples=50 --threads 1 --no-plot --quiet)
GRID=("${GRID_BASE[@]}" --seeds 0-1)
# The table without time(s) and peak MiB, which are measurements, not results.
strip_times() { sed -E 's/ +[0-9.]+ +[0-9]+$//' "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
same_table() {
  diff <(strip_times "$1") <(strip_times "$2") || fail "tables differ: $1 $2"
  grep -Eq "class +naive" "$1" || fail "no naive row in $1"
}
