#!/usr/bin/env bash
# A disk that reports a write error at fsync, and the folder's own sync: with the fault shim
# (fault_shim.cpp, LD_PRELOAD) the binary's fsync calls are logged and can be made to fail.
#  - After files are renamed into a result folder, the folder itself is fsynced (a rename
#    reaches the disk only with its folder).
#  - An fsync that fails: a message with the path and the OS error, exit 74, the descriptor
#    closed all the same (it was leaked before), no temporary file left, and the folder
#    resumes to the same bytes as a batch that never failed.
# Usage: fsync_faults.sh BRINK SHIM
source "$(dirname "$0")/lib.sh"
SHIM=$2
[ -f "$SHIM" ] || { echo "FAIL: no fault shim at $SHIM"; exit 1; }
# Under AddressSanitizer the shim is preloaded before the sanitizer's runtime.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
with_shim() { env LD_PRELOAD="$SHIM" BRINK_FAULT_LOG="$WORK/log" "$@"; }
RUNS=3000

"$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/whole" --quiet >/dev/null || fail "uninterrupted run"

# A clean batch: every file renamed into the folder is followed by an fsync of the folder.
: >"$WORK/log"
expect_exit 0 "a batch under the shim" -- with_shim "$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/clean" --quiet
dir=$(cd "$WORK/clean" && pwd -P)
for f in summary.csv summary.json timeseries.csv manifest.json; do
  grep -q " $dir/$f.tmp" "$WORK/log" && pass || fail "no fsync of $f's temporary file"
  # The folder's fsync after this file's: the first 'fsync N DIR' line after the file's line.
  awk -v file=" $dir/$f.tmp" -v folder="$dir" '
    index($0, file) { seen = 1; next }
    seen && $1 == "fsync" && $3 == folder { found = 1; exit }
    END { exit !found }' "$WORK/log" && pass || fail "the folder was not fsynced after $f was renamed into it"
done
same_files "$WORK/whole" "$WORK/clean"

# fsync of summary.csv's temporary file fails with EIO.
: >"$WORK/log"
expect_exit 74 "fsync fails (EIO)" -- with_shim env BRINK_FAULT_FSYNC=summary.csv.tmp \
  "$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/eio" --quiet
expect_stderr "cannot write $WORK/eio/summary.csv: Input/output error"
grep -q "^failed " "$WORK/log" && pass || fail "the shim did not fail any fsync"
failed=$(grep -c "^failed " "$WORK/log")
closed=$(grep -c "^closed-failed " "$WORK/log")
[ "$failed" -eq "$closed" ] && pass || fail "$failed descriptors failed fsync, $closed of them closed"
[ -z "$(find "$WORK/eio" -name '*.tmp*')" ] && pass || fail "temporary files left: $(find "$WORK/eio" -name '*.tmp*')"
expect_exit 0 "resume after the failed fsync" -- "$BRINK" run --resume "$WORK/eio" --quiet
same_files "$WORK/whole" "$WORK/eio"
finish
