#!/usr/bin/env bash
# results/latest and --latest (docs/outputs.md#resultslatest), and brink new: in a scratch
# project folder, as a user would, with every refusal exit 2 and a message.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/folders.sh"
SRC=$PWD
SMALL=$SRC/$SMALL
P=$WORK/project
mkdir -p "$P" && cd "$P" || exit 1
cp "$SMALL" first.yaml && cp "$SMALL" second.yaml   # two names: default folders never collide

target() { readlink results/latest; }

# --latest before any result folder: exit 2 and why, for each command that takes one.
expect_exit 2 "report --latest, none yet" -- "$BRINK" report --latest
expect_stderr "there is no results/latest in"
expect_exit 2 "compare --latest, none yet" -- "$BRINK" compare first.yaml --latest
expect_stderr "there is no results/latest in"
expect_exit 2 "run --resume --latest, none yet" -- "$BRINK" run --resume --latest
expect_stderr "there is no results/latest in"

# Two runs into the default folders: latest names the newer, as a relative symlink.
expect_exit 0 "first run" -- "$BRINK" run first.yaml --runs 300 --quiet
[ -L results/latest ] && pass || fail "results/latest is not a symlink"
case "$(target)" in first-*) pass ;; *) fail "after one run latest is '$(target)'" ;; esac
expect_exit 0 "second run" -- "$BRINK" run second.yaml --runs 300 --quiet
case "$(target)" in second-*) pass ;; *) fail "after two runs latest is '$(target)'" ;; esac
[ -f results/latest/summary.csv ] && pass || fail "latest does not resolve to the second run's folder"
FIRST=$(cd results && ls -d first-*)
SECOND=$(target)
ls -A results | grep -q '^\.latest' && fail "a temporary link was left in results/" || pass

# The swap is one rename of a link made under a temporary name in results/: latest is never
# removed, so a reader always finds a folder (strace shows the system calls).
if command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null; then
  strace -f -qq -e trace=symlink,symlinkat,rename,renameat,renameat2,unlink,unlinkat -o "$WORK/trace" \
    "$BRINK" run first.yaml --runs 300 --quiet --out results/traced >/dev/null 2>&1
  grep -Eq 'symlink(at)?\("traced", (AT_FDCWD, )?"results/\.latest\.tmp[0-9]+"' "$WORK/trace" && pass || { fail "no symlink to a temporary name"; cat "$WORK/trace"; }
  grep -Eq 'rename(at2?)?\((AT_FDCWD, )?"results/\.latest\.tmp[0-9]+", (AT_FDCWD, )?"results/latest"' "$WORK/trace" && pass || { fail "no rename over results/latest"; cat "$WORK/trace"; }
  grep -Eq 'unlink(at)?\((AT_FDCWD, )?"results/latest"' "$WORK/trace" && fail "results/latest was removed before the swap" || pass
  [ "$(target)" = traced ] && pass || fail "--out results/traced: latest is '$(target)'"
else
  echo "note: no usable strace; the rename is not traced"
fi

# --out outside results/ leaves latest alone; --out inside it moves it.
expect_exit 0 "run --out elsewhere" -- "$BRINK" run first.yaml --runs 300 --quiet --out "$WORK/elsewhere"
before=$(target)
expect_exit 0 "run --out results/named" -- "$BRINK" run first.yaml --runs 300 --quiet --out results/named
[ "$(target)" = named ] && pass || fail "--out results/named: latest is '$(target)' (before: $before)"
expect_exit 0 "run --out elsewhere again" -- "$BRINK" run first.yaml --runs 300 --quiet --out "$WORK/elsewhere2"
[ "$(target)" = named ] && pass || fail "--out outside results/ moved latest to '$(target)'"

# report --latest: the real report of the folder latest names; not both a folder and --latest.
expect_exit 0 "report --latest" -- "$BRINK" report --latest
[ -s results/named/report.html ] && pass || fail "report --latest wrote no results/named/report.html"
expect_exit 2 "report FOLDER --latest" -- "$BRINK" report results/named --latest
expect_stderr "excludes"

# compare A --latest: B is the folder latest names (then latest names the comparison).
ln -sfn "$SECOND" results/latest
expect_exit 0 "compare A --latest" -- "$BRINK" compare "results/$FIRST" --latest --out results/cmp
grep -q "^B: .*$SECOND" "$WORK/out" && pass || { fail "compare --latest did not take B = $SECOND"; cat "$WORK/out"; }
[ "$(target)" = cmp ] && pass || fail "compare did not move latest to its folder"
expect_exit 2 "compare A B --latest" -- "$BRINK" compare first.yaml second.yaml --latest
expect_stderr "excludes"

