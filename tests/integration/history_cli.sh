#!/usr/bin/env bash
# brink backtest and brink run --given, driven as a user would: the files they write,
# the same files on 1 and 2 threads, and every refusal with exit 2 and a located message.
source "$(dirname "$0")/lib.sh"
TIMELINE=tests/data/timelines/small.yaml
DATED=(--set run.start_date=2021-12-17)

expect_exit 0 "backtest" -- "$BRINK" backtest "$SMALL" "$TIMELINE" "${DATED[@]}" --runs 2000 --threads 1 --out "$WORK/bt1"
for f in backtest.csv scores.csv reliability.csv backtest.json odds.csv stages.csv forecasts.csv manifest.json; do
  if [ -s "$WORK/bt1/$f" ]; then pass; else fail "backtest wrote no $f"; fi
done
expect_exit 0 "backtest on 2 threads" -- "$BRINK" backtest "$SMALL" "$TIMELINE" "${DATED[@]}" --runs 2000 --threads 2 --out "$WORK/bt2"
for f in backtest.csv scores.csv reliability.csv backtest.json odds.csv stages.csv; do
  if cmp -s "$WORK/bt1/$f" "$WORK/bt2/$f"; then pass; else fail "$f differs between 1 and 2 threads"; fi
done
# Brink's rows: one per question; the forecasters': one per forecast, with Brink's beside.
if [ "$(grep -c '^crisis_by_february,Brink,' "$WORK/bt1/backtest.csv")" = 1 ]; then pass; else fail "no Brink row"; fi
if [ "$(grep -c '^crisis_by_february,Panel,' "$WORK/bt1/backtest.csv")" = 2 ]; then pass; else fail "forecast rows"; fi
# --until: a question resolving on or before it is left out.
expect_exit 0 "backtest --until" -- "$BRINK" backtest "$SMALL" "$TIMELINE" "${DATED[@]}" --runs 500 --until 2022-02-01 --out "$WORK/until"
if grep -q '^crisis_by_february' "$WORK/until/backtest.csv"; then fail "--until kept a question resolved on it"; else pass; fi
if grep -q '^settled_by_march,Brink' "$WORK/until/backtest.csv"; then pass; else fail "--until dropped a later question"; fi

# A series of dates; the conditioned files on 1 and 2 threads.
expect_exit 0 "run --given" -- "$BRINK" run "$SMALL" "${DATED[@]}" --given "$TIMELINE" --as-of 2021-12-17:2022-01-14:7d --runs 2000 --threads 1 --out "$WORK/g1"
expect_exit 0 "run --given, 2 threads" -- "$BRINK" run "$SMALL" "${DATED[@]}" --given "$TIMELINE" --as-of 2021-12-17:2022-01-14:7d --runs 2000 --threads 2 --out "$WORK/g2"
for f in odds.csv stages.csv; do
  if cmp -s "$WORK/g1/$f" "$WORK/g2/$f"; then pass; else fail "$f differs between 1 and 2 threads"; fi
done
dates=$(cut -d, -f1 "$WORK/g1/odds.csv" | tail -n +2 | sort -u | tr '\n' ' ')
if [ "$dates" = "2021-12-17 2021-12-24 2021-12-31 2022-01-07 2022-01-14 " ]; then pass; else fail "as-of dates: $dates"; fi
# Three stages by 14 Jan: the threat (tick 2), the tension (tick 3), no clash (tick 4).
if grep -q '^2022-01-14,3,4,2022-01-14,no_clash,' "$WORK/g1/stages.csv"; then pass; else fail "stage at tick 4 missing"; cat "$WORK/g1/stages.csv"; fi

# validate --timeline: each item as the scenario reads it, with its ticks.
expect_exit 0 "validate --timeline" -- "$BRINK" validate "$SMALL" "${DATED[@]}" --timeline "$TIMELINE"
if grep -qF "red plays threaten in 2021-12-18..2021-12-31 (ticks 1-2)" "$WORK/out"; then pass; else fail "validate --timeline: the move's ticks"; cat "$WORK/out"; fi

