#!/usr/bin/env bash
# Integer options are read strictly, and inputs that cannot fit in memory are refused
# up front (issue 18, findings 9 and 10). Every integer option of every command refuses
# a negative, non-numeric, overflowing or out-of-range value with exit 2 and a message
# naming the option, what it expects and what it found, before anything is written.
source "$(dirname "$0")/lib.sh"
BASE=scenarios/baseline.yaml

# bad_values OPTION LOW HIGH -- command...: every bad value of OPTION is refused.
bad_values() {
  local option=$1 low=$2 high=$3; shift 4
  local values=(-1 abc 1e3 0x10 +5 5.0 " 7" "" 99999999999999999999 18446744073709551616)
  [ "$low" -gt 0 ] && values+=("$((low - 1))")
  [ "$high" != max ] && values+=("$((high + 1))")
  local v
  for v in "${values[@]}"; do
    rm -rf "$WORK/o"
    expect_exit 2 "$* $option '$v'" -- "$@" "$option" "$v"
    expect_stderr "$option must be "
    expect_stderr "found '$v'"
    [ ! -e "$WORK/o" ] && pass || fail "$* $option '$v' created its output folder"
  done
}

# run, sweep, compare, sensitivity: the flags they share, and each one's own.
RUN=("$BRINK" run "$SMALL" --out "$WORK/o" --quiet)
SWEEP=("$BRINK" sweep "$SMALL" --vary leaders.blue.traits.rationality=0,1 --out "$WORK/o" --quiet)
COMPARE=("$BRINK" compare "$SMALL" "$SMALL" --out "$WORK/o" --quiet)
SENS=("$BRINK" sensitivity "$SMALL" --params leaders.blue.traits.rationality:0:1 --out "$WORK/o" --quiet)
# as NAME: c=("${NAME[@]}"), the command line of an array named by a variable.
as() { local -n from=$1; c=("${from[@]}"); }
for cmd in RUN SWEEP COMPARE SENS; do
  as $cmd
  bad_values --runs 1 1000000000000 -- "${c[@]}"
  bad_values --threads 1 4096 -- "${c[@]}"
  bad_values --seed 0 max -- "${c[@]}"
done
bad_values --block-size 1 1000000 -- "${RUN[@]}"
bad_values --sample 1 100000 -- "$BRINK" sweep "$SMALL" --vary leaders.blue.traits.rationality=0:1 --out "$WORK/o" --quiet
bad_values --samples 2 100000 -- "${SENS[@]}"
bad_values --trajectories 2 10000 -- "${SENS[@]}"
bad_values --levels 2 10000 -- "${SENS[@]}"
bad_values --bootstrap 0 100000 -- "${SENS[@]}"
expect_exit 2 "odd --levels" -- "${SENS[@]}" --levels 5
expect_stderr "--levels must be an even number in [2, 10000], found 5"

# trace and play.
bad_values --run 0 max -- "$BRINK" trace "$SMALL" --out "$WORK/o"
bad_values --top 1 100 -- "$BRINK" trace "$SMALL" --out "$WORK/o"
bad_values --seed 0 max -- "$BRINK" trace "$SMALL" --out "$WORK/o"
bad_values --run 0 max -- "$BRINK" play "$SMALL" --as blue
bad_values --compare-runs 1 10000000 -- "$BRINK" play "$SMALL" --as blue
bad_values --seed 0 max -- "$BRINK" play "$SMALL" --as blue

# The message is whole: option, range, what was found.
expect_exit 2 "runs too large" -- "${RUN[@]}" --runs 99999999999999999999
expect_stderr "brink run: --runs must be a positive integer (at most 1000000000000), found '99999999999999999999' (too large)"
expect_exit 2 "threads 0" -- "${RUN[@]}" --threads 0
expect_stderr "brink run: --threads must be a positive integer (at most 4096), found '0'"
"$BRINK" run --help >"$WORK/out" 2>&1
grep -q -- "--threads INT *Threads, 1 to 4096 (omit for all cores)" "$WORK/out" && pass || fail "run --help does not say what --threads takes"

# Good values at the edges are taken as written, not capped: the largest run id is traced as itself.
expect_exit 0 "trace the largest run id" -- "$BRINK" trace "$SMALL" --run 18446744073709551615
grep -q "run 18446744073709551615," "$WORK/out" && pass || fail "trace --run 18446744073709551615 traced another run: $(head -1 "$WORK/out")"
expect_exit 0 "trace --outcome from near the last id" -- "$BRINK" trace "$BASE" --run 18446744073709551000 --outcome frozen_conflict --format csv
cut -d, -f1 "$WORK/out" | sed -n 2p | grep -q "^184467440737095510" && pass || fail "search from near the last id went elsewhere"
rm -rf "$WORK/o"
expect_exit 0 "smallest counts" -- "${RUN[@]}" --runs 1 --threads 1 --block-size 1
[ "$(($(wc -l <"$WORK/o/runs.csv") - 1))" -eq 1 ] && pass || fail "--runs 1 did not give one run"
rm -rf "$WORK/o"
expect_exit 2 "resume refuses --runs" -- "$BRINK" run --resume "$WORK/nothing" --runs 5
expect_stderr "--resume continues a batch as it was started"