# --resume --latest: an interrupted batch continues; the flags that go together, checked.
stop_after INT 20000 "$P/results/int" -- --runs 200000 --seed 3
[ "$(target)" = int ] && pass || fail "an interrupted batch: latest is '$(target)', expected int (it resumes)"
expect_exit 0 "run --resume --latest" -- "$BRINK" run --resume --latest --quiet
grep -q '"complete": true' results/int/manifest.json && pass || fail "--resume --latest did not finish results/int"
expect_exit 2 "run --latest without --resume" -- "$BRINK" run --latest
expect_stderr "--latest goes with --resume"
expect_exit 2 "run --resume alone" -- "$BRINK" run --resume
expect_stderr "--resume needs the folder"
expect_exit 2 "run --resume DIR --latest" -- "$BRINK" run --resume results/int --latest
expect_stderr "not both"
expect_exit 2 "calibrate --resume --latest on a run folder" -- "$BRINK" calibrate --resume --latest
expect_stderr "results/int holds no calibration to resume"
expect_exit 0 "sweep" -- "$BRINK" sweep first.yaml --vary ladder.tension.decay=0.1,0.2 --runs 100 --quiet
case "$(target)" in sweep-first-*) pass ;; *) fail "a sweep: latest is '$(target)'" ;; esac
expect_exit 0 "sweep --resume --latest" -- "$BRINK" sweep --resume --latest --quiet
grep -q "results in: results/sweep-first-" "$WORK/out" && pass || { fail "sweep --resume --latest"; cat "$WORK/out"; }
# Commands that write their folder whole move latest at the end.
expect_exit 0 "branch" -- "$BRINK" branch first.yaml --run 0 --tick 2 --runs 50 --quiet
case "$(target)" in first-branch-*) pass ;; *) fail "a branch: latest is '$(target)'" ;; esac
expect_exit 0 "sensitivity" -- "$BRINK" sensitivity second.yaml --params ladder.tension.decay:0.05:0.2 --method sobol --samples 2 --bootstrap 0 --runs 20 --quiet
case "$(target)" in sensitivity-second-*) pass ;; *) fail "a sensitivity: latest is '$(target)'" ;; esac

# Dangling, or a file: exit 2 and why.
ln -sfn gone results/latest
expect_exit 2 "report --latest, dangling" -- "$BRINK" report --latest
expect_stderr "results/latest points at results/gone, which is not there"
rm results/latest && echo note > results/latest
expect_exit 2 "report --latest, a file" -- "$BRINK" report --latest
expect_stderr "results/latest is a file"

# A latest that is not a symlink is never replaced: a warning, the command succeeds.
expect_exit 0 "run beside a file named latest" -- "$BRINK" run first.yaml --runs 300 --quiet
expect_stderr "warning: results/latest is a file, not a symlink"
[ "$(cat results/latest)" = note ] && pass || fail "the file results/latest was replaced"
rm results/latest && mkdir results/latest && echo mine > results/latest/keep
expect_exit 0 "run beside a folder named latest" -- "$BRINK" run second.yaml --runs 300 --quiet --out results/other
expect_stderr "warning: results/latest is a folder, not a symlink"
[ -f results/latest/keep ] && [ ! -L results/latest ] && pass || fail "the folder results/latest was replaced"
rm -r results/latest

