#!/usr/bin/env bash
# brink calibrate and brink run --ensemble, driven as a user would: the folder's files,
# the same posterior on 1 and 2 threads, a kill -9 and a Ctrl-C resumed to the same end,
# an ensemble of one parameter set equal to --set, and every refusal with exit 2.
source "$(dirname "$0")/lib.sh"
TIMELINE=tests/data/timelines/small.yaml
DATED=(--set run.start_date=2021-12-17)
PARAMS=(--param 'leaders.red.traits.risk_tolerance=uniform(0.2, 0.9)' --param 'leaders.red.traits.rationality=loguniform(2, 50)')
CAL=("$BRINK" calibrate "$SMALL" "$TIMELINE" "${DATED[@]}" "${PARAMS[@]}" --until 2022-01-14 --particles 60 --runs-per-particle 60 --seed 7)

expect_exit 0 "calibrate" -- "${CAL[@]}" --threads 1 --out "$WORK/c1"
for f in posterior.csv diagnostics.csv summary.csv calibrated.yaml manifest.json calibration.state; do
  if [ -s "$WORK/c1/$f" ]; then pass; else fail "calibrate wrote no $f"; fi
done
if head -1 "$WORK/c1/posterior.csv" | grep -qx 'generation,particle,weight,temperature,log_likelihood,leaders.red.traits.risk_tolerance,leaders.red.traits.rationality'; then pass; else fail "posterior.csv header"; head -1 "$WORK/c1/posterior.csv"; fi
# the last generation is at temperature 1; every generation's weights sum to 1
if awk -F, 'NR > 1 { w[$1] += $3; t[$1] = $4; last = $1 } END { for (g in w) if (w[g] < 0.999999 || w[g] > 1.000001) exit 1; exit !(t[last] == 1) }' "$WORK/c1/posterior.csv"; then pass; else fail "weights or final temperature"; fi
if grep -q '"complete": true' "$WORK/c1/manifest.json" && grep -q '"kind": "calibration"' "$WORK/c1/manifest.json"; then pass; else fail "manifest"; fi
# calibrated.yaml is a scenario: it extends the original and loads
expect_exit 0 "calibrated.yaml validates" -- "$BRINK" validate "$WORK/c1/calibrated.yaml" "${DATED[@]}"
if grep -q '^extends: ".*tests/data/scenarios/small.yaml"' "$WORK/c1/calibrated.yaml"; then pass; else fail "calibrated.yaml extends"; cat "$WORK/c1/calibrated.yaml"; fi

# 2 threads: the same numbers (the wall seconds aside)
expect_exit 0 "calibrate, 2 threads" -- "${CAL[@]}" --threads 2 --out "$WORK/c2" --quiet
for f in posterior.csv summary.csv; do
  if cmp -s "$WORK/c1/$f" "$WORK/c2/$f"; then pass; else fail "$f differs between 1 and 2 threads"; fi
done
if cmp -s <(cut -d, -f1-8 "$WORK/c1/diagnostics.csv") <(cut -d, -f1-8 "$WORK/c2/diagnostics.csv"); then pass; else fail "diagnostics differ"; fi

# kill -9 once a generation is on disk, then resume: the same posterior (a longer calibration, so that it is caught midway)
LONG=("$BRINK" calibrate "$SMALL" "$TIMELINE" "${DATED[@]}" "${PARAMS[@]}" --until 2022-01-14 --particles 60 --runs-per-particle 400 --seed 7)
expect_exit 0 "the longer calibration, uninterrupted" -- "${LONG[@]}" --out "$WORK/whole" --quiet
"${LONG[@]}" --threads 2 --out "$WORK/k" --quiet >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 400); do
  [ "$( (wc -l < "$WORK/k/diagnostics.csv") 2>/dev/null || echo 0)" -ge 2 ] && break
  sleep 0.02
done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
if grep -q '"complete": false' "$WORK/k/manifest.json"; then pass; else fail "the calibration finished before the kill"; fi
expect_exit 0 "resume after kill -9" -- "$BRINK" calibrate --resume "$WORK/k" --quiet
if cmp -s "$WORK/whole/posterior.csv" "$WORK/k/posterior.csv"; then pass; else fail "resumed posterior differs"; fi

# Ctrl-C: exit 130, the generations so far kept, and a resume to the same end
"${LONG[@]}" --threads 2 --out "$WORK/i" --quiet >/dev/null 2>"$WORK/i.err" &
pid=$!
for _ in $(seq 1 400); do
  [ "$( (wc -l < "$WORK/i/diagnostics.csv") 2>/dev/null || echo 0)" -ge 2 ] && break
  sleep 0.02
