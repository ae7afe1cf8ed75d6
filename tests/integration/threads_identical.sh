#!/usr/bin/env bash
# The same scenario, seed and run count give byte-identical files on any thread count and
# block size. The thread counts are explicit (1, 2, 3, 4) besides the default (all cores,
# which on a 2-core machine is just 2 again), and the small blocks give every thread
# several blocks to take in turn, so the merge order really varies.
source "$(dirname "$0")/lib.sh"

# batch NAME ARGS...: runs the batch into $WORK/NAME and checks the thread count it recorded.
batch() {
  local name=$1; shift
  "$BRINK" run "$SMALL" --runs 5000 --seed 11 "$@" --out "$WORK/$name" >"$WORK/$name.out" 2>&1 || { fail "$name"; cat "$WORK/$name.out"; return; }
  local threads
  threads=$(grep -m1 '"threads"' "$WORK/$name/manifest.json" | tr -dc '0-9')
  if [ "$name" != tdefault ] && [ "threads=$threads" != "$(echo "$name" | sed -n 's/^t\([0-9]*\).*/threads=\1/p')" ]; then
    fail "$name: the manifest says $threads threads"
  fi
}

batch t1 --threads 1
batch t2 --threads 2
batch t3 --threads 3
batch t3small --threads 3 --block-size 250   # 20 blocks over 3 threads
batch t4odd --threads 4 --block-size 999     # 6 blocks, the last one short
batch tdefault --block-size 250
for other in t2 t3 t3small t4odd tdefault; do same_files "$WORK/t1" "$WORK/$other"; done
echo "default threads here: $(grep -m1 '"threads"' "$WORK/tdefault/manifest.json" | tr -dc '0-9')"

# The first rows of a longer batch are the rows of a shorter one: rows do not depend on the run count.
"$BRINK" run "$SMALL" --runs 100 --seed 11 --out "$WORK/short" --quiet >/dev/null
if [ "$(head -101 "$WORK/t1/runs.csv")" = "$(cat "$WORK/short/runs.csv")" ]; then pass; else fail "rows depend on the run count"; fi
finish
