#!/usr/bin/env bash
# I/O failures on a result folder: a message naming the path and the OS error, a documented
# exit code (2 when refused before anything changed, 74 when writing fails mid-batch), never
# an abort, nothing half-written, and the folder resumes afterwards to the same bytes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/folders.sh"
RUNS=${BRINK_IO_RUNS:-100000}  # .ci/run sets fewer under the sanitizers
"$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$WORK/whole" --quiet >/dev/null || fail "uninterrupted run"

# Resume on a read-only file system: after SIGINT the rows have their final names (the old
# code died in a rename, exit 134); after kill -9 they are .partial (it died cutting them).
for sig in INT KILL; do
  dir="$WORK/ro-$sig"
  stop_after $sig 300000 "$dir" -- --runs $RUNS --seed 3
  check_readonly_works "$dir" || break
  before=$(snapshot "$dir")
  expect_exit 2 "resume on a read-only folder (after SIG$sig)" -- readonly_run "$dir" "$BRINK" run --resume "$dir" --quiet
  expect_stderr "brink run: cannot write to the folder $dir: "
  [ "$(snapshot "$dir")" = "$before" ] && pass || fail "the refused resume changed $dir"
  expect_exit 0 "resume once writable again (after SIG$sig)" -- "$BRINK" run --resume "$dir" --quiet
  same_files "$WORK/whole" "$dir"
done

# A read-only runs.csv in a writable folder (the old code renamed it to .partial, then died
# cutting it): refused before anything changes. As root, brink runs as nobody to be refused.
dir="$WORK/rowfile"
stop_after INT 300000 "$dir" -- --runs $RUNS --seed 3
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  chown -R 65534 "$dir" && chmod o+rx "$WORK"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
chmod a-w "$dir/runs.csv"
before=$(snapshot "$dir")
expect_exit 2 "resume with a read-only runs.csv" -- "${as_user[@]}" "$BRINK" run --resume "$dir" --quiet
expect_stderr "brink run: cannot write $dir/runs.csv: Permission denied; nothing was changed"
[ "$(snapshot "$dir")" = "$before" ] && pass || fail "the refused resume changed $dir"
chmod u+w "$dir/runs.csv"
expect_exit 0 "resume once runs.csv is writable" -- "$BRINK" run --resume "$dir" --quiet
same_files "$WORK/whole" "$dir"

# The disk fills mid-batch (a file-size limit: write() fails with EFBIG once SIGXFSZ is
# ignored): exit 74, not 1 (some runs failed); the checkpoint stands, no temporary files are
# left, and the folder resumes to the same bytes.
limited() { bash -c 'trap "" XFSZ; ulimit -f "$1"; shift; exec "$@"' _ "$@"; }
half_kb=$(( $(stat -c %s "$WORK/whole/runs.csv") / 2048 ))
dir="$WORK/full"
expect_exit 74 "disk full mid-batch" -- limited $half_kb "$BRINK" run "$SMALL" --runs $RUNS --seed 3 --out "$dir" --quiet
expect_stderr "brink run: cannot write $dir/"
expect_stderr ": File too large"
expect_stderr "continue with  brink run --resume $dir"
[ -f "$dir/checkpoint.bin" ] && pass || fail "no checkpoint after the failed write"
[ -z "$(find "$dir" -name '*.tmp*')" ] && pass || fail "temporary files left: $(find "$dir" -name '*.tmp*')"
expect_exit 0 "resume after the disk-full failure" -- "$BRINK" run --resume "$dir" --quiet
same_files "$WORK/whole" "$dir"

# The same for a sweep: exit 74 with the way on, then sweep --resume gives the same sweep.csv.
sweep=(--vary world.variables.channel.initial=0.3,0.5 --runs $((RUNS / 2)) --seed 3 --quiet)
"$BRINK" sweep "$SMALL" "${sweep[@]}" --out "$WORK/sweep-whole" >/dev/null || fail "uninterrupted sweep"
dir="$WORK/sweep-full"
expect_exit 74 "disk full mid-sweep" -- limited $((half_kb / 2)) "$BRINK" sweep "$SMALL" "${sweep[@]}" --out "$dir"
expect_stderr "brink sweep: cannot write $dir/points/0000/"
expect_stderr "continue with  brink sweep --resume $dir"
cp -a "$dir" "$WORK/sweep-ro"  # unfinished, for the read-only case below
expect_exit 0 "sweep --resume after the disk-full failure" -- "$BRINK" sweep --resume "$dir" --quiet
cmp -s "$WORK/sweep-whole/sweep.csv" "$dir/sweep.csv" && pass || fail "sweep.csv differs after the resumed sweep"
same_files "$WORK/sweep-whole/points/0001" "$dir/points/0001"

# sweep --resume of an unfinished sweep on a read-only folder: exit 2, unchanged.
dir="$WORK/sweep-ro"
check_readonly_works "$dir" && {
  before=$(snapshot "$dir")
  expect_exit 2 "sweep --resume on a read-only folder" -- readonly_run "$dir" "$BRINK" sweep --resume "$dir" --quiet
  expect_stderr "brink sweep: cannot write to the folder $dir: "
  [ "$(snapshot "$dir")" = "$before" ] && pass || fail "the refused sweep --resume changed $dir"
}
finish