done
kill -INT "$pid"; wait "$pid"; code=$?
if [ "$code" = 130 ]; then pass; else fail "Ctrl-C: exit $code, expected 130"; cat "$WORK/i.err"; fi
if grep -q "Continue with: brink calibrate --resume" "$WORK/i.err"; then pass; else fail "Ctrl-C: no resume hint"; fi
expect_exit 0 "resume after Ctrl-C" -- "$BRINK" calibrate --resume "$WORK/i" --quiet
if cmp -s "$WORK/whole/posterior.csv" "$WORK/i/posterior.csv"; then pass; else fail "posterior after Ctrl-C and resume differs"; fi
expect_exit 2 "resume a finished folder with other settings" -- "$BRINK" calibrate "$SMALL" "$TIMELINE" --resume "$WORK/i"
expect_stderr "takes the calibration's settings from"
# a folder from another model version is refused
cp -r "$WORK/c1" "$WORK/old" && sed -i 's/^model_version .*/model_version 1/' "$WORK/old/calibration.state"
sed -i 's/"model_version": [0-9]*/"model_version": 2/' "$WORK/old/manifest.json"
expect_exit 2 "resume another model version" -- "$BRINK" calibrate --resume "$WORK/old"
expect_stderr "model version 1"

# Refusals: exit 2, saying what and where
bad() {  # bad DESCRIPTION EXPECTED-TEXT -- calibrate arguments...
  local what=$1 text=$2; shift 3
  expect_exit 2 "$what" -- "$BRINK" calibrate "$SMALL" "$TIMELINE" "${DATED[@]}" --until 2022-01-14 --particles 10 --runs-per-particle 10 --out "$WORK/bad" "$@"
  expect_stderr "$text"
}
bad "unknown path" "unknown key 'trait'; did you mean 'traits'?" -- --param 'leaders.red.trait.risk_tolerance=uniform(0.2, 0.9)'
bad "prior outside the valid range" "leaders.red.traits.risk_tolerance: expected a number in [0, 1], found 1.5" -- --param 'leaders.red.traits.risk_tolerance=uniform(0.5, 1.5)'
bad "impossible bounds" "the lower bound (0.900000) must be below the upper (0.200000)" -- --param 'leaders.red.traits.risk_tolerance=uniform(0.9, 0.2)'
bad "unknown distribution" "unknown distribution 'gamma'" -- --param 'leaders.red.traits.risk_tolerance=gamma(1, 2)'
bad "not a number field" "leaders.red.name is a field of type string" -- --param 'leaders.red.name=uniform(0, 1)'
bad "a run setting" "run settings (horizon, calendar, runs, seed) are not model parameters" -- --param 'run.horizon=uniform(10, 20)'
bad "twice" "calibrated twice" -- --param 'leaders.red.traits.risk_tolerance=uniform(0.2, 0.9)' --param 'leaders.red.traits.risk_tolerance=uniform(0.2, 0.5)'
bad "no parameter" "give at least one --param"
expect_exit 2 "empty window" -- "$BRINK" calibrate "$SMALL" "$TIMELINE" "${DATED[@]}" --until 2021-12-20 --param 'leaders.red.traits.risk_tolerance=uniform(0.2, 0.9)' --out "$WORK/bad2"
expect_stderr "has no observation decided on or before 2021-12-20: nothing to calibrate against"
expect_exit 2 "bad --until" -- "$BRINK" calibrate "$SMALL" "$TIMELINE" "${DATED[@]}" --until 2022-02-30 --param 'leaders.red.traits.risk_tolerance=uniform(0.2, 0.9)' --out "$WORK/bad3"
expect_stderr "--until: expected a date YYYY-MM-DD, found '2022-02-30'"

# --ensemble with one parameter set plays exactly the runs of --set with its values
printf 'generation,particle,weight,temperature,log_likelihood,leaders.red.traits.risk_tolerance\n0,0,1,1,-1,0.55\n' > "$WORK/one.csv"
expect_exit 0 "run --ensemble, one set" -- "$BRINK" run "$SMALL" --ensemble "$WORK/one.csv" --runs 3000 --out "$WORK/e1" --quiet
expect_exit 0 "run --set, the same value" -- "$BRINK" run "$SMALL" --set leaders.red.traits.risk_tolerance=0.55 --runs 3000 --out "$WORK/s1" --quiet
if cmp -s <(cut -d, -f1-10 "$WORK/e1/runs.csv") <(cut -d, -f1-10 "$WORK/s1/runs.csv"); then pass; else fail "an ensemble of one differs from --set"; fi
if head -1 "$WORK/e1/runs.csv" | grep -q ',parameter_set$' && tail -1 "$WORK/e1/runs.csv" | grep -q ',0$'; then pass; else fail "runs.csv parameter_set column"; fi
# ... and the parameter spread of one set is zero
if awk -F, 'NR > 1 && $5 != 0 { exit 1 }' "$WORK/e1/uncertainty.csv"; then pass; else fail "one set has a parameter sd"; cat "$WORK/e1/uncertainty.csv"; fi
# the back-test and --given take an ensemble: one set gives --set's numbers exactly
expect_exit 0 "backtest --ensemble, one set" -- "$BRINK" backtest "$SMALL" "$TIMELINE" "${DATED[@]}" --ensemble "$WORK/one.csv" --runs 1000 --out "$WORK/be1" --quiet
expect_exit 0 "backtest --set" -- "$BRINK" backtest "$SMALL" "$TIMELINE" "${DATED[@]}" --set leaders.red.traits.risk_tolerance=0.55 --runs 1000 --out "$WORK/bs1" --quiet
for f in backtest.csv odds.csv stages.csv; do
  if cmp -s "$WORK/be1/$f" "$WORK/bs1/$f"; then pass; else fail "backtest $f: an ensemble of one differs from --set"; fi
