#!/usr/bin/env bash
# cmake --install into a scratch prefix, then the INSTALLED brink, as a user would run it:
# --version, a run of an installed scenario (its `extends:` resolved inside the install), and
# `brink report` with the installed analysis scripts. The prefix is moved after installing
# (the binary finds its data relative to itself) and every command runs outside the source
# tree with BRINK_ANALYSIS_DIR unset. Arguments: BRINK CMAKE BUILD_DIR.
source "$(dirname "$0")/lib.sh"
SRC=$PWD
CMAKE="$2"
BUILD="$3"
unset BRINK_ANALYSIS_DIR

expect_exit 0 "cmake --install" -- "$CMAKE" --install "$BUILD" --prefix "$WORK/prefix"
mv "$WORK/prefix" "$WORK/moved"
P="$WORK/moved"
for f in bin/brink share/brink/analysis/report.py share/brink/analysis/brink_results.py share/brink/analysis/plot.py \
         share/brink/scenarios/baseline.yaml share/brink/scenarios/classroom/hotline-cut.yaml \
         share/brink/scenarios/history/ukraine-2021-2023.yaml; do
  if [ -s "$P/$f" ]; then pass; else fail "not installed: $f"; fi
done
if [ -x "$P/bin/brink" ]; then pass; else fail "bin/brink is not executable"; fi
if [ -z "$(find "$P" -path '*tests*' -o -name '*.pyc' -o -name 'test_*')" ]; then pass; else fail "tests installed"; fi
[ ! -e "$P/share/doc/brink/docs/examples" ] && pass || fail "docs/examples installed (it runs only from a clone)"

mkdir "$WORK/elsewhere" && cd "$WORK/elsewhere" || exit 1
export PATH="$P/bin:$PATH"
if [ "$(command -v brink)" = "$P/bin/brink" ]; then pass; else fail "brink on PATH is $(command -v brink)"; fi

expect_exit 0 "installed brink --version" -- brink --version
if [ "$(cat "$WORK/out")" = "$("$BRINK" --version)" ]; then pass; else fail "--version: $(cat "$WORK/out")"; fi

# A classroom scenario extends ../baseline.yaml: the installed folders keep that path working.
expect_exit 0 "validate an installed classroom scenario" -- brink validate "$P/share/brink/scenarios/classroom/hotline-cut.yaml"
expect_exit 0 "run an installed scenario" -- brink run "$P/share/brink/scenarios/baseline.yaml" --runs 200 --threads 1 --out run
"$BRINK" run "$P/share/brink/scenarios/baseline.yaml" --runs 200 --threads 1 --out "$WORK/built" >/dev/null 2>&1
same_files run "$WORK/built"

# The installed scenarios' editor modelines name a schema that is installed; brink new from an
# installed base carries it over, relative to the new file.
[ -s "$P/share/brink/docs/scenario.schema.json" ] && pass || fail "share/brink/docs/scenario.schema.json not installed"
cmp -s "$P/share/brink/docs/scenario.schema.json" "$SRC/docs/scenario.schema.json" && pass || fail "installed schema differs"
expect_exit 0 "new from the installed baseline" -- brink new mine --from "$P/share/brink/scenarios/baseline.yaml"
schema=$(sed -n '1s/^# yaml-language-server: \$schema=//p' mine.yaml)
[ -n "$schema" ] && [ "$(realpath "$schema")" = "$(realpath "$P/share/brink/docs/scenario.schema.json")" ] && pass \
  || fail "brink new's modeline does not name the installed schema: $(head -1 mine.yaml)"

# brink report with the installed scripts (the source tree's are neither in cwd nor named).
expect_exit 0 "report with the installed analysis scripts" -- brink report run
if grep -q '<html' run/report.html 2>/dev/null; then pass; else fail "report.html missing or not HTML"; fi
# Proof that those were the installed scripts: without them, report fails and names the
# installed path; it does not fall back to the source tree it was built from.
rm "$P/share/brink/analysis/report.py"
expect_exit 1 "report without the installed report.py" -- brink report run --out again.html
expect_stderr "$P/bin/../share/brink/analysis/report.py"
# BRINK_ANALYSIS_DIR wins over the installed folder.
expect_exit 1 "BRINK_ANALYSIS_DIR names a folder without report.py" -- env BRINK_ANALYSIS_DIR="$WORK/nowhere" brink report run
expect_stderr "$WORK/nowhere/report.py"

finish
