"""Figures and reports of the history commands (analysis/history_plot.py, plot.py, report.py) on
folders the real binary writes: brink run --given with a series of dates and with one date,
brink backtest, and brink branch, on the small test world with a calendar
(tests/data/scenarios/small.yaml, run.start_date 2021-12-17) and tests/data/timelines/small.yaml.

Run:  BRINK=build/sim/brink MPLBACKEND=Agg /usr/bin/python3 -m pytest -q tests/analysis/test_history_plots.py
Without BRINK these tests skip (fail with BRINK_REQUIRE_ALL=1, as CTest sets it).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "analysis"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import brink_binary  # noqa: E402
import brink_plotting as bp  # noqa: E402
import brink_results as br  # noqa: E402
import fan_chart  # noqa: E402
import history_plot  # noqa: E402
import plot  # noqa: E402

SMALL = REPO / "tests/data/scenarios/small.yaml"
TIMELINE = REPO / "tests/data/timelines/small.yaml"
DATED = ["--set", "run.start_date=2021-12-17"]
PYTHON = sys.executable or "/usr/bin/python3"
AS_OF = ["2021-12-17", "2021-12-24", "2021-12-31", "2022-01-07", "2022-01-14", "2022-01-21"]
BRANCH_TICK = 3


def brink_run(brink: str, *args):
    r = subprocess.run([brink, *map(str, args)], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert r.returncode == 0, f"brink {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stderr}"


def script(name: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, str(REPO / "analysis" / name), *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ, MPLBACKEND="Agg"), timeout=300)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    brink = brink_binary.binary()
    root = tmp_path_factory.mktemp("history")
    f = {k: root / k for k in ("given", "one_date", "backtest", "branch")}
    common = ["--threads", 2, "--quiet"]
    brink_run(brink, "run", SMALL, *DATED, "--given", TIMELINE, "--as-of", "2021-12-17:2022-01-21:7d", "--runs", 1000,
              "--out", f["given"], *common)
    brink_run(brink, "run", SMALL, *DATED, "--given", TIMELINE, "--as-of", "2022-01-12", "--runs", 500,
              "--out", f["one_date"], *common)
    brink_run(brink, "backtest", SMALL, TIMELINE, *DATED, "--runs", 1000, "--out", f["backtest"], *common)
    brink_run(brink, "branch", SMALL, *DATED, "--run", 1, "--tick", BRANCH_TICK, "--runs", 300, "--out", f["branch"], *common)
    return f


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def tagged(ax, kind: str) -> dict:
    """The artists history_plot tags with .brink = (kind, ...), by their tag."""
    return {a.brink: a for a in list(ax.get_lines()) + list(ax.collections) if getattr(a, "brink", ("",))[0] == kind}


def check_png(path: Path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, f"{path}: not a real PNG ({len(data)} bytes)"
    img = mpimg.imread(path)
    assert img.shape[:2] == (bp.HEIGHT_PX, bp.WIDTH_PX), f"{path} is {img.shape[1]}x{img.shape[0]}"
    assert np.mean(np.any(img[..., :3] < 0.9, axis=-1)) > 0.02, f"{path}: nearly nothing drawn"


# ---------------------------------------------------------------- the as-of figure

def test_as_of_figure_puts_the_forecasts_on_the_brink_axes(folders):
    h = history_plot.load_history(folders["given"])
    assert h.kind == "given" and [d.strftime("%Y-%m-%d") for d in h.dates] == AS_OF
    fig = history_plot.plot_as_of(h)
    ax, ess_ax = fig.axes[0], fig.axes[1]
    # The question with published forecasts is drawn (the other has none), at each as-of date, with odds.csv's numbers.
    assert fig.questions == ["crisis_by_february"]
    lines = tagged(ax, "question")
    assert list(lines) == [("question", "crisis_by_february")]
    line = lines[("question", "crisis_by_february")]
    odds = pd.read_csv(folders["given"] / "odds.csv")
    want = odds[(odds.kind == "question") & (odds.name == "crisis_by_february")]
    assert [pd.Timestamp(x).strftime("%Y-%m-%d") for x in line.get_xdata()] == list(want.as_of) == AS_OF
    assert np.allclose(line.get_ydata(), 100 * want.probability)
    assert "resolved no" in line.get_label()  # the question resolved false
    # The panel's two forecasts (0.2 on 2021-12-10, a week before the first date; 0.1 on 2022-01-10) as markers, in
    # the question's colour, on the same axes as Brink's line.
    points = tagged(ax, "forecast")
    assert list(points) == [("forecast", "crisis_by_february", "Panel")]
    pts = points[("forecast", "crisis_by_february", "Panel")]
    got = sorted((mdates.num2date(x).strftime("%Y-%m-%d"), round(y, 9)) for x, y in pts.get_offsets())
    assert got == [("2021-12-10", 20.0), ("2022-01-10", 10.0)]
    assert to_hex(pts.get_facecolor()[0]) == to_hex(line.get_color())
    assert ax.get_xlim()[0] < mdates.date2num(pd.Timestamp("2021-12-10"))  # the early forecast is inside the axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Panel (published)" in labels
    # The ESS panel: odds.csv's ESS at each date, the runs, and the manifest's floor.
    per_date = odds.drop_duplicates("as_of")
    ess = [l for l in ess_ax.get_lines() if l.get_label() == "ESS"][0]
    assert np.allclose(ess.get_ydata(), per_date.ess)
    floor = json.loads((folders["given"] / "manifest.json").read_text())["ess_floor"]
    assert [l.get_ydata()[0] for l in ess_ax.get_lines() if l.get_label() == "ESS floor"] == [floor]
    # The stage dates of stages.csv (when observations were decided) are drawn with their ids.
    texts = " ".join(t.get_text() for t in ax.texts)
    for ids in pd.read_csv(folders["given"] / "stages.csv").observations.unique():
        assert ids.split(";")[0] in texts


def test_as_of_figure_selections(folders, tmp_path):
    h = history_plot.load_history(folders["given"])
    fig = history_plot.plot_as_of(h, questions=["settled_by_march", "crisis_by_february"], outcomes=["escalation"])
    ax = fig.axes[0]
    assert set(tagged(ax, "question")) == {("question", "settled_by_march"), ("question", "crisis_by_february")}
    esc = tagged(ax, "outcome")[("outcome", "escalation")]
    assert to_hex(esc.get_color()) == to_hex(bp.OUTCOME_COLORS["escalation"])
    odds = pd.read_csv(folders["given"] / "odds.csv")
    assert np.allclose(esc.get_ydata(), 100 * odds[(odds.kind == "outcome") & (odds.name == "escalation")].probability)
    with pytest.raises(br.BrinkResultError, match="no question nope; it has crisis_by_february, settled_by_march"):
        history_plot.plot_as_of(h, questions=["nope"])
    r = script("plot.py", folders["given"], "--out", tmp_path, "--outcomes", "war")
    assert r.returncode == 2 and "no outcome war" in r.stderr, r.stderr


def test_one_as_of_date_is_a_point_with_its_interval(folders):
    h = history_plot.load_history(folders["one_date"])
    fig = history_plot.plot_as_of(h)
    ax = fig.axes[0]
    line = tagged(ax, "question")[("question", "crisis_by_february")]
    assert len(line.get_xdata()) == 1
    bars = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
    assert bars, "no error bar for the single date"
    (_, lo), (_, hi) = bars[0].get_segments()[0]
    row = pd.read_csv(folders["one_date"] / "odds.csv").query("name == 'crisis_by_february'").iloc[0]
    assert (lo, hi) == pytest.approx((100 * row.low, 100 * row.high))
    # Only the forecast up to the date is drawn (2021-12-10 and 2022-01-10, both before 2022-01-12).
    assert len(fig.forecast_points) == 2


# ---------------------------------------------------------------- back-test figures

def test_backtest_figures_through_plot_py(folders, tmp_path):
    out = tmp_path / "figs"
    r = script("plot.py", folders["backtest"], "--out", out)
    assert r.returncode == 0, r.stderr
    names = ["as_of_odds", "reliability", "scores"]
    assert r.stdout.split() == [str(out / f"{n}.{f}") for n in names for f in ("png", "svg")]
    for n in names:
        check_png(out / f"{n}.png")
        assert (out / f"{n}.svg").stat().st_size > 20_000


def test_reliability_is_the_csv(folders):
    h = history_plot.load_history(folders["backtest"])
    fig = history_plot.plot_reliability(h)
    ax = fig.axes[0]
    rel = pd.read_csv(folders["backtest"] / "reliability.csv")
    used = rel[rel["count"] > 0]
    assert list(fig.series) == list(dict.fromkeys(["Brink"] + list(rel.who)))  # one series per forecaster, Brink first
    drawn = sorted(tuple(np.round(p, 9)) for c in ax.collections for p in c.get_offsets())
    want = sorted(tuple(np.round(p, 9)) for p in zip(100 * used.mean_probability, 100 * used.frequency))
    assert drawn == want
    counts = sorted(t.get_text() for t in ax.texts if t.get_text().startswith("n="))
    assert counts == sorted(f"n={c}" for c in used["count"])
    diagonal = [l for l in ax.get_lines() if l.get_label() == "Perfectly calibrated"][0]
    assert list(diagonal.get_xdata()) == [0, 100] and list(diagonal.get_ydata()) == [0, 100]
    # Two questions: the figure says there are few.
    assert fig.few_questions and any("Only 2 questions" in t.get_text() for t in ax.texts)


def test_scores_are_the_csv(folders):
    h = history_plot.load_history(folders["backtest"])
    fig = history_plot.plot_scores(h)
    scores = pd.read_csv(folders["backtest"] / "scores.csv")
    assert "Panel" in set(scores.who)
    for r in scores.itertuples():
        for metric in ("brier", "log"):
            assert fig.bars[(r.who, metric, r.who)] == pytest.approx(getattr(r, metric))
            if r.who != "Brink":  # Brink beside the forecaster, on its questions at its dates
                assert fig.bars[(r.who, metric, "Brink")] == pytest.approx(getattr(r, f"brink_{metric}"))
    assert [t.get_text().split("\n")[0] for t in fig.axes[0].get_yticklabels()] == list(scores.who)


# ---------------------------------------------------------------- broken folders

def _edit(path: Path, old: str, new: str):
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def _sub(path: Path, pattern: str, new: str):
    text = path.read_text()
    changed = re.sub(pattern, new, text, count=1)
    assert changed != text, (path, pattern)
    path.write_text(changed)


BROKEN = {
    "odds column": ("backtest", lambda f: _edit(f / "odds.csv", "probability", "prob"), ["odds.csv", "missing column", "probability"]),
    "odds date": ("given", lambda f: _edit(f / "odds.csv", "\n2021-12-24,", "\n2021-12-32,"),
                  ["odds.csv: column as_of, data row", "expected a date YYYY-MM-DD, found '2021-12-32'"]),
    "odds interval": ("given", lambda f: _sub(f / "odds.csv", r",question,crisis_by_february,[^,]+,", ",question,crisis_by_february,0.999,"),
                      ["odds.csv: column probability, data row 5:", "0.999 lies outside its interval"]),
    "forecast probability": ("given", lambda f: _edit(f / "forecasts.csv", ",0.2,", ",1.2,"),
                             ["forecasts.csv: column probability, data row 1", "must lie in [0, 1], found 1.2"]),
    "forecast question": ("given", lambda f: _edit(f / "forecasts.csv", "\ncrisis_by_february,", "\ncrisis_by_feb,"),
                          ["forecasts.csv: column question, data row 1", "'crisis_by_feb' has no row in odds.csv"]),
    "stages column": ("given", lambda f: _edit(f / "stages.csv", ",ess", ",es"), ["stages.csv", "missing column", "ess"]),
    "reliability column": ("backtest", lambda f: _edit(f / "reliability.csv", "frequency", "freq"),
                           ["reliability.csv", "missing column", "frequency"]),
    "scores missing": ("backtest", lambda f: (f / "scores.csv").unlink(), ["scores.csv: file is missing"]),
    "manifest of a sweep": ("backtest", lambda f: _edit(f / "manifest.json", '"kind": "backtest"', '"kind": "sweep"'),
                            ["sweep.csv: file is missing"]),
    "manifest not JSON": ("given", lambda f: _edit(f / "manifest.json", "{", "["), ["manifest.json", "is not valid JSON"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_folder_exits_2_with_a_located_message(case, folders, tmp_path):
    source, damage, words = BROKEN[case]
    broken = tmp_path / "broken"
    shutil.copytree(folders[source], broken)
    damage(broken)
    for name in ("plot.py", "report.py"):
        r = script(name, broken, "--out", tmp_path / ("figs" if name == "plot.py" else "r.html"))
        assert r.returncode == 2, (name, r.returncode, r.stderr)
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
        for w in words:
            assert w in r.stderr, (name, w, r.stderr)


def test_a_folder_of_another_kind_is_refused_by_history_plot(folders, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(folders["backtest"], other)
    _edit(other / "manifest.json", '"kind": "backtest"', '"kind": "branch"')
    r = script("history_plot.py", other, "--out", tmp_path / "figs")
    assert r.returncode == 2
    assert "is a Brink run folder, not a `brink run --given` or `brink backtest` folder" in r.stderr, r.stderr
    r = script("history_plot.py", folders["branch"], "--out", tmp_path / "figs")
    assert r.returncode == 2 and "not a `brink run --given`" in r.stderr
    assert not (tmp_path / "figs").exists()


def test_kind_without_a_manifest(folders, tmp_path):
    for name, kind in (("given", "given"), ("backtest", "backtest")):
        bare = tmp_path / name
        shutil.copytree(folders[name], bare)
        (bare / "manifest.json").unlink()
        assert br.detect_kind(bare) == kind
        assert br.load(bare).kind == kind


# ---------------------------------------------------------------- reports

def test_report_of_a_backtest(folders, tmp_path):
    out = tmp_path / "bt.html"
    r = script("report.py", folders["backtest"], "--out", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert text.count('<img src="data:image/png;base64,') == 3
    for anchor in ("question", "odds", "forecasts", "scores", "figures"):
        assert f'<section id="{anchor}">' in text, anchor
    bt = pd.read_csv(folders["backtest"] / "backtest.csv")
    brink = bt[bt.who == "Brink"]
    for row in brink.itertuples():  # Brink's probability and scores of each question are in the page
        assert f"{row.brier:.3f}" in text and bp.fmt_pct(row.probability) in text, row
    scores = pd.read_csv(folders["backtest"] / "scores.csv")
    panel = scores[scores.who == "Panel"].iloc[0]
    assert f"<td class=\"\">Panel</td><td class=\"num\">{panel['count']}</td><td class=\"num\">{panel.brier:.3f}</td>" in text


def test_report_of_a_series(folders, tmp_path):
    out = tmp_path / "given.html"
    r = script("report.py", folders["given"], "--out", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert text.count('<img src="data:image/png;base64,') == 1
    odds = pd.read_csv(folders["given"] / "odds.csv")
    for d in AS_OF:  # one row per date, with the ESS and each question's probability
        rows = odds[odds.as_of == d]
        p = rows[rows.name == "settled_by_march"].probability.iloc[0]
        assert f"{rows.ess.iloc[0]:,.0f} of 1,000" in text and bp.fmt_pct(p) in text, d
    assert "What was observed, and when" in text and "red_threatens" in text
    assert "Brier" not in text.split('id="forecasts"')[1].split("</section>")[0]  # a given folder scores nothing


# ---------------------------------------------------------------- branch folders

def test_branch_folder_draws_the_run_figures(folders, tmp_path):
    run = br.load(folders["branch"])
    assert run.kind == "run" and run.is_branch and run.scenario == "Small test world"
    figs = plot.figures(run)
    assert len(figs) == 7
    for fig in figs.values():
        title = (fig._suptitle.get_text() if fig._suptitle else "") + " ".join(a.get_title() for a in fig.axes)
        assert "{" not in title, title  # the manifest's scenario object is not printed
    # The ticks before the branch's have no runs: no rung is drawn there (not rung 0), and the rung from then on.
    q = fan_chart.rung_quantiles(run)
    assert q.loc[q.tick < BRANCH_TICK, ["q05", "q50", "q95", "mean"]].isna().all().all()
    assert q.loc[q.tick >= BRANCH_TICK, ["q05", "q50", "q95", "mean"]].notna().all().all()
    still = figs["rung_fan"].axes[1].get_lines()[0].get_ydata()
    assert np.isnan(still[:BRANCH_TICK]).all() and still[BRANCH_TICK] == pytest.approx(100)
    r = script("plot.py", folders["branch"], "--out", tmp_path / "figs", "--format", "png")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.split()) == 7


def test_report_of_a_branch_tells_no_replayed_story(folders, tmp_path):
    out = tmp_path / "branch.html"
    r = subprocess.run([PYTHON, str(REPO / "analysis/report.py"), str(folders["branch"]), "--out", str(out),
                        "--brink", brink_binary.binary()], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "cannot replay them" in text and f"tick: {BRANCH_TICK}" in text  # the state the branches start from
    assert "Tick 1" not in text  # brink trace would have replayed a run from tick 0, not a branch
    assert "brink branch" in text.split('id="reproduce"')[1]


def test_dated_run_figures_carry_calendar_dates(tmp_path):
    """A scenario with run.start_date: the time axes of the run figures get a date axis."""
    import matplotlib.dates as mdates
    import fan_chart
    import incidence
    brink = brink_binary.binary()
    folder = tmp_path / "dated"
    subprocess.run([brink, "run", str(SMALL), *DATED, "--runs", "300", "--out", str(folder), "--quiet"],
                   check=True, cwd=REPO, capture_output=True)
    run = br.load_run(folder)
    assert str(run.start_date) == "2021-12-17"
    for fig in (incidence.plot_cumulative_incidence(run), fan_chart.plot_rung_fan(run), fan_chart.plot_rung_shares(run)):
        dated = [c for a in fig.axes for c in a.child_axes if c.get_xlabel() == "Date"]
        assert len(dated) == 1
        # Week 10 of the run is 25 February 2022 on the date axis.
        sec = dated[0]
        assert mdates.num2date(sec._functions[0](10.0)).date().isoformat() == "2022-02-25"
    undated = br.load_run(REPO / "tests/analysis/fixtures/run_small")
    assert undated.start_date is None
    months = [c.get_xlabel() for a in incidence.plot_cumulative_incidence(undated).axes for c in a.child_axes]
    assert months == ["Months since start"]
