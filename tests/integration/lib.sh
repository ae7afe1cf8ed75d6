# Shared by the CLI tests: a scratch folder and small assertion helpers.
set -uo pipefail
BRINK="$1"
SMALL=tests/data/scenarios/small.yaml
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
passes=0

pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_exit CODE DESCRIPTION -- command...
expect_exit() {
  local want=$1 what=$2; shift 3
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass; else fail "$what: exit $got, expected $want"; cat "$WORK/err"; fi
}

expect_stderr() {
  if grep -qF -- "$1" "$WORK/err"; then pass; else fail "stderr lacks '$1'"; cat "$WORK/err"; fi
}

same_files() {
  local a=$1 b=$2 f
  for f in runs.csv errors.csv summary.csv summary.json timeseries.csv; do
    if cmp -s "$a/$f" "$b/$f"; then pass; else fail "$f differs between $a and $b"; fi
  done
}

finish() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}
