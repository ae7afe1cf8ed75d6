#!/usr/bin/env bash
# Bad flags, bad scenarios and unwritable folders: exit 2, a clear message, nothing written.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/folders.sh"

expect_exit 2 "no subcommand" -- "$BRINK"
expect_exit 2 "unknown flag" -- "$BRINK" run "$SMALL" --rnus 10
expect_exit 2 "runs not a number" -- "$BRINK" run "$SMALL" --runs ten --out "$WORK/a"
expect_exit 2 "runs zero" -- "$BRINK" run "$SMALL" --runs 0 --out "$WORK/a"
expect_stderr "--runs must be a positive integer"
expect_exit 2 "negative seed" -- "$BRINK" run "$SMALL" --seed -3 --out "$WORK/a"
expect_exit 2 "seed too large" -- "$BRINK" run "$SMALL" --seed 18446744073709551616 --out "$WORK/a"
expect_stderr "--seed must be an integer"
expect_exit 2 "trace seed too large" -- "$BRINK" trace "$SMALL" --seed 99999999999999999999
expect_stderr "--seed must be an integer in [0, 18446744073709551615]"
expect_exit 2 "precision out of range" -- "$BRINK" run "$SMALL" --precision 0.7 --out "$WORK/a"
expect_exit 2 "both scenario and resume" -- "$BRINK" run "$SMALL" --resume "$WORK/a"
expect_exit 2 "neither scenario nor resume" -- "$BRINK" run
expect_exit 2 "missing scenario" -- "$BRINK" run "$WORK/nope.yaml" --out "$WORK/a"
expect_stderr "nope.yaml: cannot open: no such file"
expect_stderr "the shipped scenarios are in $PWD/scenarios/"
# A shipped scenario's name typed outside the clone: brink names the file it probably meant.
src=$PWD
cd "$WORK" || exit 1
expect_exit 2 "a shipped scenario's bare name, elsewhere" -- "$BRINK" validate baseline.yaml
expect_stderr "did you mean $src/scenarios/baseline.yaml?"
cd "$src" || exit 1
expect_exit 2 "bad --set" -- "$BRINK" run "$SMALL" --set leaders.blue.traits.rationality=abc --out "$WORK/a"
expect_stderr "--set:1:"
[ ! -e "$WORK/a" ] && pass || fail "a failed start created $WORK/a"

# Unwritable output folders: under a regular file, and a read-only folder (really read-only
# as root too: a read-only bind mount, see folders.sh).
touch "$WORK/file"
expect_exit 2 "output under a file" -- "$BRINK" run "$SMALL" --runs 10 --out "$WORK/file/sub"
expect_stderr "cannot create the output folder"
mkdir -p "$WORK/full" && touch "$WORK/full/x"
expect_exit 2 "output folder not empty" -- "$BRINK" run "$SMALL" --runs 10 --out "$WORK/full"
expect_stderr "already holds files"
[ "$(ls "$WORK/full")" = "x" ] && pass || fail "refused folder was written to"
mkdir -p "$WORK/ro"
if check_readonly_works "$WORK/ro"; then
  expect_exit 2 "read-only output folder" -- readonly_run "$WORK/ro" "$BRINK" run "$SMALL" --runs 10 --out "$WORK/ro"
  expect_stderr "cannot write to the output folder $WORK/ro: "
  [ -z "$(ls -A "$WORK/ro")" ] && pass || fail "the read-only output folder was written to"
fi
expect_exit 2 "resume of a non-result folder" -- "$BRINK" run --resume "$WORK/full"
expect_stderr "not a Brink result folder"

# validate: ok, broken, several files.
expect_exit 0 "validate ok" -- "$BRINK" validate "$SMALL"
grep -q "ok — Small test world" "$WORK/out" && pass || fail "validate summary missing"
! grep -q "firebreak" "$WORK/out" && pass || fail "validate shows a firebreak the scenario does not have"
expect_exit 0 "validate with a firebreak" -- "$BRINK" validate "$SMALL" --set ladder.rungs.4.up_threshold=2.5
grep -q "firebreak: a step up into clash at pressure 2.5 (the ladder's: 1)" "$WORK/out" && pass || fail "validate does not show the firebreak"
! grep -qE "hidden modes|commitment|nuclear track|jumps:" "$WORK/out" && pass || fail "validate shows a version-2 mechanism small.yaml does not have"
# validate shows the version-2 mechanisms a scenario uses, one line each.
expect_exit 0 "validate version 2" -- "$BRINK" validate tests/data/scenarios/small-v2.yaml --set commitments.retaliation.window=1
for line in "hidden modes: coerce (initial) · decided · talks" \
            "commitment sanctions_warning: blue answers attack with sanction within 3 ticks; credibility 0.7; declared by warn" \
            "commitment retaliation: red answers sanction with threaten within 1 tick; credibility 0; standing" \
            "nuclear track: 0 normal · 1 alert · 2 use (terminal); starts at level 0; escalation at level 2" \
            "nuclear firebreak: a step up into use at pressure 3.5 (the track's: 2)" \
            "jumps: attack · to war with p 0.6 · to clash with p 0.1" \
            "foresight 3 ticks, discount 0.8" \
            "at the horizon: ongoing war at or above rung 3, else a frozen conflict"; do
  grep -qF "$line" "$WORK/out" && pass || fail "validate does not show: $line"
