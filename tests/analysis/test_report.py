"""Tests of `brink report` / analysis/report.py: one self-contained HTML page per result folder.

Run:  BRINK=build/sim/brink MPLBACKEND=Agg /usr/bin/python3 -m pytest -q tests/analysis/test_report.py
CTest runs it with the rest of tests/analysis (test analysis.plots), with BRINK set.

The page is built from small real folders that the brink binary writes (skipped without
BRINK), and from the hand-made fixtures. It is then opened in headless Chromium (Debian
package `chromium`, installed by scripts/setup; skipped when missing). With
BRINK_REQUIRE_ALL=1, as CTest sets it, a missing BRINK or Chromium fails instead of
skipping; a binary without `report` always fails (brink_binary.py). The rendered DOM must
hold the figures as non-empty data: URIs, the odds table and both traces; Chromium's network
log must show no request made by the page; and a screenshot must show the page drawn.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[2]
ANALYSIS = REPO / "analysis"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(ANALYSIS))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # brink_binary.py

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402

import brink_binary  # noqa: E402  (tests/analysis/brink_binary.py)
import report  # noqa: E402

PYTHON = sys.executable or "/usr/bin/python3"
RUN_FIGURES = 7  # outcome_odds, rung_fan, rung_shares, state_variables, cumulative_incidence, time_to_outcome, max_rung
SMALL = ["--runs", "300", "--set", "run.horizon=52", "--threads", "2", "--quiet"]


# ---------------------------------------------------------------- helpers

class Page(HTMLParser):
    """The parts of an HTML page the tests look at."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.images, self.tables, self.details, self.sections, self.metas = [], 0, 0, [], []
        self.urls = []          # every src/href/srcset/action/... attribute value
        self.pre_story = []     # text of the <pre class="story"> blocks
        self.cells = []         # text of every table cell
        self.text = []
        self._pre = self._cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href", "srcset", "action", "poster", "data", "formaction", "background", "xlink:href"):
            if a.get(name):
                self.urls.append((tag, name, a[name]))
        if tag == "img":
            self.images.append(a)
        elif tag == "table":
            self.tables += 1
        elif tag == "details":
            self.details += 1
        elif tag == "section":
            self.sections.append(a)
        elif tag == "meta":
            self.metas.append(a)
        elif tag == "pre" and "story" in (a.get("class") or ""):
            self._pre = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "pre" and self._pre is not None:
            self.pre_story.append("".join(self._pre))
            self._pre = None
        elif tag in ("td", "th") and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._pre is not None:
            self._pre.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def run_report_py(folder: Path, *extra, env_extra=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg", **(env_extra or {}))
    return subprocess.run([PYTHON, str(ANALYSIS / "report.py"), str(folder), *map(str, extra)],
                          capture_output=True, text=True, env=env, timeout=600)


def brink_report(brink: str, *args, analysis_dir=ANALYSIS) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg", BRINK_ANALYSIS_DIR=str(analysis_dir))
    return subprocess.run([brink, "report", *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=600, cwd=REPO)


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(args, tmp: Path) -> subprocess.CompletedProcess:
    exe = chromium_binary()
    if not exe:
        brink_binary.missing("chromium is not installed (scripts/setup installs the Debian package)")
    profile = tmp / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def page_requests(netlog: Path) -> list[str]:
    """URLs that the page itself asked for, from a Chromium NetLog.

    Chromium's own background traffic (update checks, account probes) has no initiating
    origin ("not an origin"); anything the page loads carries the file:// page's (opaque,
    "null") origin as initiator and a file:// network isolation key.
    """
    data = json.loads(netlog.read_text(encoding="utf-8", errors="replace") or "{}")
    if not data.get("events"):  # Chromium may leave the closing brackets off when killed
        raise AssertionError(f"{netlog} holds no NetLog events")
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls = []
    for e in data["events"]:
        p = e.get("params") or {}
        if names.get(e["type"]) != "URL_REQUEST_START_JOB" or "url" not in p:
            continue
        url = str(p["url"])
        from_page = p.get("initiator") != "not an origin" or "file://" in str(p.get("network_isolation_key", ""))
        if from_page and not url.startswith(("file:", "data:", "about:", "chrome:")):
            urls.append(url)
    return urls


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def brink():
    path = brink_binary.binary()
    brink_binary.need_subcommand(path, "report")  # a dropped subcommand fails, never skips
    return path


@pytest.fixture(scope="module")
def run_folder(brink, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    r = subprocess.run([brink, "run", "scenarios/baseline.yaml", *SMALL, "--out", str(out)],
                       capture_output=True, text=True, cwd=REPO, timeout=600)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def run_report(brink, run_folder) -> Path:
    r = brink_report(brink, run_folder)
    assert r.returncode == 0, f"brink report failed ({r.returncode}):\n{r.stderr}"
    out = run_folder / "report.html"
    assert r.stdout.strip() == str(out)
    return out


@pytest.fixture(scope="module")
def rendered(run_report, tmp_path_factory) -> dict:
    """The report opened in headless Chromium: its DOM and its network log."""
    tmp = tmp_path_factory.mktemp("chromium")
    netlog = tmp / "netlog.json"
    r = chromium([f"--log-net-log={netlog}", "--dump-dom", run_report.as_uri()], tmp)
    assert r.returncode == 0, f"chromium failed ({r.returncode}):\n{r.stderr[-2000:]}"
    assert "<html" in r.stdout, f"chromium printed no DOM:\n{r.stderr[-2000:]}"
    return {"dom": r.stdout, "netlog": netlog}


# ---------------------------------------------------------------- the run report, as Chromium renders it

def test_dom_has_every_figure_as_an_embedded_png(rendered):
    page = Page(rendered["dom"])
    assert len(page.images) == RUN_FIGURES, [i.get("alt") for i in page.images]
    for img in page.images:
        src = img.get("src", "")
        assert src.startswith("data:image/png;base64,"), src[:60]
        import base64
        png = base64.b64decode(src.split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 20_000, f"figure {img.get('alt')!r} is suspiciously small ({len(png)} bytes)"
        assert img.get("alt"), "every figure has alt text"


def test_dom_has_the_odds_table(rendered, run_folder):
    page = Page(rendered["dom"])
    assert page.tables >= 5  # odds, leaders, priorities, variables, ladder (+ events)
    summary = json.loads((run_folder / "summary.json").read_text())
    text = page.all_text
    for outcome, label in (("escalation", "Escalation"), ("deescalation", "De-escalation"), ("frozen_conflict", "Frozen conflict"),
                           ("ongoing_war", "Ongoing war")):
        o = summary["outcomes"][outcome]
        estimate = report.pct(o["probability"])
        ci = report.interval(o["ci95_low"], o["ci95_high"])
        assert label in page.cells
        assert estimate in page.cells and ci in page.cells, f"{outcome}: {estimate} {ci} not in the odds table"
        assert f"{o['count']:,}" in page.cells
    assert "95% interval" in text
    assert f"{summary['runs_completed']:,} completed" in text
    assert str(summary["seed"]) in text


def test_dom_has_both_traces(rendered, run_folder):
    import pandas as pd
    page = Page(rendered["dom"])
    runs = pd.read_csv(run_folder / "runs.csv", usecols=["run_id", "outcome", "end_tick"])
    assert len(page.pre_story) == 2, "one story for an escalating run, one for a de-escalating run"
    assert page.details >= 2
    for story, outcome in zip(page.pre_story, ("escalation", "deescalation")):
        first = runs[runs.outcome == outcome].iloc[0]
        assert f"run {first.run_id}, seed" in story, story[:200]
        assert f"Outcome: {outcome} at tick {first.end_tick}" in story
        assert "Tick 1 (day 7, 2021-12-24)" in story and "End:" in story  # the baseline has a calendar
        if first.end_tick > report.TRACE_HEAD_TICKS + report.TRACE_TAIL_TICKS + 1:
            assert f"Tick {report.TRACE_HEAD_TICKS} (" in story and f"Tick {report.TRACE_HEAD_TICKS + 1} (" not in story
            assert f"Tick {first.end_tick} (" in story
            assert "ticks not shown" in story
    assert page.all_text.count("When the ladder moved") == 2
    assert "President Biden" in page.all_text and "President Putin" in page.all_text


def test_page_makes_no_network_request(rendered, run_report):
    assert page_requests(rendered["netlog"]) == []
    text = run_report.read_text(encoding="utf-8")
    page = Page(text)
    remote = [(t, n, u[:80]) for t, n, u in page.urls if not (u.startswith("data:") or u.startswith("#"))]
    assert remote == [], f"references to outside the page: {remote}"
    low = text.lower()
    for bad in ("<script", "<iframe", "<link", "@import", "url(", "@font-face", "<object", "<embed"):
        assert bad not in low, f"the page holds {bad!r}"
    assert "http://" not in low and "https://" not in low
    csp = [m for m in page.metas if (m.get("http-equiv") or "").lower() == "content-security-policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]


def test_network_check_catches_a_page_that_loads_something(tmp_path):
    """The NetLog check itself: a page with a remote image is caught."""
    probe = tmp_path / "probe.html"
    probe.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>')
    netlog = tmp_path / "netlog.json"
    r = chromium([f"--log-net-log={netlog}", "--dump-dom", probe.as_uri()], tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert page_requests(netlog) == ["http://127.0.0.1:9/x.png"]


def test_screenshot_shows_the_page(run_report, tmp_path):
    shot = tmp_path / "report.png"
    r = chromium(["--window-size=1280,2400", f"--screenshot={shot}", run_report.as_uri()], tmp_path)
    assert r.returncode == 0 and shot.is_file(), r.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000, f"screenshot is suspiciously small ({len(data)} bytes)"
    img = mpimg.imread(shot)[..., :3]
    assert img.shape[:2] == (2400, 1280)
    not_white = (img < 0.94).any(axis=2).mean()
    assert not_white > 0.08, f"only {not_white:.1%} of the screenshot is drawn"
    # The escalation card (#D55E00) and the de-escalation card (#0072B2) are on screen.
    for rgb in ((0xD5, 0x5E, 0x00), (0x00, 0x72, 0xB2)):
        close = (np.abs(img * 255 - np.array(rgb)) < 6).all(axis=2).mean()
        assert close > 0.005, f"colour #{bytes(rgb).hex()} covers only {close:.2%} of the screenshot"


# ---------------------------------------------------------------- the HTML file itself

def test_report_file_is_written_atomically_and_replaced(brink, run_folder, run_report, tmp_path):
    before = run_report.stat().st_mtime_ns
    r = brink_report(brink, run_folder)
    assert r.returncode == 0, r.stderr
    assert run_report.stat().st_mtime_ns >= before
    leftovers = [p.name for p in run_folder.iterdir() if p.name.startswith(".report.html")]
    assert leftovers == []
    out = tmp_path / "sub" / "mine.html"
    r = brink_report(brink, run_folder, "--out", out)
    assert r.returncode == 0 and out.is_file() and r.stdout.strip() == str(out)


def test_report_shows_the_question_and_the_parameters(run_report, run_folder):
    page = Page(run_report.read_text(encoding="utf-8"))
    text = page.all_text
    assert "The question" in text and "December 2021" in text
    assert "run.horizon=52" in text                           # the --set override is shown
    assert "52 weeks" in text                                 # the horizon
    for word in ("risk_tolerance", "misperception", "sovereignty", "nato_cohesion", "Direct NATO-Russia military clash",
                 "De-escalation by settlement", "0.7"):
        assert word in text, word
    ids = [s["id"] for s in page.sections if s.get("id")]
    assert ids == ["question", "odds", "figures", "runs", "scenario", "reproduce"]


def test_report_without_brink_still_works(run_folder, tmp_path):
    out = tmp_path / "r.html"
    env = {"PATH": "/usr/bin:/bin", "BRINK": ""}
    r = run_report_py(run_folder, "--out", out, env_extra=env)
    assert r.returncode == 0, r.stderr
    page = Page(out.read_text(encoding="utf-8"))
    assert len(page.images) == RUN_FIGURES and page.pre_story == []
    assert "built without a brink binary" in page.all_text


# ---------------------------------------------------------------- other kinds of folders

def test_compare_report(brink, tmp_path):
    out = tmp_path / "cmp"
    r = subprocess.run([brink, "compare", "scenarios/baseline.yaml", "scenarios/channel-closed.yaml", *SMALL, "--out", str(out)],
                       capture_output=True, text=True, cwd=REPO, timeout=600)
    assert r.returncode == 0, r.stderr
    r = brink_report(brink, out)
    assert r.returncode == 0, r.stderr
    page = Page((out / "report.html").read_text(encoding="utf-8"))
    text = page.all_text
    assert len(page.images) == 3  # compare, and the fan chart of each side
    assert all(i["src"].startswith("data:image/png;base64,") for i in page.images)
    assert "world.variables.channel.initial" in text and "removes summit, hotline_call" in text
    assert "Same dice, different ending" in text and len(page.pre_story) == 2
    assert "McNemar" in text


@pytest.mark.parametrize("fixture,images", [("sweep_one", 1), ("sweep_grid", 3), ("sweep_lhs", 3), ("compare", 1),
                                            ("sensitivity", 2), ("run_small", RUN_FIGURES)])
def test_report_of_each_fixture(fixture, images, tmp_path):
    folder = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, folder)
    r = run_report_py(folder, "--brink", "/bin/false")  # traces fail cleanly: the page says so
    assert r.returncode == 0, r.stderr
    page = Page((folder / "report.html").read_text(encoding="utf-8"))
    assert len(page.images) == images
    assert page.tables >= 1 and "The question" in page.all_text


# ---------------------------------------------------------------- exit codes

def test_not_a_result_folder_exits_2(tmp_path):
    r = run_report_py(tmp_path / "nope")
    assert r.returncode == 2 and "no such folder" in r.stderr
    (tmp_path / "empty").mkdir()
    r = run_report_py(tmp_path / "empty")
    assert r.returncode == 2 and "not a Brink result folder" in r.stderr
    assert not (tmp_path / "empty" / "report.html").exists()


def test_brink_report_exit_codes(brink, tmp_path):
    (tmp_path / "empty").mkdir()
    r = brink_report(brink, tmp_path / "empty")
    assert r.returncode == 2 and "brink report: error:" in r.stderr and "not a Brink result folder" in r.stderr
    r = brink_report(brink, FIXTURES / "run_small", "--out", tmp_path / "x.html", analysis_dir=tmp_path / "missing")
    assert r.returncode == 1 and "cannot find" in r.stderr and "BRINK_ANALYSIS_DIR" in r.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "report.py").write_text("import sys\nraise SystemExit(3)\n")
    r = brink_report(brink, FIXTURES / "run_small", analysis_dir=broken)
    assert r.returncode == 1 and "failed (exit 3)" in r.stderr
    r = subprocess.run([brink, "report"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
