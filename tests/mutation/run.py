#!/usr/bin/env python3
"""The mutation check: the test suite must fail on every deliberately broken model.

Copies the source tree into a work folder, builds it once, checks that the kill suite
passes on the unmodified code, then for each mutant of tests/mutation/mutants.py edits
one file of the copy, rebuilds (incrementally: one object and the links) and runs the
kill suite's stages in order until one fails. A mutant that every stage passes has
survived; a mutant whose text is no longer in the source is stale; one that does not
compile is invalid. Any of the three fails the check (exit 1). Prints the kill count.

Usage: tests/mutation/run.py [--source DIR] [--work DIR] [--only NAME ...] [--list]
The CTest test `mutation.every_mutant_is_killed` runs it (label `mutation`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from mutants import MUTANTS  # noqa: E402

# The stages of the kill suite, cheapest first: (name, build target, command relative to
# the build folder, arguments, timeout in seconds). Each runs from the source copy's root;
# a stage's target is built only when the mutant reaches it.
STAGES = [
    ("unit", "brink_tests", "tests/brink_tests", ["--abort"], 600),
    ("statistical", "brink_statistical_tests", "tests/brink_statistical_tests", ["--abort"], 900),
]


def source_files(root: str) -> list[str]:
    """The tree's files as git sees them (tracked and untracked, not ignored)."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-co", "--exclude-standard", "-z"],
                             check=True, capture_output=True).stdout
        return [f for f in out.decode().split("\0") if f and os.path.isfile(os.path.join(root, f))]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if not x.startswith(("build", ".git"))]
            files += [os.path.relpath(os.path.join(d, n), root) for n in names]
        return files


def sync_tree(root: str, copy: str) -> None:
    """Copies the tree, rewriting only files whose bytes differ (keeps the build incremental)."""
    for rel in source_files(root):
        src, dst = os.path.join(root, rel), os.path.join(copy, rel)
        with open(src, "rb") as f:
            data = f.read()
        try:
            with open(dst, "rb") as f:
                if f.read() == data:
                    continue
        except OSError:
            pass
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
        shutil.copymode(src, dst)


def build(copy: str, build_dir: str, jobs: int, targets: list[str]) -> tuple[bool, str]:
    r = subprocess.run(["cmake", "--build", build_dir, "-j", str(jobs), "--target", *targets],
                       cwd=copy, capture_output=True, text=True)
    return r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]


def run_stage(copy: str, build_dir: str, stage) -> tuple[bool, str]:
    """True when the stage passes."""
    name, _, command, args, timeout = stage
    try:
        r = subprocess.run([os.path.join(build_dir, command), *args], cwd=copy, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"timed out after {timeout} s"
    lines = [l for l in (r.stdout + r.stderr).splitlines() if "FAILED" in l or "failed" in l]
    return r.returncode == 0, "; ".join(lines[-3:])[:300]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=os.path.dirname(os.path.dirname(HERE)))
    parser.add_argument("--work", default=None, help="work folder (default: SOURCE/build-mutation)")
    parser.add_argument("--only", nargs="*", default=None, help="mutant names to run")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    names = [m[0] for m in MUTANTS]
    if len(set(names)) != len(names):
        print("mutation: duplicate mutant names", file=sys.stderr)
        return 2
    if args.list:
        for name, path, _, _ in MUTANTS:
            print(f"{name:40} {path}")
        return 0
    chosen = MUTANTS if args.only is None else [m for m in MUTANTS if m[0] in args.only]
    unknown = set(args.only or []) - set(names)
    if unknown:
        print(f"mutation: unknown mutant(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    source = os.path.abspath(args.source)
    work = os.path.abspath(args.work or os.path.join(source, "build-mutation"))
    copy, build_dir = os.path.join(work, "src"), os.path.join(work, "build")
    os.makedirs(copy, exist_ok=True)
    sync_tree(source, copy)
    started = time.monotonic()
    r = subprocess.run(["cmake", "-S", copy, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                        "-DBRINK_WERROR=OFF"], capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout[-2000:] + r.stderr[-2000:], file=sys.stderr)
        return 1

    # The suite must pass on the unmodified code, or a "kill" means nothing.
    ok, log = build(copy, build_dir, args.jobs, [stage[1] for stage in STAGES])
    if not ok:
        print("mutation: the unmodified source does not build:\n" + log, file=sys.stderr)
        return 1
    for stage in STAGES:
        passed, detail = run_stage(copy, build_dir, stage)
        if not passed:
            print(f"mutation: the kill suite's stage '{stage[0]}' fails on the unmodified code: {detail}",
                  file=sys.stderr)
            return 1
    print(f"unmodified code: builds and passes every stage ({time.monotonic() - started:.0f} s)", flush=True)

    results = []
    for name, rel, find, replace in chosen:
        path = os.path.join(copy, rel)
        with open(path, encoding="utf-8") as f:
            pristine = f.read()
        occurrences = pristine.count(find)
        if occurrences != 1:
            results.append((name, "STALE", f"its text occurs {occurrences} times in {rel}", 0.0))
            print(f"{name:40} STALE ({occurrences} occurrences in {rel})", flush=True)
            continue
        t0 = time.monotonic()
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(pristine.replace(find, replace))
            verdict, detail = "SURVIVED", "every stage passed"
            for stage in STAGES:
                ok, log = build(copy, build_dir, args.jobs, [stage[1]])
                if not ok:
                    verdict, detail = "INVALID", "does not compile: " + log[-300:].replace("\n", " ")
                    break
                passed, why = run_stage(copy, build_dir, stage)
                if not passed:
                    verdict, detail = "killed", f"by {stage[0]}: {why}"
                    break
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(pristine)
        elapsed = time.monotonic() - t0
        results.append((name, verdict, detail, elapsed))
        print(f"{name:40} {verdict:8} {elapsed:5.0f} s  {detail}", flush=True)

    killed = sum(1 for r in results if r[1] == "killed")
    print(f"\nmutants killed: {killed} of {len(results)} ({time.monotonic() - started:.0f} s in all)")
    bad = [r for r in results if r[1] != "killed"]
    for name, verdict, detail, _ in bad:
        print(f"  {verdict}: {name}: {detail}")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