done
# trace tells when a step crosses a firebreak (an escalating run from buildup must cross
# the one into crisis), and says nothing of firebreaks a scenario does not have.
expect_exit 0 "trace with a firebreak" -- "$BRINK" trace "$SMALL" --outcome escalation --set ladder.rungs.3.up_threshold=1.2
grep -q "UP to 3 crisis .*; crossed the firebreak into crisis (threshold +1.20)" "$WORK/out" && pass || fail "trace does not say the run crossed the firebreak"
expect_exit 0 "trace without firebreaks" -- "$BRINK" trace "$SMALL" --outcome escalation
! grep -q "firebreak" "$WORK/out" && pass || fail "trace mentions a firebreak the scenario does not have"
# The horizon outcomes: --outcome takes the new names, and "stalemate" is explained, not just refused.
expect_exit 0 "trace an ongoing war" -- "$BRINK" trace "$SMALL" --outcome ongoing_war --set outcomes.war_rung=2
grep -q "^End: ongoing_war at tick .*no outcome by tick .*, at or above the war rung 2 (.*): an ongoing war\.$" "$WORK/out" && pass \
  || fail "trace does not say why the run is an ongoing war"
expect_exit 0 "trace a frozen conflict" -- "$BRINK" trace "$SMALL" --outcome frozen_conflict
grep -q "^End: frozen_conflict at tick .*: a frozen conflict (the scenario sets no outcomes.war_rung)\.$" "$WORK/out" && pass \
  || fail "trace does not say why the run is a frozen conflict"
# --outcome also takes the words the tables print: the same run as the file's spelling.
for pair in "de-escalation:deescalation" "frozen conflict:frozen_conflict" "frozen-conflict:frozen_conflict"; do
  expect_exit 0 "trace --outcome '${pair%%:*}'" -- "$BRINK" trace "$SMALL" --outcome "${pair%%:*}" --format csv
  mv "$WORK/out" "$WORK/printed"
  "$BRINK" trace "$SMALL" --outcome "${pair##*:}" --format csv > "$WORK/spelt" 2>/dev/null
  cmp -s "$WORK/printed" "$WORK/spelt" && pass || fail "--outcome '${pair%%:*}' is not the run of ${pair##*:}"
done
expect_exit 2 "trace --outcome stalemate" -- "$BRINK" trace "$SMALL" --outcome stalemate
expect_stderr "--outcome must be escalation, deescalation, frozen_conflict or ongoing_war, found 'stalemate' (a run that reaches the horizon is now a frozen_conflict or an ongoing_war"
printf 'world: [\n' > "$WORK/bad.yaml"
expect_exit 2 "validate malformed" -- "$BRINK" validate "$SMALL" "$WORK/bad.yaml"
expect_stderr "bad.yaml:1:8: malformed YAML: this '[' is never closed"

# A good run: exit 0, files in place, the table on stdout.
expect_exit 0 "small run" -- "$BRINK" run "$SMALL" --runs 300 --out "$WORK/ok" --quiet
grep -q "escalation" "$WORK/out" && grep -q "results in: $WORK/ok/" "$WORK/out" && pass || fail "result table missing"
[ "$(wc -l < "$WORK/ok/runs.csv")" -eq 301 ] && pass || fail "runs.csv should have 301 lines"
! grep -q "^with --set" "$WORK/out" && pass || fail "a plain run says 'with --set'"
# A --set run says so under the scenario's name, so its table is not mistaken for the plain scenario's.
expect_exit 0 "a --set run" -- "$BRINK" run "$SMALL" --runs 100 --set leaders.blue.traits.rationality=30 \
  --set run.horizon=20 --out "$WORK/set" --quiet
grep -qx "with --set leaders.blue.traits.rationality=30, run.horizon=20" "$WORK/out" && pass || fail "the overrides are not named"

# sensitivity's table: a first-order index of -1.067 (tiny design, seed 4) is printed as a number,
# not as "-" (which means "that method was not run"), and noisy estimates get a note.
expect_exit 0 "a tiny Sobol design" -- "$BRINK" sensitivity "$SMALL" --params leaders.blue.traits.risk_tolerance:0.1:0.9 \
  --params world.variables.channel.initial:0:0.8 --runs 10 --samples 4 --method sobol --seed 4 --out "$WORK/sens" --quiet
grep -Eq '^  world\.variables\.channel\.initial +1\.067 \[0\.000, 3\.429\] +-1\.067 \[-6\.857, 0\.000\] +- +-$' "$WORK/out" \
  && pass || fail "S1 = -1.067 not printed as a number"
grep -q "Some Sobol estimates fall outside \[0, 1\] or have S1 above ST" "$WORK/out" && pass || fail "no note on noisy estimates"
expect_exit 0 "a Morris screen" -- "$BRINK" sensitivity "$SMALL" --params leaders.blue.traits.risk_tolerance:0.1:0.9 \
  --params world.variables.channel.initial:0:0.8 --runs 10 --method morris --trajectories 2 --out "$WORK/morris" --quiet
! grep -q "Some Sobol estimates" "$WORK/out" && pass || fail "a note on Sobol estimates where none was run"
finish
