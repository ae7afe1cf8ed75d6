#!/usr/bin/env bash
# SIGINT stops a batch cleanly (exit 130, manifest incomplete); --resume finishes it with
# files byte-identical to an uninterrupted batch. kill -9 loses only unflushed runs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/folders.sh"
# Large enough that the batch is still running at the signal; smaller under sanitizers (slower).
RUNS=${BRINK_INTERRUPT_RUNS:-600000}
"$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/whole" --quiet >/dev/null || fail "uninterrupted run"

# stop_after (folders.sh) SIGNAL MIN_BYTES DIR [FILE]: signals once DIR/FILE holds MIN_BYTES.
interrupt_after() { local sig=$1 bytes=$2 dir=$3; shift 3; stop_after "$sig" "$bytes" "$dir" "$@" -- --runs $RUNS --seed 3; }

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
expect_stderr "nothing to resume. For more runs, start a new batch with a larger --runs and the same --seed"
# ... and a folder of another kind is named as such, not called a finished batch.
"$BRINK" compare "$SMALL" "$SMALL" --runs 50 --out "$WORK/cmp" --quiet >/dev/null 2>&1 || fail "compare for the resume check"
expect_exit 2 "resume a compare folder" -- "$BRINK" run --resume "$WORK/cmp"
expect_stderr "is a compare folder, not a brink run batch"
finish
