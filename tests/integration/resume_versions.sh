#!/usr/bin/env bash
# Every manifest.json records the model version and the random-stream scheme, and --resume
# refuses (exit 2, a clear message, nothing changed) a folder written under other ones, or
# under none (an older Brink), whether it learns that from manifest.json or checkpoint.bin.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/folders.sh"
PY=/usr/bin/python3
RUNS=${BRINK_IO_RUNS:-100000}  # .ci/run sets fewer under the sanitizers
"$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/whole" --quiet >/dev/null || fail "uninterrupted run"

# versions FOLDER: "model_version name version" from its manifest.json.
versions() {
  $PY -c 'import json, sys; m = json.load(open(sys.argv[1] + "/manifest.json")); s = m["stream_scheme"]; print(m["model_version"], s["name"], s["version"])' "$1"
}
run_versions=$(versions "$WORK/whole")
[[ "$run_versions" =~ ^[1-9][0-9]*\ [^\ ]+\ [1-9][0-9]*$ ]] && pass || fail "run manifest versions: '$run_versions'"
"$BRINK" sweep "$SMALL" --vary world.variables.channel.initial=0.3,0.5 --runs 50 --out "$WORK/sweep" --quiet >/dev/null || fail "sweep"
"$BRINK" compare "$SMALL" tests/data/scenarios/small-risky.yaml --runs 50 --out "$WORK/cmp" --quiet >/dev/null || fail "compare"
"$BRINK" sensitivity "$SMALL" --params world.variables.channel.initial:0.2:0.6 --method morris --trajectories 2 --runs 50 \
  --out "$WORK/sens" --quiet >/dev/null || fail "sensitivity"
for f in sweep sweep/points/0001 cmp cmp/b sens; do
  [ "$(versions "$WORK/$f" 2>&1)" = "$run_versions" ] && pass || fail "$f/manifest.json: '$(versions "$WORK/$f" 2>&1)', expected '$run_versions'"
done

# An interrupted folder (manifest.json and checkpoint.bin) and a crashed one (checkpoint.bin only).
stop_after INT 300000 "$WORK/int" -- --runs $RUNS --seed 3
stop_after KILL 300000 "$WORK/crashed" -- --runs $RUNS --seed 3

# refused NAME SOURCE EXPECTED-MESSAGE EDIT...: a copy of SOURCE, edited, is refused unchanged.
refused() {
  local name=$1 source=$2 message=$3 dir="$WORK/$1"
  shift 3
  cp -a "$source" "$dir"
  "$@" "$dir"
  local before
  before=$(snapshot "$dir")
  expect_exit 2 "resume of a folder with $name" -- "$BRINK" run --resume "$dir" --quiet
  expect_stderr "$message"
  [ "$(snapshot "$dir")" = "$before" ] && pass || fail "the refused resume changed $dir"
}
edit_manifest() {  # edit_manifest PYTHON-STATEMENT DIR: rewrites DIR/manifest.json as the statement leaves m
  $PY -c 'import json, sys; p = sys.argv[2] + "/manifest.json"; m = json.load(open(p)); exec(sys.argv[1]); open(p, "w").write(json.dumps(m, indent=2))' "$@"
}
patch_bytes() {  # patch_bytes OFFSET PRINTF-BYTES DIR: overwrites bytes of DIR/checkpoint.bin
  printf "$2" | dd of="$3/checkpoint.bin" bs=1 seek="$1" conv=notrunc status=none
}
refused model-1 "$WORK/int" "was written by model version 1 (its manifest.json); this Brink runs model version 2" \
  edit_manifest 'm["model_version"] = 1'
# A folder of the previous scheme (Brink before the counter-based streams), and a newer
# version of this one.
refused scheme-v1 "$WORK/int" "was written with random-stream scheme mt19937_64-seed_seq version 1" \
  edit_manifest 'm["stream_scheme"] = {"name": "mt19937_64-seed_seq", "version": 1}'
refused scheme-3 "$WORK/int" "was written with random-stream scheme philox4x64-10 version 3" \
  edit_manifest 'm["stream_scheme"]["version"] = 3'
refused other-scheme "$WORK/int" "random-stream scheme pcg64 version" \
  edit_manifest 'm["stream_scheme"]["name"] = "pcg64"'
refused no-versions "$WORK/int" "was written by an older Brink (its manifest.json records no model_version or stream_scheme)" \
  edit_manifest 'del m["model_version"]; del m["stream_scheme"]'
# The checkpoint: model version (the u64 after the 8-byte magic), and the format of an older Brink.
refused checkpoint-model-1 "$WORK/crashed" "was written by model version 1 (its checkpoint.bin)" patch_bytes 8 '\x01'
refused checkpoint-format-1 "$WORK/crashed" "was written by an older Brink (checkpoint format 1" patch_bytes 0 'BRINKCP1'

# A sweep whose manifest records another model version.
"$BRINK" sweep "$SMALL" --vary world.variables.channel.initial=0.3,0.5 --runs $RUNS --seed 3 --out "$WORK/sweep-int" --quiet \
  >/dev/null 2>&1 &
pid=$!
waited=0
while [ ! -e "$WORK/sweep-int/points/0000/runs.csv.partial" ] && kill -0 $pid 2>/dev/null && [ $waited -lt 1200 ]; do
  sleep 0.05
  waited=$((waited + 1))
done
kill -INT $pid
wait $pid
edit_manifest 'm["model_version"] = 1' "$WORK/sweep-int"
expect_exit 2 "sweep --resume of another model version" -- "$BRINK" sweep --resume "$WORK/sweep-int" --quiet
expect_stderr "brink sweep: $WORK/sweep-int was written by model version 1"

# The untouched folders resume to the same bytes.
for dir in "$WORK/int" "$WORK/crashed"; do
  expect_exit 0 "resume of $dir" -- "$BRINK" run --resume "$dir" --quiet
  same_files "$WORK/whole" "$dir"
  [ "$(versions "$dir")" = "$run_versions" ] && pass || fail "resumed manifest versions"
done
finish
