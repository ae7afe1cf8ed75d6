# Sourced after lib.sh by the result-folder tests: stop a batch midway, fingerprint a folder,
# and run a command while a folder cannot be written, for real.

# stop_after SIGNAL MIN_BYTES DIR [FILE] -- brink run flags...: starts a batch into DIR and sends
# SIGNAL once DIR/FILE (runs.csv.partial) holds MIN_BYTES; returns the batch's exit code.
stop_after() {
  local sig=$1 bytes=$2 dir=$3 file="$3/runs.csv.partial" waited=0 pid
  shift 3
  if [ "$1" != "--" ]; then file="$dir/$1"; shift; fi
  shift
  "$BRINK" run "$SMALL" --out "$dir" --quiet "$@" >"$WORK/out" 2>"$WORK/err" &
  pid=$!
  # Wait for real progress rather than a fixed time, so a fast machine cannot finish first.
  while [ "$(stat -c %s "$file" 2>/dev/null || echo 0)" -lt "$bytes" ] && kill -0 "$pid" 2>/dev/null && [ $waited -lt 1200 ]; do
    sleep 0.05
    waited=$((waited + 1))
  done
  kill -0 "$pid" 2>/dev/null || fail "the batch in $dir ended before SIG$sig; raise the run count"
  kill "-$sig" "$pid"
  wait "$pid" 2>/dev/null  # no "Killed" line from bash
}

# Names, sizes and contents of every file in a folder (hidden ones too).
snapshot() {
  (cd "$1" && find . -type f -printf '%p %s\n' | sort && find . -type f -exec md5sum {} + | sort)
}

# readonly_run DIR COMMAND...: runs COMMAND while DIR cannot be written; returns its exit code.
# Tests run as root, where chmod does not stop writes: as root DIR is bind-mounted read-only
# in a private mount namespace (unshare), or else COMMAND runs as nobody over a chmod a-w DIR.
# Without root, chmod a-w is enough. DIR is writable again afterwards.
readonly_run() {
  local dir=$1 code
  shift
  if [ "$(id -u)" -ne 0 ]; then
    chmod -R a-w "$dir"
    "$@"
    code=$?
    chmod -R u+w "$dir"
  elif unshare -m true 2>/dev/null; then
    unshare -m -- bash -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' _ "$dir" "$@"
    code=$?
  else
    chmod o+rx "$WORK"  # nobody must reach the binary's inputs; it owns nothing there
    chmod -R a-w "$dir"
    setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
    code=$?
    chmod -R u+w "$dir"
  fi
  return $code
}

# Fails (and returns 1) unless readonly_run really stops writes into DIR on this machine.
check_readonly_works() {
  if readonly_run "$1" touch "$1/probe" 2>/dev/null; then
    rm -f "$1/probe"
    fail "could not make $1 read-only here (root without unshare or setpriv?); the read-only checks did not run"
    return 1
  fi
  return 0
}
