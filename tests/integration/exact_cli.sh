#!/usr/bin/env bash
# brink exact: prints exact odds for a reducible scenario, refuses the rest with reasons (exit 2).
source "$(dirname "$0")/lib.sh"

expect_exit 0 "reducible scenario" -- "$BRINK" exact tests/data/exact/four-rungs.yaml
grep -qE "^  escalation +0\.[0-9]{6}" "$WORK/out" && pass || { fail "no escalation probability printed"; cat "$WORK/out"; }
grep -qF "expected end tick" "$WORK/out" && pass || fail "no expected end tick printed"
expect_exit 0 "per-tick table" -- "$BRINK" exact tests/data/exact/short-horizon.yaml --per-tick
[ "$(grep -cE '^[0-9]+,' "$WORK/out")" -eq 13 ] && pass || fail "per-tick table should have ticks 0..12"
# The horizon mass splits by rung: with a war rung, both horizon outcomes are printed and add up to
# what the run without one calls a frozen conflict.
expect_exit 0 "war rung" -- "$BRINK" exact tests/data/exact/four-rungs.yaml --set outcomes.war_rung=crisis
/usr/bin/python3 - "$WORK/out" <<'PY' && pass || fail "exact: frozen conflict and ongoing war not printed or not positive"
import re, sys
text = open(sys.argv[1]).read()
p = {k: float(re.search(rf"^  {k} +([0-9.]+)", text, re.M).group(1)) for k in ("frozen conflict", "ongoing war")}
assert p["frozen conflict"] > 0 and p["ongoing war"] > 0, p
assert "an ongoing war at rung 2 (crisis) or above" in text
PY
expect_exit 0 "--set keeps it reducible" -- "$BRINK" exact tests/data/exact/four-rungs.yaml --set run.horizon=5
grep -qF "horizon 5 ticks" "$WORK/out" && pass || fail "--set run.horizon=5 not applied"

expect_exit 2 "baseline does not reduce" -- "$BRINK" exact scenarios/baseline.yaml
expect_stderr "does not reduce to a Markov chain on the ladder"
expect_stderr "leader 'putin' has rationality"
expect_exit 2 "--set can make it non-reducible" -- "$BRINK" exact tests/data/exact/four-rungs.yaml --set leaders.a.traits.rationality=3
expect_stderr "leader 'a' has rationality 3; the exact solver needs 0 (uniform choice)"
expect_exit 2 "bad scenario" -- "$BRINK" exact "$WORK/nope.yaml"
expect_stderr "nope.yaml"
finish