# --- brink new
mkdir -p scenarios && cp "$SRC/scenarios/baseline.yaml" scenarios/ && cp "$SRC/scenarios/dovish-leaders.yaml" scenarios/
mkdir -p docs && cp "$SRC/docs/scenario.schema.json" docs/   # what the bases' editor modelines name
uncomment() { awk 'f { sub(/^# /, "") } /^#$/ { f = 1 } { print }' "$1"; }
expect_exit 0 "new" -- "$BRINK" new myvar
[ -f myvar.yaml ] && pass || fail "brink new wrote no myvar.yaml"
grep -q '^extends: scenarios/baseline.yaml$' myvar.yaml && pass || fail "extends is not the relative path to the base"
grep -q '^name: myvar$' myvar.yaml && pass || fail "no name: myvar"
# the base's editor modeline, its schema path relative to the new file (first line, where editors look)
[ "$(head -1 myvar.yaml)" = '# yaml-language-server: $schema=docs/scenario.schema.json' ] && pass || fail "modeline: $(head -1 myvar.yaml)"
grep -q '^description: ' myvar.yaml && pass || fail "no description"
# values from the base, units and ranges from the schema
grep -Eq '^#   horizon: 104 +# ticks, in \[1, 100000\]$' myvar.yaml && pass || fail "run.horizon line"
grep -Eq '^#       risk_tolerance: 0\.35 +# in \[0, 1\]$' myvar.yaml && pass || fail "biden's risk_tolerance line"
grep -Eq '^#     tension: \{initial: 0\.7\} +# share of maximum, in \[0, 1\]$' myvar.yaml && pass || fail "tension's initial line"
grep -Eq '^#     decay: [0-9.]+ +# 1/tick, in \[0, 1\]$' myvar.yaml && pass || fail "ladder.tension.decay line"
grep -Eq '^#       stability: [0-9.]+ +# in \[0, 1\]$' myvar.yaml && pass || fail "a priority line"
expect_exit 0 "validate the new file" -- "$BRINK" validate myvar.yaml
uncomment myvar.yaml > myvar-all.yaml
[ "$(grep -c '^#' myvar-all.yaml)" -lt "$(grep -c '^#' myvar.yaml)" ] && pass || fail "nothing was uncommented"
grep -q '^leaders:$' myvar-all.yaml && pass || fail "uncommented file lacks leaders:"
expect_exit 0 "validate with every field uncommented" -- "$BRINK" validate myvar-all.yaml
# at the base's values exactly: the same runs as the base
expect_exit 0 "run the uncommented file" -- "$BRINK" run myvar-all.yaml --runs 300 --seed 9 --quiet --out "$WORK/var"
expect_exit 0 "run the base" -- "$BRINK" run scenarios/baseline.yaml --runs 300 --seed 9 --quiet --out "$WORK/base"
cmp -s "$WORK/var/runs.csv" "$WORK/base/runs.csv" && pass || fail "the uncommented values differ from the base's (runs.csv differs)"
# a changed value takes effect
sed 's/^\(      risk_tolerance:\) 0\.35/\1 0.95/' myvar-all.yaml > myvar-hawk.yaml
expect_exit 0 "run a changed copy" -- "$BRINK" run myvar-hawk.yaml --runs 300 --seed 9 --quiet --out "$WORK/hawk"
cmp -s "$WORK/hawk/runs.csv" "$WORK/base/runs.csv" && fail "changing risk_tolerance changed nothing" || pass

# never over an existing file
sum=$(md5sum < myvar.yaml)
expect_exit 2 "new over an existing file" -- "$BRINK" new myvar --from scenarios/dovish-leaders.yaml
expect_stderr "myvar.yaml already exists"
[ "$(md5sum < myvar.yaml)" = "$sum" ] && pass || fail "brink new changed an existing file"
# --from a scenario that itself extends, --out in another folder: extends relative to it
mkdir sub
expect_exit 0 "new --from --out" -- "$BRINK" new dove2 --from scenarios/dovish-leaders.yaml --out sub/dove2.yaml
grep -q '^extends: ../scenarios/dovish-leaders.yaml$' sub/dove2.yaml && pass || fail "extends from sub/ is not ../scenarios/dovish-leaders.yaml"
grep -Eq '^#       risk_tolerance: 0\.1 +#' sub/dove2.yaml && pass || fail "the values are not dovish-leaders' (merged over its base)"
[ "$(head -1 sub/dove2.yaml)" = '# yaml-language-server: $schema=../docs/scenario.schema.json' ] && pass || fail "modeline from sub/: $(head -1 sub/dove2.yaml)"
# a base whose schema file is not where its modeline says: no modeline (an editor would report a missing schema)
mkdir -p lone/deep && cp scenarios/baseline.yaml lone/deep/
expect_exit 0 "new from a base without its schema nearby" -- "$BRINK" new l --from lone/deep/baseline.yaml --out lone/l.yaml
grep -q 'yaml-language-server' lone/l.yaml && fail "a modeline naming a schema that is not there" || pass
uncomment sub/dove2.yaml > sub/dove2-all.yaml
expect_exit 0 "validate new --from, uncommented" -- "$BRINK" validate sub/dove2.yaml sub/dove2-all.yaml
# bad inputs: a base that does not load (located), a missing one, a bad name, no folder
printf 'name: broken\nrun: {horizon: [1, 2}\n' > broken.yaml
expect_exit 2 "new --from a broken file" -- "$BRINK" new x --from broken.yaml
grep -Eq '^broken\.yaml:[0-9]+:[0-9]+: ' "$WORK/err" && pass || { fail "no file:line:column for a broken --from"; cat "$WORK/err"; }
[ ! -e x.yaml ] && pass || fail "a failed brink new left x.yaml"
expect_exit 2 "new --from a missing file" -- "$BRINK" new y --from nowhere.yaml
expect_stderr "nowhere.yaml"
expect_exit 2 "new with a path as NAME" -- "$BRINK" new a/b
expect_stderr "NAME is a file name"
expect_exit 2 "new --out into no folder" -- "$BRINK" new z --out nofolder/z.yaml
expect_stderr "there is no folder"
ls -A . sub | grep -Eq '\.(tmp|check)[0-9]+$' && fail "brink new left a temporary file" || pass
finish
