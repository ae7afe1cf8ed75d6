#!/usr/bin/env python3
"""Every example in README.md, run as written, as a newcomer would run it.

Usage: readme_examples.py BRINK BUILD_DIR     (BUILD_DIR: the Release build BRINK is from; prints 'N passed, N failed')

1. The main job: `scripts/main-job` (with BRINK_PREFIX, a scratch prefix, and BRINK_BUILD_DIR,
   this build, so nothing is built twice; the extra flag `--out` keeps its folder out of the
   source tree, as the README allows): it must install brink, leave it first on PATH and print
   the odds.
2. The "Using Brink" block, line by line in one bash session, with the brink the main job
   installed and in a working folder laid out like the clone (analysis/ and tests/ linked,
   scenarios/ copied). Two lines need a user's hands: the 100,000-run Monte Carlo gets a Ctrl-C
   (SIGINT) once it has a checkpoint, so that the next line's `--resume --latest` continues it,
   and `brink play` reads its moves from stdin (option 1 every week). Each line must exit 0
   (the interrupted one 130), and the files each line promises are checked afterwards.
3. The what-if scenario of "Scenarios" is written beside baseline.yaml: it must give exactly
   the runs of `--set leaders.putin.priorities.sovereignty=0.9`.
Every other sh block of the README must be named in NOT_RUN with the reason, so a new example
cannot slip in untested.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BRINK, BUILD = sys.argv[1], Path(sys.argv[2]).resolve()
README = (REPO / "README.md").read_text()
# sh blocks this test does not run, by their first line, and why.
NOT_RUN = {
    "scripts/test": "the test command itself: CI runs it, and this test is part of it",
    "benchmarks/run": "benchmarks take 5-10 minutes each and measure speed; tests never time anything",
    "scripts/setup": "building by hand from scratch: scripts/test and scripts/main-job run the same steps "
                     "(setup, configure, build), tests/integration/install.sh the install",
}
passed = failed = 0


def check(ok: bool, what: str, detail: str = ""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}" + (f"\n{detail}" if detail else ""))


def sh_blocks() -> list[tuple[str, str]]:
    """(the section heading above, the block) for every ```sh block."""
    blocks, heading = [], ""
    for m in re.finditer(r"^(#+ [^\n]*)$|^```sh\n(.*?)^```", README, re.M | re.S):
        if m.group(1):
            heading = m.group(1)
        else:
            blocks.append((heading, m.group(2)))
    return blocks


def logical_lines(block: str) -> list[str]:
    """Lines with backslash continuations joined."""
    return [line for line in re.sub(r"\\\n\s*", "", block).splitlines() if line.strip()]


def run_main_job(work: Path, prefix: Path) -> None:
    env = dict(os.environ, BRINK_PREFIX=str(prefix), BRINK_BUILD_DIR=str(BUILD),
               PATH=f"{prefix / 'bin'}:{os.environ['PATH']}")
    out = work / "main-job"
    r = subprocess.run([str(REPO / "scripts/main-job"), "--out", str(out)], capture_output=True, text=True,
                       env=env, timeout=900)
    check(r.returncode == 0, "scripts/main-job exits 0", r.stdout[-3000:] + r.stderr[-3000:])
    check(f"scripts/main-job: installed {prefix}/bin/brink" in r.stdout, "main-job says where brink is installed", r.stdout)
    check("on PATH" not in r.stderr, "main-job finds the installed brink first on PATH", r.stderr)
    check(os.access(prefix / "bin/brink", os.X_OK), "main-job installed an executable bin/brink")
    version = subprocess.run([str(prefix / "bin/brink"), "--version"], capture_output=True, text=True).stdout
    check(version == subprocess.run([BRINK, "--version"], capture_output=True, text=True).stdout,
          "the installed brink is the one built", version)
    check(re.search(r"20000 runs, seed 20211217", r.stdout) is not None, "main-job ran the default scenario's 20,000 runs",
          r.stdout)
    for outcome in ("escalation", "de-escalation", "frozen conflict", "ongoing war"):
        check(re.search(rf"^  {outcome} +\d+\.\d%", r.stdout, re.M) is not None, f"main job prints the odds of {outcome}")
    check(json.loads((out / "manifest.json").read_text()).get("complete") is True, "the main job's folder is complete")


def using_brink_script(lines: list[str]) -> str:
    """The lines as one bash session; each line announced on stderr, the two interactive ones driven."""
    script = ["set -euo pipefail", "set -m  # job control: a background brink gets SIGINT like a Ctrl-C"]
    for n, line in enumerate(lines, 1):
        script.append(f"echo {json.dumps(f'::: {n}: {line}')} >&2")
        if re.match(r"brink run \S+ --runs 100000\b", line):
            command = line.split("#")[0]
            script += [
                f"{command} & pid=$!",
                "for _ in $(seq 3000); do [ -e results/latest/checkpoint.bin ] && break; sleep 0.1; done",
                "kill -INT $pid; rc=0; wait $pid || rc=$?",
                '[ "$rc" -eq 130 ] || { echo "::: expected exit 130 after Ctrl-C, got $rc" >&2; exit 1; }',
                'ln -s "$(readlink -f results/latest)" interrupted  # the folder the resume must finish',
            ]
        elif line.startswith("brink play "):
            script += ["printf 'do_nothing\\n%.0s' {1..500} > play-answers.txt  # a student holding course every week",
                       f"{line.split('#')[0]} < play-answers.txt"]
        else:
            script.append(line)
    return "\n".join(script) + "\n"


def check_using_brink_files(clone: Path) -> None:
    interrupted = clone / "interrupted"
    manifest = json.loads((interrupted / "manifest.json").read_text()) if (interrupted / "manifest.json").exists() else {}
    check(manifest.get("complete") is True and manifest.get("runs_completed") == 100000
          and not (interrupted / "checkpoint.bin").exists(), "--resume --latest finished the interrupted 100,000 runs",
          json.dumps({k: manifest.get(k) for k in ("complete", "runs_completed")}))
    check((clone / "my.schema.json").read_text() == (REPO / "docs/scenario.schema.json").read_text(),
          "brink schema --out writes the committed schema")
    check((clone / "results/channel/report.html").is_file(), "brink report results/channel writes report.html")
    check(any((clone / "results/channel").rglob("*.png")), "analysis/plot.py draws PNG figures of results/channel")
    check((clone / "my-variant.yaml").is_file() and "extends: scenarios/hawkish-leaders.yaml"
          in (clone / "my-variant.yaml").read_text(), "brink new writes my-variant.yaml extending hawkish-leaders")
    check((clone / "mid.yaml").is_file(), "brink trace --save-state writes mid.yaml")
    check((clone / "results/cal/posterior.csv").is_file(), "brink calibrate writes results/cal/posterior.csv")
    events = [p for p in (clone / "results").glob("baseline-*/events.csv")]
    check(len(events) == 1, "--record events writes one events.csv", str(events))


def run_using_brink(work: Path, prefix: Path, block: str) -> Path:
    clone = work / "clone"
    clone.mkdir()
    for name in ("analysis", "tests"):
        (clone / name).symlink_to(REPO / name)
    shutil.copytree(REPO / "scenarios", clone / "scenarios")
    lines = logical_lines(block)
    (work / "using-brink.sh").write_text(using_brink_script(lines))
    env = dict(os.environ, PATH=f"{prefix / 'bin'}:{os.environ['PATH']}")
    env.pop("BRINK_ANALYSIS_DIR", None)
    r = subprocess.run(["bash", str(work / "using-brink.sh")], capture_output=True, text=True, cwd=clone, env=env,
                       timeout=1800)
    announced = re.findall(r"^::: (\d+): ", r.stderr, re.M)
    last = int(announced[-1]) if announced else 0
    check(r.returncode == 0 and last == len(lines),
          f"every line of 'Using Brink' runs as written (stopped at line {last} of {len(lines)}: "
          f"{lines[last - 1] if last else '-'}; exit {r.returncode})", r.stderr[-4000:])
    check(re.search(r"outcome +difference +p_value\n0 +escalation ", r.stdout) is not None,
          "the Python one-liner prints the typed compare table", r.stdout[-2000:])
    check_using_brink_files(clone)
    return clone


def run_what_if(clone: Path, prefix: Path) -> None:
    m = re.search(r"A what-if is five lines:\n\n```yaml\n(.*?)```", README, re.S)
    check(m is not None, "README has the what-if yaml block")
    if not m:
        return
    (clone / "scenarios/what-if.yaml").write_text(m.group(1))
    brink = str(prefix / "bin/brink")
    r = subprocess.run([brink, "validate", "scenarios/what-if.yaml"], capture_output=True, text=True, cwd=clone)
    check(r.returncode == 0 and "Putin weighs sovereignty at 0.9" in r.stdout, "the what-if validates", r.stdout + r.stderr)
    runs = []
    for args in (["scenarios/what-if.yaml"], ["scenarios/baseline.yaml", "--set", "leaders.putin.priorities.sovereignty=0.9"]):
        out = clone / f"what-if-{len(runs)}"
        subprocess.run([brink, "run", *args, "--runs", "300", "--out", str(out), "--quiet"], check=True, cwd=clone)
        runs.append((out / "runs.csv").read_bytes())
    check(runs[0] == runs[1], "the what-if file plays exactly the runs of --set sovereignty=0.9")


def main() -> int:
    cache = (BUILD / "CMakeCache.txt").read_text() if (BUILD / "CMakeCache.txt").exists() else ""
    if "CMAKE_BUILD_TYPE:STRING=Release" not in cache:
        print(f"FAIL: {BUILD} is not a Release build: scripts/main-job would reconfigure it as one")
        return 1
    blocks = sh_blocks()
    first_lines = [logical_lines(b)[0].split("#")[0].strip() for _, b in blocks]
    check("scripts/main-job" in first_lines, "the README's main job is `scripts/main-job`")
    using = [b for heading, b in blocks if heading == "## Using Brink"]
    check(len(using) == 1, "the README has one sh block under '## Using Brink'")
    for first in first_lines:
        if first != "scripts/main-job" and first not in NOT_RUN and not first.startswith("brink "):
            check(False, f"a README sh block starting {first!r} is neither run by this test nor in NOT_RUN")
    with tempfile.TemporaryDirectory(prefix="brink-readme-") as tmp:
        work = Path(tmp)
        prefix = work / "prefix"
        run_main_job(work, prefix)
        if using:
            clone = run_using_brink(work, prefix, using[0])
            run_what_if(clone, prefix)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
