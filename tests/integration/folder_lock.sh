#!/usr/bin/env bash
# One writer per result folder: while a batch, sweep, comparison or sensitivity analysis writes
# a folder, a second writer is refused at once (exit 75, the folder and the holder's pid named)
# and the first finishes with the right files. The lock dies with its process: after kill -9,
# --resume works.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/folders.sh"
# Large enough that the batch is still running during the second attempt; smaller under
# sanitizers (slower), where .ci/run sets BRINK_LOCK_RUNS.
RUNS=${BRINK_LOCK_RUNS:-200000}
"$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/whole" --quiet >/dev/null || fail "uninterrupted run"

# start_and_wait DIR FILE MIN_BYTES COMMAND...: starts COMMAND in the background and waits until
# DIR/FILE holds MIN_BYTES; sets $pid.
start_and_wait() {
  local dir=$1 file=$2 bytes=$3 waited=0
  shift 3
  "$@" >"$WORK/first.out" 2>"$WORK/first.err" &
  pid=$!
  while [ "$(stat -c %s "$dir/$file" 2>/dev/null || echo 0)" -lt "$bytes" ] && kill -0 "$pid" 2>/dev/null && [ $waited -lt 1200 ]; do
    sleep 0.05
    waited=$((waited + 1))
  done
}

still_running() { kill -0 "$pid" 2>/dev/null && pass || fail "$1 ended before the second writer tried; raise the run count"; }
# Stops the first writer with SIGINT; it must exit 130 (interrupted, resumable).
interrupt_first() {
  kill -INT "$pid"
  wait "$pid"
  local code=$?
  [ "$code" -eq 130 ] && pass || fail "interrupted $1: exit $code, expected 130"
}

# A resume, and a new batch, into a folder a batch is writing.
start_and_wait "$WORK/busy" runs.csv.partial 100000 "$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/busy" --quiet
expect_exit 75 "resume of a folder being written" -- "$BRINK" run --resume "$WORK/busy" --quiet
expect_stderr "brink run: $WORK/busy is in use: another brink process (pid $pid) is writing to it"
expect_exit 75 "a new batch into a folder being written" -- "$BRINK" run "$SMALL" --runs 10 --out "$WORK/busy" --quiet
expect_stderr "$WORK/busy is in use"
still_running "the first batch"
wait "$pid" && pass || fail "the first batch failed after the refused writers: $(cat "$WORK/first.err")"
same_files "$WORK/whole" "$WORK/busy"
[ "$(wc -l < "$WORK/busy/runs.csv")" -eq $((RUNS + 1)) ] && pass || fail "runs.csv has $(wc -l < "$WORK/busy/runs.csv") lines, expected $((RUNS + 1))"
grep -q '"complete": true' "$WORK/busy/manifest.json" && pass || fail "manifest not complete"
[ ! -e "$WORK/busy/.lock" ] && pass || fail "a finished batch left its lock file"

# kill -9 leaves the lock file but not the lock: --resume works and finishes to the same bytes.
stop_after KILL 300000 "$WORK/killed" -- --runs $RUNS --seed 3
[ -e "$WORK/killed/.lock" ] && pass || fail "expected the killed batch's lock file"
expect_exit 0 "resume after kill -9" -- "$BRINK" run --resume "$WORK/killed" --quiet
same_files "$WORK/whole" "$WORK/killed"
[ ! -e "$WORK/killed/.lock" ] && pass || fail "the resumed batch left its lock file"

# A sweep: neither a second sweep --resume nor a resume of the point being played gets in.
start_and_wait "$WORK/sweep/points/0000" runs.csv.partial 100000 \
  "$BRINK" sweep "$SMALL" --vary world.variables.channel.initial=0.3,0.5 --runs $((RUNS / 2)) --seed 3 --out "$WORK/sweep" --quiet
expect_exit 75 "sweep --resume of a running sweep" -- "$BRINK" sweep --resume "$WORK/sweep" --quiet
expect_stderr "brink sweep: $WORK/sweep is in use: another brink process (pid $pid)"
expect_exit 75 "run --resume of the point a sweep is playing" -- "$BRINK" run --resume "$WORK/sweep/points/0000" --quiet
expect_stderr "$WORK/sweep/points/0000 is in use"
still_running "the sweep"
interrupt_first "sweep"
expect_exit 0 "sweep --resume once the sweep stopped" -- "$BRINK" sweep --resume "$WORK/sweep" --quiet
grep -q '"complete": true' "$WORK/sweep/manifest.json" && pass || fail "resumed sweep not complete"

# compare and sensitivity: a second command into the same --out is refused while the first runs
# (which is then stopped: finishing is what the batch above showed).
start_and_wait "$WORK/cmp/a" runs.csv.partial 100000 \
  "$BRINK" compare "$SMALL" tests/data/scenarios/small-risky.yaml --runs $RUNS --seed 3 --out "$WORK/cmp" --quiet
expect_exit 75 "compare into a folder a comparison is writing" -- \
  "$BRINK" compare "$SMALL" tests/data/scenarios/small-risky.yaml --runs 10 --out "$WORK/cmp" --quiet
expect_stderr "brink compare: $WORK/cmp is in use: another brink process (pid $pid)"
still_running "the comparison"
interrupt_first "comparison"

"$BRINK" sensitivity "$SMALL" --params world.variables.channel.initial:0.2:0.6 --method morris --trajectories 2 \
  --runs $RUNS --seed 3 --out "$WORK/sens" --quiet >"$WORK/first.out" 2>"$WORK/first.err" &
pid=$!
waited=0
while [ ! -e "$WORK/sens/.lock" ] && kill -0 "$pid" 2>/dev/null && [ $waited -lt 1200 ]; do sleep 0.05; waited=$((waited + 1)); done
expect_exit 75 "sensitivity into a folder an analysis is writing" -- \
  "$BRINK" sensitivity "$SMALL" --params world.variables.channel.initial:0.2:0.6 --runs 10 --out "$WORK/sens" --quiet
expect_stderr "brink sensitivity: $WORK/sens is in use"
still_running "the sensitivity analysis"
interrupt_first "sensitivity analysis"
finish
