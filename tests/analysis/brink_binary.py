"""What the analysis tests need from outside Python: the brink binary and its subcommands.

A missing prerequisite (BRINK unset, Chromium not installed) skips the tests that need it,
so the toolkit can be tested alone; with BRINK_REQUIRE_ALL=1 (CTest sets it) it fails
them instead, so a CI machine without Chromium cannot pass by skipping. A brink binary
that lacks a subcommand the tests use always fails: a dropped subcommand is a defect.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REQUIRE_ALL = "BRINK_REQUIRE_ALL"


def required() -> bool:
    return os.environ.get(REQUIRE_ALL) == "1"


def missing(reason: str):
    """Skips the test, or fails it when every prerequisite is required."""
    if required():
        pytest.fail(f"{reason} ({REQUIRE_ALL}=1: a missing prerequisite is a failure, not a skip)")
    pytest.skip(reason)


def binary() -> str:
    """The brink binary named by BRINK, as an absolute path."""
    path = os.environ.get("BRINK")
    if not path:
        missing("BRINK is not set: no real brink binary to make result folders with")
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"BRINK={path} is not an executable file")
    return str(Path(path).resolve())


def subcommands(brink: str) -> list[str]:
    """The subcommands `brink --help` lists (CLI11: the lines after 'Subcommands:')."""
    r = subprocess.run([brink, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"brink --help failed ({r.returncode}):\n{r.stderr}"
    lines = r.stdout.splitlines()
    if "Subcommands:" not in lines:
        return []
    names = []
    for line in lines[lines.index("Subcommands:") + 1:]:
        if line.strip() and line.startswith("  "):
            names.append(line.split()[0])
    return names


def need_subcommand(brink: str, name: str):
    """Fails (never skips) when the binary has no such subcommand."""
    have = subcommands(brink)
    if name not in have:
        pytest.fail(f"this brink has no `{name}` subcommand (it lists: {', '.join(have) or 'none'})")
