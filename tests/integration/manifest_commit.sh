#!/usr/bin/env bash
# manifest.json records the commit the binary was built from, with -dirty when tracked
# files differ from it (cmake/git_commit.cmake runs at every build). Outside git: null.
source "$(dirname "$0")/lib.sh"
"$BRINK" run "$SMALL" --runs 5 --quiet --out "$WORK/m" >/dev/null || fail "run"
recorded=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["git_commit"])' "$WORK/m/manifest.json")
if head=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  if [ -z "$(git status --porcelain --untracked-files=no)" ]; then
    [ "$recorded" = "$head" ] && pass || fail "manifest says '$recorded', the clean tree is at $head (rebuild?)"
  else
    # A tree edited since the build may have been clean when built: either is right.
    { [ "$recorded" = "$head-dirty" ] || [ "$recorded" = "$head" ]; } && pass ||
      fail "manifest says '$recorded', the tree is at $head with uncommitted changes"
  fi
else
  [ "$recorded" = "None" ] && pass || fail "built outside git, manifest says '$recorded'"
fi
finish