done
if grep -q '"ensemble": ".*one.csv"' "$WORK/be1/manifest.json"; then pass; else fail "backtest manifest lacks the ensemble"; fi
expect_exit 0 "run --given --ensemble posterior" -- "$BRINK" run "$SMALL" "${DATED[@]}" --given "$TIMELINE" --as-of 2022-01-14 --ensemble "$WORK/c1/posterior.csv" --runs 1000 --threads 1 --out "$WORK/ge1" --quiet
expect_exit 0 "run --given --ensemble posterior, 2 threads" -- "$BRINK" run "$SMALL" "${DATED[@]}" --given "$TIMELINE" --as-of 2022-01-14 --ensemble "$WORK/c1/posterior.csv" --runs 1000 --threads 2 --out "$WORK/ge2" --quiet
if cmp -s "$WORK/ge1/odds.csv" "$WORK/ge2/odds.csv"; then pass; else fail "--given --ensemble differs between 1 and 2 threads"; fi

# the calibration's own posterior: on 1 and 2 threads the same, each run the member its id drew
expect_exit 0 "run --ensemble posterior" -- "$BRINK" run "$SMALL" "${DATED[@]}" --ensemble "$WORK/c1/posterior.csv" --runs 3000 --threads 1 --out "$WORK/p1" --quiet
expect_exit 0 "run --ensemble posterior, 2 threads" -- "$BRINK" run "$SMALL" "${DATED[@]}" --ensemble "$WORK/c1/posterior.csv" --runs 3000 --threads 2 --out "$WORK/p2" --quiet
for f in runs.csv ensemble.csv uncertainty.csv summary.csv; do
  if cmp -s "$WORK/p1/$f" "$WORK/p2/$f"; then pass; else fail "ensemble $f differs between 1 and 2 threads"; fi
done
# a run of member j is the run of the scenario with member j's values, run for run
read -r member risk rat < <(awk -F, 'NR == 2 { print $1, $3, $4 }' "$WORK/p1/ensemble.csv")
expect_exit 0 "run --set member 0" -- "$BRINK" run "$SMALL" "${DATED[@]}" --set "leaders.red.traits.risk_tolerance=$risk" --set "leaders.red.traits.rationality=$rat" --runs 3000 --out "$WORK/m0" --quiet
if awk -F, -v m="$member" 'NR == FNR { if (FNR > 1) { row = $1; for (i = 2; i <= 10; i++) row = row "," $i; want[$1] = row }; next }
       FNR > 1 && $NF == m { n++; row = $1; for (i = 2; i <= 10; i++) row = row "," $i; if (row != want[$1]) bad++ }
       END { exit !(n > 0 && bad == 0) }' "$WORK/m0/runs.csv" "$WORK/p1/runs.csv"; then pass; else fail "member $member's runs differ from --set"; fi
expect_exit 2 "ensemble: missing file" -- "$BRINK" run "$SMALL" --ensemble "$WORK/none.csv" --out "$WORK/x1"
expect_stderr "cannot be read"
printf 'generation,particle,weight\n' > "$WORK/bad.csv"
expect_exit 2 "ensemble: bad header" -- "$BRINK" run "$SMALL" --ensemble "$WORK/bad.csv" --out "$WORK/x2"
expect_stderr "bad.csv:1: expected the header"
printf 'generation,particle,weight,temperature,log_likelihood,leaders.red.traits.risk_tolerance\n0,0,1,1,-1,abc\n' > "$WORK/bad2.csv"
expect_exit 2 "ensemble: not a number" -- "$BRINK" run "$SMALL" --ensemble "$WORK/bad2.csv" --out "$WORK/x3"
expect_stderr "bad2.csv:2: column leaders.red.traits.risk_tolerance: expected a number, found 'abc'"
expect_exit 2 "ensemble: resume refused" -- "$BRINK" run --resume "$WORK/e1"
expect_stderr "cannot be resumed yet"
finish
