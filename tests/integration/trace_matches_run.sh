#!/usr/bin/env bash
# A trace replays exactly the run whose row is in runs.csv (outcome, end tick, final state).
source "$(dirname "$0")/lib.sh"
"$BRINK" run "$SMALL" --runs 300 --seed 9 --out "$WORK/r" --quiet >/dev/null || fail "run"
for id in 0 7 123 299; do
  row=$(awk -F, -v id="$id" 'NR > 1 && $1 == id' "$WORK/r/runs.csv")
  outcome=$(echo "$row" | cut -d, -f3)
  end_tick=$(echo "$row" | cut -d, -f4)
  "$BRINK" trace "$SMALL" --run "$id" --seed 9 --format csv > "$WORK/t.csv" || fail "trace $id"
  last_tick=$(tail -1 "$WORK/t.csv" | cut -d, -f3)
  [ "$last_tick" = "$end_tick" ] && pass || fail "run $id: trace ends at tick $last_tick, runs.csv says $end_tick"
  "$BRINK" trace "$SMALL" --run "$id" --seed 9 --format json > "$WORK/t.json"
  grep -q "\"outcome\": \"$outcome\"" "$WORK/t.json" && pass || fail "run $id: trace outcome differs from $outcome"
  "$BRINK" trace "$SMALL" --run "$id" --seed 9 > "$WORK/t.txt"
  grep -q "^Outcome: $outcome at tick $end_tick " "$WORK/t.txt" && pass || fail "run $id: story header wrong"
done
# --outcome finds the first run with that outcome, and that run's row agrees.
"$BRINK" trace "$SMALL" --seed 9 --outcome escalation --format json > "$WORK/e.json" || fail "trace --outcome"
id=$(grep -m1 '"run_id"' "$WORK/e.json" | tr -dc '0-9')
first=$(awk -F, 'NR > 1 && $3 == "escalation" {print $1; exit}' "$WORK/r/runs.csv")
[ "$id" = "$first" ] && pass || fail "--outcome escalation found run $id, runs.csv's first is $first"
expect_exit 2 "bad format" -- "$BRINK" trace "$SMALL" --format xml
expect_stderr "--format must be text, csv or json"
finish
