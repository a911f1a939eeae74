# --hp-grid records the grid, every validation score and the chosen setting in results.json, and
# its validation runs are evaluated on the held-out split (never on the test set).
source "$(dirname "$0")/common.sh"
"$ENGRAM" compare "${GRID_BASE[@]}" --seeds 0-1 --hp-grid ewc.lambda=1,1e4 --out-dir "$WORK/hp"
/usr/bin/env python3 - "$WORK/hp" <<'PY'
import glob, json, sys
out = sys.argv[1]
doc = json.load(open(f"{out}/results.json"))
hp = doc["hp_search"]
assert hp["grid"] == {"ewc.lambda": ["1", "1e4"]}, hp["grid"]
assert hp["validation_fraction"] == 0.1 and hp["seed"] == 0
(choice,) = hp["choices"]
assert [s["setting"] for s in choice["scores"]] == ["lambda=1", "lambda=1e4"], choice
assert all(isinstance(s["validation_acc"], float) for s in choice["scores"]), choice
best = max(choice["scores"], key=lambda s: s["validation_acc"])["setting"]
assert choice["chosen"] == best, (choice["chosen"], best)
# Test-set runs only in "runs", with the chosen lambda, on both seeds.
ewc = [r for r in doc["runs"] if r["strategy"] == "ewc"]
assert sorted(r["seed"] for r in ewc) == [0, 1]
assert all(r["evaluated_on"] == "test" for r in doc["runs"])
assert all(r["hyperparameters"]["lambda"] == float(best.split("=")[1]) for r in ewc)
# The validation runs: evaluated on the held-out split, tasks marked as such.
val = [json.load(open(p))["runs"][0] for p in glob.glob(f"{out}/cells/*-val-*.json")]
assert len(val) == 2, len(val)
for r in val:
    assert r["evaluated_on"] == "validation" and r["validation_fraction"] == 0.1, r
    assert all(t.endswith("(validation)") for t in r["tasks"]), r["tasks"]
print("hp grid json: ok")
PY