# Refusals: exit 2 and a message that says where.
cp "$TIMELINE" "$WORK/broken.yaml"
sed -i 's/move: threaten/move: threatn/' "$WORK/broken.yaml"
expect_exit 2 "unknown action" -- "$BRINK" backtest "$SMALL" "$WORK/broken.yaml" "${DATED[@]}" --runs 100 --out "$WORK/x1"
expect_stderr "broken.yaml:10:11: observations[0].move: unknown action in red's menu 'threatn'; did you mean 'threaten'?"
if [ -e "$WORK/x1" ]; then fail "a refused backtest created its folder"; else pass; fi
expect_exit 2 "validate a broken timeline" -- "$BRINK" validate "$SMALL" "${DATED[@]}" --timeline "$WORK/broken.yaml"
expect_stderr "did you mean 'threaten'?"
expect_exit 2 "no calendar" -- "$BRINK" backtest "$SMALL" "$TIMELINE" --runs 100 --out "$WORK/x2"
expect_stderr "has no calendar: give it run.start_date"
expect_exit 2 "as-of before the start" -- "$BRINK" run "$SMALL" "${DATED[@]}" --given "$TIMELINE" --as-of 2021-12-01 --runs 100 --out "$WORK/x3"
expect_stderr "--as-of 2021-12-01 is outside the scenario's dates (2021-12-17 to 2022-07-15)"
expect_exit 2 "bad as-of step" -- "$BRINK" run "$SMALL" "${DATED[@]}" --given "$TIMELINE" --as-of 2021-12-17:2022-01-14:7x --out "$WORK/x4"
expect_stderr "the step is a number of days or weeks"
expect_exit 2 "as-of without given" -- "$BRINK" run "$SMALL" --as-of 2021-12-17 --out "$WORK/x5"
expect_stderr "--as-of and --ess-floor go with --given TIMELINE"
expect_exit 2 "given without as-of" -- "$BRINK" run "$SMALL" "${DATED[@]}" --given "$TIMELINE" --out "$WORK/x6"
expect_stderr "--given needs --as-of"
# An observation no run satisfies: named, exit 2.
sed 's/^questions:/  - id: impossible\n    source: test\n    rung: buildup\n    reached: false\n    by: 2021-12-24\nquestions:/' "$TIMELINE" > "$WORK/impossible.yaml"
expect_exit 2 "impossible observation" -- "$BRINK" run "$SMALL" "${DATED[@]}" --given "$WORK/impossible.yaml" --as-of 2022-01-14 --runs 100 --out "$WORK/x7"
expect_stderr "impossible ("
expect_stderr "rung buildup not reached by 2021-12-24"

# brink branch. From tick 0 it is brink run's distribution (a z-test on each outcome's share).
expect_exit 0 "run" -- "$BRINK" run tests/data/scenarios/small-risky.yaml --runs 20000 --seed 3 --out "$WORK/plain" --quiet
expect_exit 0 "branch from tick 0" -- "$BRINK" branch tests/data/scenarios/small-risky.yaml --run 0 --tick 0 --runs 20000 --seed 4 --out "$WORK/b0" --quiet
for o in escalation deescalation; do
  a=$(cut -d, -f3 "$WORK/plain/runs.csv" | grep -c "^$o$"); b=$(cut -d, -f3 "$WORK/b0/runs.csv" | grep -c "^$o$")
  if awk -v a="$a" -v b="$b" 'BEGIN { p = a / 20000; q = b / 20000; s = sqrt((p * (1 - p) + q * (1 - q)) / 20000); z = (p - q) / (s > 0 ? s : 1); exit !(z < 4 && z > -4) }'; then pass; else fail "branch from tick 0: $o $b vs run $a of 20000"; fi
done
# A state file written by trace and read by branch continues exactly the same run state:
# the branches' outcomes and end ticks equal those of branching from the run itself.
expect_exit 0 "save state" -- "$BRINK" trace "$SMALL" --run 5 --seed 8 --tick 2 --save-state "$WORK/state.yaml"
expect_exit 0 "branch from state" -- "$BRINK" branch "$SMALL" --state "$WORK/state.yaml" --runs 3000 --threads 1 --out "$WORK/bs1" --quiet
expect_exit 0 "branch from state, 2 threads" -- "$BRINK" branch "$SMALL" --state "$WORK/state.yaml" --runs 3000 --threads 2 --out "$WORK/bs2" --quiet
expect_exit 0 "branch from the run" -- "$BRINK" branch "$SMALL" --run 5 --run-seed 8 --tick 2 --runs 3000 --out "$WORK/br" --quiet
same_files "$WORK/bs1" "$WORK/bs2"
if [ "$(cut -d, -f3,4 "$WORK/bs1/runs.csv")" = "$(cut -d, -f3,4 "$WORK/br/runs.csv")" ]; then pass; else fail "state file and run give different branches"; fi
# Refusals.
sed 's/^rung: .*/rung: crisys/' "$WORK/state.yaml" > "$WORK/bad-state.yaml"
expect_exit 2 "bad rung in a state file" -- "$BRINK" branch "$SMALL" --state "$WORK/bad-state.yaml" --runs 10 --out "$WORK/x8"
expect_stderr "bad-state.yaml:7:7: rung: unknown rung 'crisys'; did you mean 'crisis'?"
sed 's/^  tension: .*/  tension: 1.5/' "$WORK/state.yaml" > "$WORK/bad-state.yaml"
expect_exit 2 "variable out of range" -- "$BRINK" branch "$SMALL" --state "$WORK/bad-state.yaml" --runs 10 --out "$WORK/x9"
expect_stderr "variables.tension: expected a number in [0, 1], found '1.5'"
expect_exit 2 "branch with both origins" -- "$BRINK" branch "$SMALL" --state "$WORK/state.yaml" --run 1 --tick 2 --out "$WORK/x10"
expect_stderr "give either --run ID --tick T"
expect_exit 2 "a run that ended before the tick" -- "$BRINK" branch "$SMALL" --run 0 --tick 29 --out "$WORK/x11"
expect_stderr "before tick 29; pause it earlier"
finish
