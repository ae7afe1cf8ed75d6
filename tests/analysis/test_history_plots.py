"""Figures of the history commands (analysis/history_plot.py) on folders the real binary
writes: brink run --given with a series of dates, and brink backtest, on the small test
world with a calendar and tests/data/timelines/small.yaml."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "analysis"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import brink_binary  # noqa: E402
import brink_results as br  # noqa: E402
import history_plot  # noqa: E402

SMALL = REPO / "tests/data/scenarios/small.yaml"
TIMELINE = REPO / "tests/data/timelines/small.yaml"
DATED = ["--set", "run.start_date=2021-12-17"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    brink = brink_binary.binary()
    root = tmp_path_factory.mktemp("history")
    given, backtest = root / "given", root / "backtest"
    subprocess.run([brink, "run", str(SMALL), *DATED, "--given", str(TIMELINE), "--as-of", "2021-12-17:2022-01-21:7d",
                    "--runs", "1000", "--out", str(given), "--quiet"], check=True, cwd=REPO, capture_output=True)
    subprocess.run([brink, "backtest", str(SMALL), str(TIMELINE), *DATED, "--runs", "1000", "--out", str(backtest), "--quiet"],
                   check=True, cwd=REPO, capture_output=True)
    return given, backtest


def test_as_of_figure_puts_the_forecasts_on_the_brink_axes(folders):
    given, _ = folders
    h = history_plot.load_history(given)
    fig = history_plot.plot_as_of(h)
    ax = fig.axes[0]
    # The question with forecasts is drawn, with Brink's line at each of the six dates ...
    assert fig.questions == ["crisis_by_february"]
    line = ax.get_lines()[0]
    assert len(line.get_xdata()) == 6
    # ... and the panel's forecasts (0.2 on 2021-12-10, within a month before; 0.1 on 2022-01-10) as markers.
    offsets = [tuple(p) for c in ax.collections if hasattr(c, "get_offsets") for p in c.get_offsets()]
    assert any(abs(y - 10.0) < 1e-9 for _, y in offsets), offsets
    assert any(abs(y - 20.0) < 1e-9 for _, y in offsets), offsets
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Panel" in labels
    # The ESS panel: one point per date, never above the run count.
    ess = fig.axes[1].get_lines()[0].get_ydata()
    assert len(ess) == 6 and max(ess) <= 1000


def test_backtest_figures_and_plot_py_dispatch(folders, tmp_path):
    _, backtest = folders
    out = tmp_path / "figs"
    done = subprocess.run([sys.executable, str(REPO / "analysis/plot.py"), str(backtest), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in ("reliability", "scores", "as_of_odds"):
        for fmt in ("png", "svg"):
            assert (out / f"{name}.{fmt}").stat().st_size > 1000, name
    h = history_plot.load_history(backtest)
    fig = history_plot.plot_reliability(h)
    brink = [l for l in fig.axes[0].get_lines() if l.get_label().startswith("Brink")]
    assert len(brink) == 1
    used = h.reliability[(h.reliability.who == "Brink") & (h.reliability["count"] > 0)]
    assert list(brink[0].get_xdata()) == pytest.approx(list(100 * used["mean_probability"]))


def test_a_broken_folder_is_refused_with_its_file_and_column(folders, tmp_path):
    _, backtest = folders
    broken = tmp_path / "broken"
    shutil.copytree(backtest, broken)
    text = (broken / "odds.csv").read_text().replace("probability", "prob", 1)
    (broken / "odds.csv").write_text(text)
    done = subprocess.run([sys.executable, str(REPO / "analysis/history_plot.py"), str(broken)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "odds.csv" in done.stderr and "probability" in done.stderr
    other = tmp_path / "other"
    shutil.copytree(backtest, other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["kind"] = "branch"
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(br.BrinkResultError, match="not a `brink run --given` or `brink backtest` folder"):
        history_plot.load_history(other)


def test_report_of_a_backtest_and_of_a_series(folders, tmp_path):
    given, backtest = folders
    for folder, words, images in ((backtest, ["Beside the forecasters", "crisis_by_february", "Panel"], 3),
                                  (given, ["The odds by date", "2022-01-21", "ESS"], 1)):
        out = tmp_path / f"{folder.name}.html"
        done = subprocess.run([sys.executable, str(REPO / "analysis/report.py"), str(folder), "--out", str(out)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        text = out.read_text()
        for w in words:
            assert w in text, w
        assert text.count("<img") == images


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
