#!/usr/bin/env bash
# SIGINT stops a batch cleanly (exit 130, manifest incomplete); --resume finishes it with
# files byte-identical to an uninterrupted batch. kill -9 loses only unflushed runs.
source "$(dirname "$0")/lib.sh"
# Large enough that the batch is still running at the signal; smaller under sanitizers (slower).
RUNS=${BRINK_INTERRUPT_RUNS:-600000}
"$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/whole" --quiet >/dev/null || fail "uninterrupted run"

interrupt_after() {  # SIGNAL MIN_BYTES DIR [FILE]: signal once DIR/FILE (runs.csv.partial) holds MIN_BYTES
  "$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$3" --quiet >"$WORK/out" 2>"$WORK/err" &
  local pid=$! waited=0 file="$3/${4:-runs.csv.partial}"
  # Wait for real progress rather than a fixed time, so a fast machine cannot finish first.
  while [ "$(stat -c %s "$file" 2>/dev/null || echo 0)" -lt "$2" ] && kill -0 "$pid" 2>/dev/null && [ $waited -lt 600 ]; do
    sleep 0.05
    waited=$((waited + 1))
  done
  kill -0 "$pid" 2>/dev/null || fail "the batch in $3 ended before the signal; raise RUNS"
  kill "-$1" "$pid"
  wait "$pid"
}

interrupt_after INT 300000 "$WORK/int"
code=$?
[ "$code" -eq 130 ] && pass || fail "SIGINT exit $code, expected 130"
grep -q '"complete": false' "$WORK/int/manifest.json" && pass || fail "manifest not marked incomplete"
lines=$(wc -l < "$WORK/int/runs.csv")
[ "$lines" -gt 1 ] && [ "$lines" -le $RUNS ] && pass || fail "interrupted runs.csv has $lines lines"
"$BRINK" run --resume "$WORK/int" --quiet >/dev/null && pass || fail "resume after SIGINT"
same_files "$WORK/whole" "$WORK/int"
grep -q '"complete": true' "$WORK/int/manifest.json" && pass || fail "resumed manifest not complete"

interrupt_after TERM 300000 "$WORK/term"
code=$?
[ "$code" -eq 143 ] && pass || fail "SIGTERM exit $code, expected 143"
"$BRINK" run --resume "$WORK/term" --quiet >/dev/null && pass || fail "resume after SIGTERM"
same_files "$WORK/whole" "$WORK/term"

interrupt_after KILL 3000000 "$WORK/killed"
"$BRINK" run --resume "$WORK/killed" --quiet >/dev/null && pass || fail "resume after kill -9"
same_files "$WORK/whole" "$WORK/killed"

# kill -9 right after the start: only create()'s checkpoint (no aggregates yet) exists.
interrupt_after KILL 1 "$WORK/early" checkpoint.bin
"$BRINK" run --resume "$WORK/early" --quiet >/dev/null && pass || fail "resume after kill -9 at the start"
same_files "$WORK/whole" "$WORK/early"

# Resuming a finished batch is refused.
expect_exit 2 "resume finished" -- "$BRINK" run --resume "$WORK/whole"
expect_stderr "nothing to resume"
finish