rm -rf "$WORK/o"
# Memory: a horizon of 100000 needs about 2.9 GB of the baseline's aggregates per thread (18 variables). Refused with
# the figure, exit 2, before any folder exists; never an abort (134) or a core.
expect_exit 2 "horizon 100000 on 4096 threads" -- "$BRINK" run "$BASE" --out "$WORK/o" --set run.horizon=100000 --threads 4096 --runs 10
expect_stderr "this batch needs about 12 TB of memory"
expect_stderr "horizon 100000 ticks"
[ ! -e "$WORK/o" ] && pass || fail "a refused batch created its folder"
if ldd "$BRINK" | grep -q libasan; then
  echo "note: sanitizer build, ulimit -v cases not run (AddressSanitizer reserves terabytes of address space)"
else
  # The baseline's 18 variables: 2.9 GB of aggregates per set at horizon 100000; 2 threads,
  # the totals and a checkpoint copy make 4 sets, about 12 GB.
  limited() { (ulimit -v 2000000 && exec "$@"); }
  H=(--set run.horizon=100000 --runs 10 --threads 2 --out "$WORK/o" --quiet)
  for cmd in run sweep sensitivity compare; do
    case $cmd in
      run) c=("$BRINK" run "$BASE") ;;
      sweep) c=("$BRINK" sweep "$BASE" --vary leaders.putin.priorities.sovereignty=0,1) ;;
      sensitivity) c=("$BRINK" sensitivity "$BASE" --params leaders.putin.priorities.sovereignty:0:1) ;;
      compare) c=("$BRINK" compare "$BASE" scenarios/channel-closed.yaml) ;;
    esac
    start=$(date +%s%N)
    expect_exit 2 "$cmd horizon 100000 under ulimit -v 2000000" -- limited "${c[@]}" "${H[@]}"
    ms=$((($(date +%s%N) - start) / 1000000))
    expect_stderr "brink $cmd: this batch needs about 12 GB of memory: per-tick aggregates of 2.9 GB (horizon 100000 ticks x 18 variables"
    expect_stderr "only 2.0 GB is free under the address-space limit (ulimit -v) of 2.0 GB"
    [ ! -e "$WORK/o" ] && pass || fail "$cmd: a refused batch created its folder"
    [ "$ms" -lt 2000 ] && pass || fail "$cmd: the refusal took $ms ms"
  done
  expect_exit 2 "play horizon 100000 under ulimit -v" -- limited "$BRINK" play "$BASE" --as biden --set run.horizon=100000
  expect_stderr "needs about"
  expect_stderr "is free under the address-space limit (ulimit -v)"
  # A horizon short enough to fit runs under the same limit.
  rm -rf "$WORK/o"
  expect_exit 0 "horizon 5000 under ulimit -v" -- limited "$BRINK" run "$BASE" --set run.horizon=5000 --runs 20 --threads 2 --out "$WORK/o" --quiet
  rm -rf "$WORK/o"
  # Every point of a study is sized, not only the base scenario: a sweep whose second point
  # sets the horizon to 100000 is refused with the figure before any folder exists (it ran
  # out of memory mid-sweep before), and so is a comparison whose B side does.
  expect_exit 2 "sweep varying the horizon to 100000 under ulimit -v" -- \
    limited "$BRINK" sweep "$BASE" --vary run.horizon=10,100000 --runs 5 --threads 2 --out "$WORK/o" --quiet
  expect_stderr "brink sweep: this batch needs about"
  expect_stderr "(horizon 100000 ticks"
  [ ! -e "$WORK/o" ] && pass || fail "sweep: a refused study created its folder"
  printf 'extends: baseline.yaml\nrun: {horizon: 100000}\n' >"$WORK/long.yaml"
  cp "$BASE" "$WORK/baseline.yaml"
  expect_exit 2 "compare with a B side of horizon 100000 under ulimit -v" -- \
    limited "$BRINK" compare "$BASE" "$WORK/long.yaml" --runs 5 --threads 2 --out "$WORK/o" --quiet
  expect_stderr "brink compare: this batch needs about"
  [ ! -e "$WORK/o" ] && pass || fail "compare: a refused study created its folder"
  rm -rf "$WORK/o"
fi

# Experiment sizes are counted before anything is built: a 10^7-point grid is refused in
# well under a second (it took 3.3 s and 2.4 GB to build the grid just to refuse it).
start=$(date +%s%N)
expect_exit 2 "10^7-point sweep" -- "$BRINK" sweep "$BASE" --vary leaders.putin.priorities.sovereignty=0:1:10000 \
  --vary leaders.biden.priorities.economy=0:1:1000 --runs 10 --out "$WORK/o" --quiet
ms=$((($(date +%s%N) - start) / 1000000))
expect_stderr "the sweep (10000 x 1000 values) has 10000000 points; the limit is 100000"
[ "$ms" -lt 500 ] && pass || fail "the 10^7-point sweep took $ms ms to refuse"
[ ! -e "$WORK/o" ] && pass || fail "a refused sweep created its folder"
expect_exit 2 "grid whose size overflows 64 bits" -- "$BRINK" sweep "$BASE" --runs 10 --out "$WORK/o" --quiet \
  --vary leaders.putin.priorities.sovereignty=0:1:10000 --vary leaders.putin.priorities.economy=0:1:10000 \
  --vary leaders.biden.priorities.economy=0:1:10000 --vary leaders.biden.priorities.stability=0:1:10000 \
  --vary leaders.putin.priorities.stability=0:1:10000
expect_stderr "has more than 18446744073709551615 points; the limit is 100000"
start=$(date +%s%N)
expect_exit 2 "sensitivity design over the limit" -- "${SENS[@]}" --params leaders.red.traits.rationality:0:1 --samples 100000
ms=$((($(date +%s%N) - start) / 1000000))
expect_stderr "has 400030 points; the limit is 100000"
[ "$ms" -lt 500 ] && pass || fail "the oversized sensitivity design took $ms ms to refuse"

finish
