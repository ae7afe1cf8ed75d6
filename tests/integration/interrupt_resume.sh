#!/usr/bin/env bash
# SIGINT stops a batch cleanly (exit 130, manifest incomplete); --resume finishes it with
# files byte-identical to an uninterrupted batch. kill -9 loses only unflushed runs.
source "$(dirname "$0")/lib.sh"
RUNS=200000
"$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/whole" --quiet >/dev/null || fail "uninterrupted run"

interrupt_after() {  # SIGNAL SECONDS DIR
  "$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$3" --quiet >"$WORK/out" 2>"$WORK/err" &
  local pid=$!
  sleep "$2"
  kill "-$1" "$pid"
  wait "$pid"
}

interrupt_after INT 1.0 "$WORK/int"
code=$?
[ "$code" -eq 130 ] && pass || fail "SIGINT exit $code, expected 130"
grep -q '"complete": false' "$WORK/int/manifest.json" && pass || fail "manifest not marked incomplete"
lines=$(wc -l < "$WORK/int/runs.csv")
[ "$lines" -gt 1 ] && [ "$lines" -le $RUNS ] && pass || fail "interrupted runs.csv has $lines lines"
"$BRINK" run --resume "$WORK/int" --quiet >/dev/null && pass || fail "resume after SIGINT"
same_files "$WORK/whole" "$WORK/int"
grep -q '"complete": true' "$WORK/int/manifest.json" && pass || fail "resumed manifest not complete"

interrupt_after TERM 1.0 "$WORK/term"
code=$?
[ "$code" -eq 143 ] && pass || fail "SIGTERM exit $code, expected 143"
"$BRINK" run --resume "$WORK/term" --quiet >/dev/null && pass || fail "resume after SIGTERM"
same_files "$WORK/whole" "$WORK/term"

interrupt_after KILL 3.0 "$WORK/killed"
"$BRINK" run --resume "$WORK/killed" --quiet >/dev/null && pass || fail "resume after kill -9"
same_files "$WORK/whole" "$WORK/killed"

# Resuming a finished batch is refused.
expect_exit 2 "resume finished" -- "$BRINK" run --resume "$WORK/whole"
expect_stderr "nothing to resume"
finish
