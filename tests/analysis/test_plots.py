"""Tests of the analysis/ plotting toolkit.

Run:  MPLBACKEND=Agg /usr/bin/python3 -m pytest -q tests/analysis
With BRINK=/path/to/brink set (CTest sets it), the toolkit is also run on result folders that
the real binary writes; without it those tests are skipped, or fail when BRINK_REQUIRE_ALL=1
(CTest sets that too). A binary that lacks a subcommand used here (sweep, compare,
sensitivity) fails those tests (brink_binary.py).

The fixtures in fixtures/ are: run_small/ (real `brink run` output: baseline, 300 runs, horizon
52 weeks) and hand-made sweep_one/, sweep_grid/, sweep_lhs/, compare/, sensitivity/ folders that
follow the result-folder spec (fixtures/make_fixtures.py writes them).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
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
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import brink_binary  # noqa: E402  (tests/analysis/brink_binary.py)
import brink_plotting as bp  # noqa: E402
import brink_results as br  # noqa: E402
import compare_plot  # noqa: E402
import fan_chart  # noqa: E402
import incidence  # noqa: E402
import max_rung  # noqa: E402
import outcome_odds  # noqa: E402
import plot  # noqa: E402
import sensitivity_plot  # noqa: E402
import sweep_plot  # noqa: E402
import time_to_outcome  # noqa: E402

PYTHON = sys.executable or "/usr/bin/python3"
RUN_FIGURES = ["outcome_odds", "rung_fan", "rung_shares", "state_variables", "cumulative_incidence",
               "time_to_outcome", "max_rung"]
EXPECTED = {
    "run_small": RUN_FIGURES,
    "sweep_one": ["sweep_odds"],
    "sweep_grid": ["sweep_odds_sovereignty", "sweep_odds_risk-tolerance", "sweep_heatmap"],
    "sweep_lhs": ["sweep_odds_sovereignty", "sweep_odds_risk-tolerance", "sweep_heatmap"],
    "compare": ["compare"],
    "sensitivity": ["sensitivity_sobol", "sensitivity_morris"],
}


# ---------------------------------------------------------------- helpers

def run_script(script: str, *args, cwd=REPO) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([PYTHON, str(ANALYSIS / script), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def check_png(path: Path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert len(data) > 20_000, f"{path} is suspiciously small ({len(data)} bytes)"
    img = mpimg.imread(path)
    height, width = img.shape[:2]
    assert abs(width - bp.WIDTH_PX) <= 2 and abs(height - bp.HEIGHT_PX) <= 2, f"{path} is {width}x{height}"
    rgb = img[..., :3]
    ink = np.mean(np.any(rgb < 0.9, axis=-1))  # share of pixels that are not (nearly) white
    assert 0.02 < ink < 0.9, f"{path}: {ink:.1%} of the pixels are drawn"
    assert rgb.std() > 0.05, f"{path} is nearly uniform"


def check_svg(path: Path):
    text = path.read_text(encoding="utf-8")
    assert len(text) > 20_000, f"{path} is suspiciously small"
    root = ET.fromstring(text)  # well-formed XML
    assert root.tag.endswith("svg")
    w = float(root.get("width").rstrip("pt"))
    h = float(root.get("height").rstrip("pt"))
    assert abs(w / h - 16 / 9) < 0.01, f"{path} is {w} x {h}"
    assert text.count("<path") + text.count("<use") > 20


def check_files(out: Path, names, formats=("png", "svg")):
    for name in names:
        for fmt in formats:
            path = out / f"{name}.{fmt}"
            assert path.is_file(), f"{path} was not written"
            (check_png if fmt == "png" else check_svg)(path)
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{n}.{f}" for n in names for f in formats)


def check_readable(fig):
    """Every visible text is at least 12 pt, and the figure is 16:9 at 150 dpi."""
    w, h = fig.get_size_inches()
    assert abs(w * fig.dpi - bp.WIDTH_PX) < 1 and abs(h * fig.dpi - bp.HEIGHT_PX) < 1
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip():
            assert t.get_fontsize() >= bp.MIN_FONT_PT, f"text {t.get_text()!r} is {t.get_fontsize()} pt"
    titled = [ax for ax in fig.axes if ax.get_title()] or ([fig] if fig._suptitle is not None else [])
    assert titled, "the figure has no title"


def check_labelled(ax):
    """The x axis is labelled, on this axes or on one sharing its x axis (stacked panels); the y axis
    has a label or tick labels that name its categories."""
    siblings = ax.get_shared_x_axes().get_siblings(ax)
    assert any(a.get_xlabel().strip() for a in siblings), "x axis has no label"
    assert ax.get_ylabel().strip() or any(t.get_text() for t in ax.get_yticklabels()), "y axis has no label"


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    shutil.copytree(FIXTURES / name, dest)
    return dest


@pytest.fixture(scope="module")
def run_small():
    return br.load(FIXTURES / "run_small")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- plot.py on every fixture

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_plot_writes_every_figure(name, tmp_path):
    folder = copy_fixture(name, tmp_path)
    r = run_script("plot.py", folder)
    assert r.returncode == 0, r.stderr
    out = folder / "figures"  # the default
    assert [Path(line) for line in r.stdout.split()] == [out / f"{n}.{f}" for n in EXPECTED[name] for f in ("png", "svg")]
    check_files(out, EXPECTED[name])


def test_plot_out_and_format(tmp_path):
    r = run_script("plot.py", FIXTURES / "compare", "--out", tmp_path / "figs", "--format", "svg")
    assert r.returncode == 0, r.stderr
    check_files(tmp_path / "figs", ["compare"], formats=("svg",))
    assert not (FIXTURES / "compare" / "figures").exists()


@pytest.mark.parametrize("script,fixture,names", [
    ("outcome_odds.py", "run_small", ["outcome_odds"]),
    ("fan_chart.py", "run_small", ["rung_fan", "rung_shares", "state_variables"]),
    ("incidence.py", "run_small", ["cumulative_incidence"]),
    ("time_to_outcome.py", "run_small", ["time_to_outcome"]),
    ("max_rung.py", "run_small", ["max_rung"]),
    ("sweep_plot.py", "sweep_one", ["sweep_odds"]),
    ("compare_plot.py", "compare", ["compare"]),
    ("sensitivity_plot.py", "sensitivity", ["sensitivity_sobol", "sensitivity_morris"]),
])
def test_each_script_alone(script, fixture, names, tmp_path, capsys):
    # In this process for speed: test_plot_* run the scripts as programs.
    module = __import__(script[:-3])
    assert module.main([str(FIXTURES / fixture), "--out", str(tmp_path), "--format", "png"]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / f"{n}.png") for n in names]
    check_files(tmp_path, names, formats=("png",))


def test_script_runs_as_a_program_from_anywhere(tmp_path):
    r = run_script("max_rung.py", FIXTURES / "run_small", "--out", "figs", "--format", "png", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    check_files(tmp_path / "figs", ["max_rung"], formats=("png",))


def test_every_figure_is_readable():
    for name in EXPECTED:
        result = br.load(FIXTURES / name)
        figs = plot.figures(result)
        assert sorted(figs) == sorted(EXPECTED[name])
        for fig in figs.values():
            check_readable(fig)
            for ax in fig.axes:
                if ax.get_visible() and ax.has_data() and ax.get_label() != "<colorbar>":
                    check_labelled(ax)
        plt.close("all")


# ---------------------------------------------------------------- run figures: the data drawn

def test_outcome_odds_drawn(run_small):
    fig = outcome_odds.plot_outcome_odds(run_small)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_height() > 0 or p.get_width() > 0][:len(br.OUTCOMES)]
    heights = np.array([b.get_height() for b in bars])
    assert heights.sum() == pytest.approx(100, abs=1e-6)  # the four outcomes are exhaustive
    summary = json.loads((FIXTURES / "run_small" / "summary.json").read_text())
    expected = [100 * summary["outcomes"][o]["probability"] for o in br.OUTCOMES]
    assert heights == pytest.approx(expected)
    # Colours: one per outcome, the same as everywhere else.
    assert [to_hex(b.get_facecolor()) for b in bars] == [bp.OUTCOME_COLORS[o].lower() for o in br.OUTCOMES]
    # Error bars: each contains its estimate and matches the Wilson interval in summary.json.
    segments = fig.bars.errorbar.lines[2][0].get_segments()
    for h, seg, o in zip(heights, segments, br.OUTCOMES):
        lo, hi = sorted([seg[0][1], seg[1][1]])
        assert lo <= h <= hi
        assert lo == pytest.approx(100 * summary["outcomes"][o]["ci95_low"])
        assert hi == pytest.approx(100 * summary["outcomes"][o]["ci95_high"])


def test_probabilities_agree_with_runs_csv(run_small):
    p = run_small.probabilities()
    counts = run_small.runs["outcome"].value_counts()
    assert p["value"].sum() == pytest.approx(1.0)
    for row in p.itertuples():
        assert row.count == counts.get(row.outcome, 0)
        assert row.ci_low <= row.value <= row.ci_high
        est, lo, hi = br.wilson(row.count, row.runs)
        assert (est, lo, hi) == pytest.approx((row.value, row.ci_low, row.ci_high))


def test_rung_fan_quantiles(run_small):
    q = fan_chart.rung_quantiles(run_small)
    shares = fan_chart.rung_shares(run_small)
    assert np.allclose(shares.sum(axis=1), 1.0, atol=1e-6)
    cols = ["q05", "q25", "q50", "q75", "q95"]
    values = q[cols].to_numpy()
    assert np.all(np.diff(values, axis=1) >= 0), "quantile bands must nest"
    assert values.min() >= 0 and values.max() <= len(run_small.rungs) - 1
    start = run_small.rungs.index("military_buildup")  # the scenario's initial rung
    assert list(values[0]) == [start] * 5
    assert q["mean"].between(q["q05"], q["q95"]).all()
    fig = fan_chart.plot_rung_fan(run_small)
    ax, ax2 = fig.axes[:2]
    assert [t.get_text() for t in ax.get_yticklabels()][start] == "Military build-up and exercises"
    still = ax2.lines[0].get_ydata()
    assert still[0] == pytest.approx(100) and np.all(np.diff(still) <= 1e-9)  # share still going only falls
    assert "weeks" in ax2.get_xlabel()


def test_rung_shares_stack_to_100(run_small):
    fig = fan_chart.plot_rung_shares(run_small)
    shares = fan_chart.rung_shares(run_small)
    used = [i for i in range(shares.shape[1]) if shares[:, i].max() > 0]
    assert len(fig.polys) == len(used)
    assert fig.axes[0].get_ylim() == (0, 100)


def test_state_variables(run_small):
    fig = fan_chart.plot_state_variables(run_small)
    assert fig.variables == [v for v in fan_chart.KEY_VARIABLES if v in run_small.variables]
    ts = run_small.timeseries
    for v in fig.variables:
        ok = ts[f"{v}_q05"].notna()
        assert (ts.loc[ok, f"{v}_q05"] <= ts.loc[ok, f"{v}_q50"] + 1e-9).all()
        assert (ts.loc[ok, f"{v}_q50"] <= ts.loc[ok, f"{v}_q95"] + 1e-9).all()
    fig = fan_chart.plot_state_variables(run_small, ["trust", "channel"])
    assert fig.variables == ["trust", "channel"]
    with pytest.raises(br.BrinkResultError, match="no state variable"):
        fan_chart.plot_state_variables(run_small, ["no_such_variable"])


def test_cumulative_incidence(run_small):
    fig = incidence.plot_cumulative_incidence(run_small)
    probs = run_small.probabilities().set_index("outcome")
    for o, d in fig.incidence.items():
        assert np.all(np.diff(d["value"].to_numpy()) >= -1e-12), f"{o}: incidence must not fall"
        assert (d["ci_low"] <= d["value"] + 1e-12).all() and (d["value"] <= d["ci_high"] + 1e-12).all()
        assert d["value"].iloc[-1] == pytest.approx(probs.loc[o, "value"])
    total = sum(d["value"].iloc[-1] for d in fig.incidence.values())
    assert total == pytest.approx(1.0)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Time since start (weeks)"  # tick_days = 7 in the fixture
    assert ax.get_xlim()[1] >= run_small.horizon
    styles = {line.get_label().split(" (")[0]: line for line in ax.get_lines()}
    for o in br.OUTCOMES:
        assert to_hex(styles[bp.OUTCOME_LABELS[o]].get_color()) == bp.OUTCOME_COLORS[o].lower()


def test_time_to_outcome(run_small):
    fig = time_to_outcome.plot_time_to_outcome(run_small)
    runs = run_small.runs
    for o, counts in fig.counts.items():
        assert counts.sum() == (runs["outcome"] == o).sum()
    # In Brink frozen conflicts and ongoing wars are runs that reach the horizon: noted, not drawn.
    for o, label in (("frozen_conflict", "Frozen conflict"), ("ongoing_war", "Ongoing war")):
        assert (runs["outcome"] == o).any(), f"the fixture should hold a {o}"
        assert (runs.loc[runs["outcome"] == o, "end_tick"] == run_small.horizon).all()
        assert o not in fig.counts
        assert any(f"{label}: all" in t.get_text() for t in fig.texts)


def test_max_rung(run_small):
    fig = max_rung.plot_max_rung(run_small)
    total = sum(fig.stacked.values())
    assert total.sum() == pytest.approx(100)
    assert total == pytest.approx(100 * fig.shares["value"].to_numpy())
    shares = fig.shares
    assert (shares["ci_low"] <= shares["value"]).all() and (shares["value"] <= shares["ci_high"]).all()
    # Every escalation ends at or above the escalation rung.
    esc = run_small.rungs.index(run_small.escalation_rung)
    assert fig.stacked["escalation"][:esc].sum() == 0


def test_time_units():
    assert bp.time_unit(7) == (1.0, "weeks")
    assert bp.time_unit(1) == (1.0, "days")
    assert bp.time_unit(3.5) == (3.5, "days")


# ---------------------------------------------------------------- sweeps, comparisons, sensitivity

@pytest.mark.parametrize("name", ["sweep_one", "sweep_grid", "sweep_lhs"])
def test_sweep_table(name):
    s = br.load(FIXTURES / name)
    assert s.kind == "sweep"
    t = s.table
    total = sum(t[f"p_{o}"] for o in br.OUTCOMES)
    assert np.allclose(total, 1.0)
    for o in br.OUTCOMES:
        assert (t[f"p_{o}_low"] <= t[f"p_{o}"]).all() and (t[f"p_{o}"] <= t[f"p_{o}_high"]).all()
    assert all(s.is_numeric(p) for p in s.parameters)
    assert s.is_grid() == (name != "sweep_lhs")


def test_sweep_one_lines_are_the_data():
    s = br.load(FIXTURES / "sweep_one")
    fig = sweep_plot.plot_sweep_odds(s, s.parameters[0])
    ax = fig.axes[0]
    t = s.table.sort_values(s.parameters[0])
    lines = {line.get_label(): line for line in ax.get_lines()}
    for o in br.OUTCOMES:
        line = lines[bp.OUTCOME_LABELS[o]]
        assert line.get_xdata() == pytest.approx(t[s.parameters[0]].to_numpy())
        assert line.get_ydata() == pytest.approx(100 * t[f"p_{o}"].to_numpy())
        assert to_hex(line.get_color()) == bp.OUTCOME_COLORS[o].lower()
    assert ax.get_xlabel() == s.parameters[0]


def test_sweep_grid_pooling_and_heatmap():
    s = br.load(FIXTURES / "sweep_grid")
    sov, risk = s.parameters
    pooled = sweep_plot.pooled_odds(s, sov)
    assert list(pooled["value"]) == sorted(s.table[sov].unique())
    assert np.allclose(sum(pooled[f"p_{o}"] for o in br.OUTCOMES), 1.0)
    assert (pooled["runs"] == s.table.groupby(sov)["runs"].sum().to_numpy()).all()
    for o in br.OUTCOMES:
        assert (pooled[f"p_{o}_low"] <= pooled[f"p_{o}"]).all() and (pooled[f"p_{o}"] <= pooled[f"p_{o}_high"]).all()
        # Equal runs per point: the pooled odds are the mean of the points' odds.
        assert pooled[f"p_{o}"].to_numpy() == pytest.approx(s.table.groupby(sov)[f"p_{o}"].mean().to_numpy(), abs=1e-9)
    fig = sweep_plot.plot_sweep_heatmap(s)
    expected = s.table.pivot(index=sov, columns=risk, values="p_escalation")
    assert fig.grid.to_numpy() == pytest.approx(expected.to_numpy())
    image = fig.axes[0].get_images()[0].get_array()
    assert np.asarray(image) == pytest.approx(100 * expected.to_numpy())


def test_sweep_categorical_keeps_its_order(tmp_path):
    folder = copy_fixture("sweep_one", tmp_path)
    t = pd.read_csv(folder / "sweep.csv")
    t["leaders.putin.priorities.sovereignty"] = ["none", "low", "mid", "high", "all"]
    t.to_csv(folder / "sweep.csv", index=False)
    s = br.load(folder)
    assert not s.is_numeric(s.parameters[0])
    fig = sweep_plot.plot_sweep_odds(s, s.parameters[0])
    ax = fig.axes[0]
    assert [lab.get_text() for lab in ax.get_xticklabels()] == ["none", "low", "mid", "high", "all"]
    check_readable(fig)


def test_compare_drawn():
    c = br.load(FIXTURES / "compare")
    assert c.kind == "compare"
    t = c.table
    assert list(t["outcome"]) == list(br.OUTCOMES)
    assert np.allclose(t["p_a"].sum(), 1.0) and np.allclose(t["p_b"].sum(), 1.0)
    assert (t["diff_low"] <= t["difference"]).all() and (t["difference"] <= t["diff_high"]).all()
    assert list(t["significant"]) == list(t["p_value"] < 0.05)
    fig = compare_plot.plot_compare(c)
    ax2 = fig.axes[1]
    markers = [line for line in ax2.get_lines() if line.get_marker() in bp.OUTCOME_MARKERS.values()
               and line.get_markersize() == 12]
    assert len(markers) == len(br.OUTCOMES)
    for line, row in zip(markers, t.itertuples()):
        assert line.get_xdata()[0] == pytest.approx(100 * row.difference)
        filled = to_hex(line.get_markerfacecolor()) != "#ffffff"
        assert filled == row.significant
    labels = [lab.get_text() for lab in fig.axes[2].get_yticklabels()]
    assert [("*" in lab) for lab in labels] == list(t["significant"])
    assert "hawkish-leaders" in fig._suptitle.get_text()


def test_sensitivity_drawn():
    s = br.load(FIXTURES / "sensitivity")
    assert s.outcome == "escalation"
    sobol = s.wide("sobol")
    morris = s.wide("morris")
    assert list(sobol.index) == s.parameters and list(morris.index) == s.parameters
    fig = sensitivity_plot.plot_sobol(s)
    ax = fig.axes[0]
    widths = sorted(round(p.get_width(), 9) for p in ax.patches)
    assert widths == sorted(round(v, 9) for v in np.concatenate([sobol["S1"], sobol["ST"]]))
    assert (fig.sobol["S1_low"] <= fig.sobol["S1"]).all() and (fig.sobol["ST"] <= fig.sobol["ST_high"]).all()
    labels = [t.get_text().split("\n")[0] for t in ax.get_yticklabels()]
    assert labels[-1] == "leaders.putin.priorities.sovereignty"  # the largest ST on top
    fig = sensitivity_plot.plot_morris(s)
    points = fig.axes[0].collections[0].get_offsets()
    assert sorted(map(tuple, np.round(points, 9))) == sorted(zip(np.round(morris["mu_star"], 9), np.round(morris["sigma"], 9)))
    assert len([t for t in fig.axes[0].texts if t.get_text()]) == len(s.parameters)


def test_sensitivity_with_one_method(tmp_path):
    folder = copy_fixture("sensitivity", tmp_path)
    t = pd.read_csv(folder / "sensitivity.csv")
    t[t["method"] == "morris"].to_csv(folder / "sensitivity.csv", index=False)
    assert plot.main([str(folder), "--format", "png"]) == 0
    check_files(folder / "figures", ["sensitivity_morris"], formats=("png",))


# ---------------------------------------------------------------- kinds, fallbacks and errors

@pytest.mark.parametrize("name,kind", [("run_small", "run"), ("sweep_one", "sweep"), ("compare", "compare"),
                                       ("sensitivity", "sensitivity")])
def test_kind_without_manifest(name, kind, tmp_path):
    folder = copy_fixture(name, tmp_path)
    (folder / "manifest.json").unlink()
    assert br.detect_kind(folder) == kind
    assert br.load(folder).kind == kind


def test_sweep_without_manifest_finds_its_parameters(tmp_path):
    folder = copy_fixture("sweep_grid", tmp_path)
    (folder / "manifest.json").unlink()
    assert br.load(folder).parameters == ["leaders.putin.priorities.sovereignty", "leaders.biden.traits.risk_tolerance"]


def test_compare_tolerates_extra_columns(tmp_path):
    folder = copy_fixture("compare", tmp_path)
    t = pd.read_csv(folder / "compare.csv")
    t["runs"], t["only_a"], t["only_b"] = 4000, 50, 120
    t.to_csv(folder / "compare.csv", index=False)
    assert len(br.load(folder).table) == len(br.OUTCOMES)


MAINS = {"plot.py": plot.main, "fan_chart.py": fan_chart.main, "time_to_outcome.py": time_to_outcome.main}


def call_main(capsys, script, *args):
    """Runs a script's main() in this process (faster than a subprocess): (exit code, stdout, stderr)."""
    code = MAINS[script]([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def expect_exit_2(result, *fragments):
    code, out, err = result
    assert code == 2, (code, out, err)
    assert out == ""
    for f in fragments:
        assert f in err, err


def test_not_a_folder_subprocess(tmp_path):
    r = run_script("plot.py", tmp_path / "missing")
    assert r.returncode == 2 and r.stdout == ""
    assert "plot.py: error:" in r.stderr and "no such folder" in r.stderr and "Traceback" not in r.stderr


def test_not_a_folder(tmp_path, capsys):
    expect_exit_2(call_main(capsys, "plot.py", tmp_path / "missing"), "no such folder")
    (tmp_path / "file.txt").write_text("hello")
    expect_exit_2(call_main(capsys, "plot.py", tmp_path / "file.txt"), "is not a folder")


def test_empty_folder(tmp_path, capsys):
    expect_exit_2(call_main(capsys, "plot.py", tmp_path), "is not a Brink result folder")


def test_unrelated_csv(tmp_path, capsys):
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    expect_exit_2(call_main(capsys, "plot.py", tmp_path), "is not a Brink result folder")


def test_unfinished_batch(tmp_path, capsys):
    (tmp_path / "checkpoint.bin").write_bytes(b"BRINKCP1")
    (tmp_path / "runs.csv.partial").write_text("run_id\n")
    expect_exit_2(call_main(capsys, "plot.py", tmp_path), "unfinished", "--resume")


def test_bad_outcome_in_runs_csv(tmp_path, capsys):
    folder = copy_fixture("run_small", tmp_path)
    text = (folder / "runs.csv").read_text().replace(",frozen_conflict,", ",banana,", 1)
    (folder / "runs.csv").write_text(text)
    expect_exit_2(call_main(capsys, "time_to_outcome.py", folder), "runs.csv", "column outcome", "'banana'")


def test_stalemate_from_an_older_brink_is_explained(tmp_path, capsys):
    folder = copy_fixture("run_small", tmp_path)
    text = (folder / "runs.csv").read_text().replace(",frozen_conflict,", ",stalemate,", 1)
    (folder / "runs.csv").write_text(text)
    expect_exit_2(call_main(capsys, "time_to_outcome.py", folder), "runs.csv", "'stalemate'", "older Brink",
                  "frozen_conflict and ongoing_war")


def test_missing_column(tmp_path, capsys):
    folder = copy_fixture("sweep_one", tmp_path)
    t = pd.read_csv(folder / "sweep.csv").drop(columns=["p_ongoing_war_high"])
    t.to_csv(folder / "sweep.csv", index=False)
    expect_exit_2(call_main(capsys, "plot.py", folder), "sweep.csv", "missing column(s) p_ongoing_war_high")


def test_non_numeric_value(tmp_path, capsys):
    folder = copy_fixture("compare", tmp_path)
    text = (folder / "compare.csv").read_text().replace("2.1e-06", "tiny")
    (folder / "compare.csv").write_text(text)
    expect_exit_2(call_main(capsys, "plot.py", folder), "column p_value should hold numbers", "'tiny'")


def test_estimate_outside_interval(tmp_path, capsys):
    folder = copy_fixture("sweep_one", tmp_path)
    t = pd.read_csv(folder / "sweep.csv")
    t.loc[2, "p_escalation_high"] = t.loc[2, "p_escalation"] - 0.01
    t.to_csv(folder / "sweep.csv", index=False)
    expect_exit_2(call_main(capsys, "plot.py", folder), "p_escalation lies outside its interval in data row 3")


def test_bad_manifest(tmp_path, capsys):
    folder = copy_fixture("compare", tmp_path)
    (folder / "manifest.json").write_text("{not json")
    expect_exit_2(call_main(capsys, "plot.py", folder), "manifest.json", "not valid JSON")


def test_wrong_kind_for_script(tmp_path, capsys):
    expect_exit_2(call_main(capsys, "fan_chart.py", FIXTURES / "sweep_one", "--out", tmp_path),
                  "is a Brink sweep folder", "plot.py draws any kind")
    assert not any(tmp_path.iterdir())


def test_bad_format(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        plot.main([str(FIXTURES / "compare"), "--out", str(tmp_path), "--format", "gif"])
    assert e.value.code == 2 and "formats" in capsys.readouterr().err


def test_loader_errors_name_the_file(tmp_path):
    folder = copy_fixture("run_small", tmp_path)
    (folder / "summary.csv").write_text("")
    with pytest.raises(br.BrinkResultError, match=r"summary\.csv: file is empty"):
        br.load(folder)


# ---------------------------------------------------------------- the real binary (BRINK=path)

@pytest.fixture(scope="module")
def brink():
    return brink_binary.binary()


def need_subcommand(brink: str, name: str):
    brink_binary.need_subcommand(brink, name)  # a dropped subcommand fails, never skips


def run_brink(brink: str, *args):
    r = subprocess.run([brink, *map(str, args)], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert r.returncode == 0, f"brink {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stderr}"
    return r


def test_real_run_folder(brink, tmp_path):
    out = tmp_path / "run"
    run_brink(brink, "run", "scenarios/baseline.yaml", "--runs", 400, "--threads", 2, "--out", out, "--quiet")
    r = run_script("plot.py", out)
    assert r.returncode == 0, r.stderr
    check_files(out / "figures", RUN_FIGURES)
    run = br.load(out)
    assert run.kind == "run" and run.n_runs == 400
    assert run.probabilities()["value"].sum() == pytest.approx(1.0)
    assert fan_chart.rung_quantiles(run)[["q05", "q95"]].notna().all().all()


def test_real_sweep_folders(brink, tmp_path):
    need_subcommand(brink, "sweep")
    one = tmp_path / "sweep1"
    run_brink(brink, "sweep", "scenarios/baseline.yaml", "--vary", "leaders.putin.priorities.sovereignty=0.2,0.6,1.0",
              "--runs", 200, "--out", one, "--quiet")
    r = run_script("plot.py", one)
    assert r.returncode == 0, r.stderr
    check_files(one / "figures", ["sweep_odds"])
    two = tmp_path / "sweep2"
    run_brink(brink, "sweep", "scenarios/baseline.yaml", "--vary", "leaders.putin.priorities.sovereignty=0.2,1.0",
              "--vary", "leaders.biden.traits.risk_tolerance=0.2,0.5", "--runs", 100, "--out", two, "--quiet")
    r = run_script("plot.py", two)
    assert r.returncode == 0, r.stderr
    check_files(two / "figures", ["sweep_odds_sovereignty", "sweep_odds_risk-tolerance", "sweep_heatmap"])
    s = br.load(two)
    assert np.allclose(sum(s.table[f"p_{o}"] for o in br.OUTCOMES), 1.0)


def test_real_compare_folder(brink, tmp_path):
    need_subcommand(brink, "compare")
    out = tmp_path / "cmp"
    run_brink(brink, "compare", "scenarios/baseline.yaml", "scenarios/hawkish-leaders.yaml", "--runs", 300,
              "--out", out, "--quiet")
    r = run_script("plot.py", out)
    assert r.returncode == 0, r.stderr
    check_files(out / "figures", ["compare"])
    c = br.load(out)
    assert np.allclose(c.table["p_a"].sum(), 1.0) and np.allclose(c.table["p_b"].sum(), 1.0)


def test_real_sensitivity_folder(brink, tmp_path):
    need_subcommand(brink, "sensitivity")
    out = tmp_path / "sens"
    run_brink(brink, "sensitivity", "scenarios/baseline.yaml", "--params", "leaders.putin.priorities.sovereignty:0.2:1.0",
              "--params", "leaders.biden.traits.risk_tolerance:0.1:0.6", "--samples", 16, "--trajectories", 4,
              "--runs", 40, "--out", out, "--quiet")
    r = run_script("plot.py", out)
    assert r.returncode == 0, r.stderr
    s = br.load(out)
    names = [n for n, m in (("sensitivity_sobol", "sobol"), ("sensitivity_morris", "morris")) if m in set(s.table["method"])]
    check_files(out / "figures", names)
