#!/usr/bin/env bash
# brink run --record events: events.csv in long form, the same bytes on 1 and 2 threads, a
# subset equal to the full file's rows for those runs, and every move and rung change in
# agreement with runs.csv (each leader's action counts, each rung's first tick).
source "$(dirname "$0")/lib.sh"
BASE=scenarios/baseline.yaml

expect_exit 0 "events, 1 thread" -- "$BRINK" run "$BASE" --runs 300 --seed 5 --threads 1 --record events --out "$WORK/e1" --quiet
expect_exit 0 "events, 2 threads" -- "$BRINK" run "$BASE" --runs 300 --seed 5 --threads 2 --record events --out "$WORK/e2" --quiet
if cmp -s "$WORK/e1/events.csv" "$WORK/e2/events.csv"; then pass; else fail "events.csv differs between 1 and 2 threads"; fi
expect_exit 0 "events of a subset" -- "$BRINK" run "$BASE" --runs 300 --seed 5 --record events --record-runs 3-5,250 --out "$WORK/sub" --quiet
if [ "$(awk -F, 'NR == 1 || $1 == 3 || $1 == 4 || $1 == 5 || $1 == 250' "$WORK/e1/events.csv")" = "$(cat "$WORK/sub/events.csv")" ]; then pass
else fail "--record-runs 3-5,250 is not the full file's rows of those runs"; fi
expect_exit 0 "no events unless asked" -- "$BRINK" run "$BASE" --runs 50 --seed 5 --out "$WORK/none" --quiet
if [ -e "$WORK/none/events.csv" ]; then fail "events.csv written without --record"; else pass; fi

if /usr/bin/python3 - "$WORK/e1" <<'PY'
import sys
import pandas as pd
folder = sys.argv[1]
events = pd.read_csv(f"{folder}/events.csv", parse_dates=["date"])
runs = pd.read_csv(f"{folder}/runs.csv")
assert list(events.columns) == ["run_id", "tick", "date", "kind", "who", "what", "detail"], list(events.columns)
assert set(events.kind) <= {"move", "misread", "event", "rung", "level", "mode", "commitment"}, set(events.kind)
for kind in ("move", "rung", "level", "event", "misread", "mode", "commitment"):
    assert (events.kind == kind).any(), f"no {kind} events in 300 baseline runs"
moves = events[events.kind == "move"].groupby(["run_id", "who", "what"]).size()
count_columns = [c for c in runs.columns if c.startswith(("biden_", "putin_"))]
for row in runs.itertuples(index=False):
    r = row._asdict()
    for c in count_columns:
        who, what = c.split("_", 1)
        got = int(moves.get((r["run_id"], who, what), 0))
        assert got == r[c], f"run {r['run_id']}: {c} {r[c]} in runs.csv, {got} moves in events.csv"
rungs = [c[len("first_tick_"):] for c in runs.columns if c.startswith("first_tick_") and not c.startswith(("first_tick_level_", "first_tick_mode_"))]
changes = events[events.kind == "rung"]
first = changes.groupby(["run_id", "what"]).tick.min()
for row in runs.itertuples(index=False):
    r = row._asdict()
    for rung in rungs:
        t = r[f"first_tick_{rung}"]
        if pd.isna(t) or t == 0:
            continue
        assert first.get((r["run_id"], rung)) == t, f"run {r['run_id']}: first tick at {rung} {t}, events say {first.get((r['run_id'], rung))}"
# Every tick of every run has both leaders' moves, and nothing after the run's end.
per_tick = events[events.kind == "move"].groupby(["run_id", "tick"]).size()
assert (per_tick == 2).all()
end = runs.set_index("run_id").end_tick
assert (events.tick <= events.run_id.map(end)).all()
PY
then pass; else fail "events.csv disagrees with runs.csv"; fi

expect_exit 2 "unknown --record" -- "$BRINK" run "$SMALL" --runs 10 --record moves --out "$WORK/x1"
expect_stderr "--record takes 'events', found 'moves'"
expect_exit 2 "bad --record-runs" -- "$BRINK" run "$SMALL" --runs 10 --record events --record-runs 5-2 --out "$WORK/x2"
expect_stderr "--record-runs: expected run ids and ranges like 0-99,250,1000-"
expect_exit 2 "--record-runs alone" -- "$BRINK" run "$SMALL" --runs 10 --record-runs 1 --out "$WORK/x3"
expect_stderr "--record-runs goes with --record events"
finish
