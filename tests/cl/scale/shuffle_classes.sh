# `compare --shuffle-classes`: each cell's class order comes from its seed, the same whether the
# cell runs in this process (--jobs 1) or as a child process (--jobs 2); without the flag the
# order is 0..C-1; the flag is part of the cells' identity, so a resumed grid never mixes them.
source "$(dirname "$0")/common.sh"
order() { grep -o '"classes [0-9,]*"' "$1" | tr -d '"' | paste -sd ';'; }
cell() { ls "$WORK/$1"/cells/*-s"$2"-*.json | grep -- "-naive-"; }
"$ENGRAM" compare "${GRID_BASE[@]}" --seeds 1-2 --shuffle-classes --jobs 1 --out-dir "$WORK/j1"
"$ENGRAM" compare "${GRID_BASE[@]}" --seeds 1-2 --shuffle-classes --jobs 2 --out-dir "$WORK/j2"
"$ENGRAM" compare "${GRID_BASE[@]}" --seeds 1-2 --jobs 1 --out-dir "$WORK/fixed"
same_table "$WORK/j1/table.txt" "$WORK/j2/table.txt"
fixed="classes 0,1,2,3,4;classes 5,6,7,8,9"
[ "$(order "$(cell fixed 1)")" = "$fixed" ] || fail "unshuffled order: $(order "$(cell fixed 1)")"
s1=$(order "$(cell j1 1)") s2=$(order "$(cell j1 2)")
echo "seed 1: $s1"
echo "seed 2: $s2"
[ "$s1" != "$fixed" ] || fail "seed 1 kept the order 0..C-1"
[ "$s1" != "$s2" ] || fail "seeds 1 and 2 drew the same order"
[ "$(order "$(cell j2 1)")" = "$s1" ] || fail "a child process drew another order for seed 1"
[ "$(basename "$(cell j1 1)")" != "$(basename "$(cell fixed 1)")" ] || fail "same cell name with and without the flag"
echo "shuffle classes: ok"
