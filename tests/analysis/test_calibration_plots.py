"""Figures of a calibration folder (analysis/calibration_plot.py): the loader's checks, the prior
densities, the weighted quantiles drawn, the three figures, plot.py's dispatch and the atomic save.
The folders are written here, in tmp_path, in the formats of docs/calibration.md ("Files").

Run:  MPLBACKEND=Agg /usr/bin/python3 -m pytest -q tests/analysis/test_calibration_plots.py
With BRINK=build/sim/brink one more test calibrates the small test world and draws its folder.
"""
from __future__ import annotations

import json
import math
import os
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
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import brink_binary  # noqa: E402
import brink_plotting as bp  # noqa: E402
import brink_results as br  # noqa: E402
import calibration_plot as cp  # noqa: E402
import plot  # noqa: E402

PYTHON = sys.executable or "/usr/bin/python3"
FIGURES = ("marginals", "pairs", "convergence")
HAVE_SCIPY = cp._scipy_stats is not None

# Three parameters with different priors, as brink calibrate writes them into manifest.json.
PARAMETERS = [
    {"path": "leaders.putin.traits.risk_tolerance", "prior": "uniform(0.3, 0.95)", "distribution": "uniform",
     "low": 0.3, "high": 0.95},
    {"path": "leaders.biden.priorities.deterrence_weight", "prior": "loguniform(1, 20)", "distribution": "loguniform",
     "low": 1, "high": 20},
    {"path": "state.tension", "prior": "beta(2, 5)", "distribution": "beta", "low": 0, "high": 1, "alpha": 2, "beta": 5},
]
NORMAL = {"path": "state.nato_cohesion", "prior": "normal(0.5, 0.3, 0, 1)", "distribution": "normal", "low": 0, "high": 1,
          "mean": 0.5, "sd": 0.3}
# Priors whose density must integrate to 1 over [low, high]: widths other than 1 catch a missing 1/(high-low);
# a normal cut well inside its tails catches a missing truncation mass.
DENSITY_CASES = [
    {"path": "u", "prior": "uniform(2, 7)", "distribution": "uniform", "low": 2, "high": 7},
    {"path": "lu", "prior": "loguniform(0.5, 40)", "distribution": "loguniform", "low": 0.5, "high": 40},
    {"path": "b", "prior": "beta(2, 5) on [2, 6]", "distribution": "beta", "low": 2, "high": 6, "alpha": 2, "beta": 5},
    {"path": "b1", "prior": "beta(1.5, 1.2) on [0, 1]", "distribution": "beta", "low": 0, "high": 1, "alpha": 1.5, "beta": 1.2},
    {"path": "n", "prior": "normal(0.5, 0.3, 0, 1)", "distribution": "normal", "low": 0, "high": 1, "mean": 0.5, "sd": 0.3},
    {"path": "n2", "prior": "normal(3, 4, -1, 5)", "distribution": "normal", "low": -1, "high": 5, "mean": 3, "sd": 4},
]


# ---------------------------------------------------------------- a synthetic calibration folder

def _draw_prior(rng, p: dict, n: int) -> np.ndarray:
    lo, hi = p["low"], p["high"]
    if p["distribution"] == "uniform":
        return rng.uniform(lo, hi, n)
    if p["distribution"] == "loguniform":
        return np.exp(rng.uniform(math.log(lo), math.log(hi), n))
    if p["distribution"] == "beta":
        return lo + (hi - lo) * rng.beta(p["alpha"], p["beta"], n)
    x = rng.normal(p["mean"], p["sd"], 4 * n)
    return x[(x >= lo) & (x <= hi)][:n]


def _num(x: float) -> str:
    return "-inf" if x == -math.inf else repr(float(x))


def write_folder(folder: Path, parameters=PARAMETERS, generations=3, particles=120, seed=7, complete=True) -> Path:
    """A calibration folder: generation 0 the prior draws, later generations pulled towards a truth, weights
    unequal (normalised), as brink calibrate writes it."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    truth = [p["low"] + 0.6 * (p["high"] - p["low"]) for p in parameters]
    temps = np.linspace(0, 1, generations)
    rows, diag, population = [], [], [_draw_prior(rng, p, particles) for p in parameters]
    for g in range(generations):
        if g > 0:  # pull towards the truth, staying inside the range
            population = [np.clip(x + 0.5 * (t - x) + rng.normal(0, 0.02 * (p["high"] - p["low"]), particles), p["low"], p["high"])
                          for x, t, p in zip(population, truth, parameters)]
        w = rng.uniform(0.2, 1.0, particles)
        w /= w.sum()
        ll = rng.normal(-10, 2, particles)
        ll[0] = -math.inf
        for i in range(particles):
            rows.append(",".join([str(g), str(i), repr(float(w[i])), repr(float(temps[g])), _num(ll[i])]
                                 + [repr(float(x[i])) for x in population]))
        ess = particles if g == 0 else 1 / float(np.sum(w ** 2))
        diag.append(f"{g},{temps[g]!r},{ess!r},{0 if g == 0 else 3},{'' if g == 0 else '0.31'},{particles if g == 0 else 3 * particles},"
                    f"{(particles if g == 0 else 3 * particles) * 50},{-12.5 - g!r},{1.5 + g!r}")
    header = "generation,particle,weight,temperature,log_likelihood," + ",".join(p["path"] for p in parameters)
    (folder / "posterior.csv").write_text(header + "\n" + "\n".join(rows) + "\n")
    (folder / "diagnostics.csv").write_text("generation,temperature,ess,move_steps,acceptance,evaluations,runs,"
                                            "log_evidence,seconds\n" + "\n".join(diag) + "\n")
    summary = ["path,prior,median,mean,sd,q05,q95,prior_q05,prior_q95"]
    for p, x in zip(parameters, population):
        summary.append(f"{p['path']},\"{p['prior']}\",{np.median(x)!r},{np.mean(x)!r},{np.std(x)!r},"
                       f"{np.quantile(x, 0.05)!r},{np.quantile(x, 0.95)!r},{p['low']!r},{p['high']!r}")
    (folder / "summary.csv").write_text("\n".join(summary) + "\n")
    manifest = {"kind": "calibration", "brink_version": "test", "model_version": 2, "command_line": "brink calibrate ...",
                "scenario": {"name": "baseline", "files": ["scenarios/baseline.yaml"], "hash": "00"},
                "timeline": {"file": "timelines/2021.yaml", "hash": "00"}, "until": "2022-02-24",
                "observations": ["a", "b"], "method": "likelihood SMC sampler",
                "plan": {"particles": particles, "runs_per_particle": 50, "seed": 1, "ess_target": 0.5, "max_moves": 8},
                "parameters": parameters, "complete": complete, "started": "x", "ended": "y", "wall_seconds": 1.0,
                "threads": 2}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


@pytest.fixture
def folder(tmp_path):
    return write_folder(tmp_path / "cal")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def check_png(path: Path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, f"{path}: not a real PNG ({len(data)} bytes)"
    img = mpimg.imread(path)
    assert img.shape[:2] == (bp.HEIGHT_PX, bp.WIDTH_PX), f"{path} is {img.shape[1]}x{img.shape[0]}"
    assert np.mean(np.any(img[..., :3] < 0.9, axis=-1)) > 0.02, f"{path}: nearly nothing drawn"


def script(name: str, *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, str(REPO / "analysis" / name), *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ, MPLBACKEND="Agg"), timeout=300, cwd=cwd)


def edit_csv(path: Path, fn):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df)
    df.to_csv(path, index=False)


# ---------------------------------------------------------------- loading

def test_loader_reads_the_folder(folder):
    c = cp.load_calibration(folder)
    assert c.kind == "calibration" and c.complete
    assert [p.path for p in c.priors] == [p["path"] for p in PARAMETERS]
    assert [p.distribution for p in c.priors] == ["uniform", "loguniform", "beta"]
    assert (c.priors[2].a, c.priors[2].b) == (2.0, 5.0)
    assert c.last_generation == 2 and len(c.final) == 120 and len(c.posterior) == 360
    assert c.posterior["log_likelihood"].iloc[0] == -math.inf
    raw = pd.read_csv(folder / "posterior.csv", float_precision="round_trip")  # the doubles Brink wrote
    for p in PARAMETERS:  # the numbers, not only the shape
        np.testing.assert_array_equal(c.posterior[p["path"]].to_numpy(), raw[p["path"]].to_numpy())
    assert list(c.diagnostics["generation"]) == [0, 1, 2] and list(c.diagnostics["particles"]) == [120] * 3
    assert pd.isna(c.diagnostics["acceptance"].iloc[0]) and c.diagnostics["acceptance"].iloc[1] == 0.31
    assert set(c.summary["path"]) == {p["path"] for p in PARAMETERS}
    # brink_results knows the kind: by the manifest, and by posterior.csv without one
    assert "calibration" in br.KINDS
    assert br.detect_kind(folder) == "calibration" and isinstance(br.load(folder), cp.CalibrationResult)


def test_kind_without_manifest_is_calibration_and_the_loader_asks_for_the_manifest(folder):
    (folder / "manifest.json").unlink()
    assert br.detect_kind(folder) == "calibration"
    with pytest.raises(br.BrinkResultError, match=r"manifest\.json: file is missing"):
        br.load(folder)


# ---------------------------------------------------------------- bad folders: clear errors, exit 2

def _drop_weight(f):
    edit_csv(f / "posterior.csv", lambda df: df.drop(columns="weight", inplace=True))


def _drop_parameter(f):
    edit_csv(f / "posterior.csv", lambda df: df.drop(columns=PARAMETERS[1]["path"], inplace=True))


def _extra_parameter(f):
    m = json.loads((f / "manifest.json").read_text())
    m["parameters"].append(NORMAL)
    (f / "manifest.json").write_text(json.dumps(m))


def _non_numeric(f):
    def put(df):
        df.loc[4, PARAMETERS[0]["path"]] = "0.5x"
    edit_csv(f / "posterior.csv", put)


def _empty_cell(f):
    def put(df):
        df.loc[2, PARAMETERS[2]["path"]] = ""
    edit_csv(f / "posterior.csv", put)


def _outside_range(f):
    def put(df):
        df.loc[6, PARAMETERS[1]["path"]] = "25"
    edit_csv(f / "posterior.csv", put)


def _weights(f):
    def put(df):
        df.loc[0, "weight"] = "0.5"
    edit_csv(f / "posterior.csv", put)


def _bad_distribution(f):
    m = json.loads((f / "manifest.json").read_text())
    m["parameters"][2]["distribution"] = "gamma"
    (f / "manifest.json").write_text(json.dumps(m))


def _beta_without_alpha(f):
    m = json.loads((f / "manifest.json").read_text())
    del m["parameters"][2]["alpha"]
    (f / "manifest.json").write_text(json.dumps(m))


def _summary_row(f):
    edit_csv(f / "summary.csv", lambda df: df.drop(index=1, inplace=True))


def _diagnostics_column(f):
    edit_csv(f / "diagnostics.csv", lambda df: df.drop(columns="ess", inplace=True))


BAD = {
    "no posterior.csv": (lambda f: (f / "posterior.csv").unlink(), ["posterior.csv", "file is missing"]),
    "no diagnostics.csv": (lambda f: (f / "diagnostics.csv").unlink(), ["diagnostics.csv", "file is missing"]),
    "no summary.csv": (lambda f: (f / "summary.csv").unlink(), ["summary.csv", "file is missing"]),
    "no weight column": (_drop_weight, ["posterior.csv", "missing column(s) weight"]),
    "parameter column missing": (_drop_parameter, ["posterior.csv", "no column for parameter(s) "
                                                   "leaders.biden.priorities.deterrence_weight named in manifest.json"]),
    "manifest parameter not in posterior": (_extra_parameter, ["posterior.csv", "state.nato_cohesion",
                                                               "named in manifest.json"]),
    "non-numeric value": (_non_numeric, ["posterior.csv", "column leaders.putin.traits.risk_tolerance", "data row 5",
                                         "expected a number, found '0.5x'"]),
    "empty value": (_empty_cell, ["posterior.csv", "column state.tension", "data row 3", "an empty cell"]),
    "outside the prior": (_outside_range, ["posterior.csv", "data row 7", "outside the prior's range [1, 20]"]),
    "weights do not sum to 1": (_weights, ["posterior.csv", "generation 0", "weights sum to"]),
    "unknown distribution": (_bad_distribution, ["manifest.json", "parameters[2].distribution", "'gamma'"]),
    "beta without alpha": (_beta_without_alpha, ["manifest.json", "parameters[2]", "needs field 'alpha'"]),
    "summary row missing": (_summary_row, ["summary.csv", "no row for parameter(s) "
                                           "leaders.biden.priorities.deterrence_weight"]),
    "diagnostics column missing": (_diagnostics_column, ["diagnostics.csv", "missing column(s) ess"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_folder_gives_a_clear_error(case, folder):
    break_it, expected = BAD[case]
    break_it(folder)
    with pytest.raises(br.BrinkResultError) as e:
        cp.load_calibration(folder)
    for text in expected:
        assert text in str(e.value), f"{case}: {text!r} not in {str(e.value)!r}"


@pytest.mark.parametrize("case", ["no posterior.csv", "non-numeric value", "manifest parameter not in posterior"])
def test_cli_exits_2_on_a_bad_folder(case, folder):
    break_it, expected = BAD[case]
    break_it(folder)
    r = script("calibration_plot.py", folder)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("calibration_plot.py: error: ") and all(t in r.stderr for t in expected), r.stderr
    assert "Traceback" not in r.stderr and not (folder / "figures").exists()


def test_cli_exits_2_on_a_missing_folder_and_another_kind(tmp_path):
    r = script("calibration_plot.py", tmp_path / "nowhere")
    assert r.returncode == 2 and "no such folder" in r.stderr, r.stderr
    other = tmp_path / "sweep"
    other.mkdir()
    (other / "manifest.json").write_text(json.dumps({"kind": "sweep"}))
    r = script("calibration_plot.py", other)
    assert r.returncode == 2 and "kind: expected 'calibration', found 'sweep'" in r.stderr, r.stderr


# ---------------------------------------------------------------- prior densities

def _integral(prior: cp.Prior, use_scipy: bool) -> float:
    if prior.log_scale:  # integrate in log x, where the log-uniform density times x is flat
        u = np.linspace(math.log(prior.low), math.log(prior.high), 200_001)
        x = np.exp(u)
        return float(np.trapz(cp.prior_density(prior, x, use_scipy) * x, u))
    x = np.linspace(prior.low, prior.high, 200_001)
    return float(np.trapz(cp.prior_density(prior, x, use_scipy), x))


def _prior(entry: dict) -> cp.Prior:
    return cp._prior(Path("manifest.json"), 0, entry)


BACKENDS = [False] + ([True] if HAVE_SCIPY else [])


@pytest.mark.parametrize("use_scipy", BACKENDS, ids=lambda s: "scipy" if s else "closed-form")
@pytest.mark.parametrize("entry", DENSITY_CASES, ids=[e["prior"] for e in DENSITY_CASES])
def test_prior_density_integrates_to_one(entry, use_scipy):
    p = _prior(entry)
    assert abs(_integral(p, use_scipy) - 1) < 1e-3
    outside = cp.prior_density(p, [p.low - 0.1, p.high + 0.1], use_scipy)
    assert list(outside) == [0, 0]
    inside = np.linspace(p.low, p.high, 41)[1:-1]  # the density lives on all of [low, high], not on a part
    assert (cp.prior_density(p, inside, use_scipy) > 0).all()


@pytest.mark.parametrize("use_scipy", BACKENDS, ids=lambda s: "scipy" if s else "closed-form")
def test_prior_density_shapes(use_scipy):
    """Integrating to 1 does not tell a log-uniform from a uniform: the shapes, at known points."""
    d = lambda entry, x: cp.prior_density(_prior(entry), x, use_scipy)  # noqa: E731
    lu, b, n, n2 = DENSITY_CASES[1], DENSITY_CASES[2], DENSITY_CASES[4], DENSITY_CASES[5]
    assert d(lu, [1.0, 10.0]) == pytest.approx([1 / math.log(80), 0.1 / math.log(80)], rel=1e-9)
    # beta(2, 5) on [2, 6]: 30 z (1-z)^4 / 4 at z = 0.25
    assert d(b, [3.0])[0] == pytest.approx(30 * 0.25 * 0.75 ** 4 / 4, rel=1e-9)
    assert d(n, [0.5])[0] / d(n, [0.8])[0] == pytest.approx(math.exp(0.5), rel=1e-9)
    mass = 0.5 * (math.erf((5 - 3) / 4 / math.sqrt(2)) - math.erf((-1 - 3) / 4 / math.sqrt(2)))
    assert d(n2, [3.0])[0] == pytest.approx(1 / (4 * math.sqrt(2 * math.pi) * mass), rel=1e-9)


@pytest.mark.skipif(not HAVE_SCIPY, reason="python3-scipy not installed")
def test_closed_forms_agree_with_scipy():
    for entry in DENSITY_CASES:
        p = _prior(entry)
        x = np.linspace(p.low, p.high, 101)[1:-1]
        np.testing.assert_allclose(cp.prior_density(p, x, False), cp.prior_density(p, x, True), rtol=1e-9)


def test_marginals_draw_the_prior_density(folder):
    c = cp.load_calibration(folder)
    fig = cp.plot_marginals(c)
    for p in c.priors:
        x, y = fig.prior_lines[p.path].get_data()
        assert x[0] == pytest.approx(p.low) and x[-1] == pytest.approx(p.high)
        np.testing.assert_allclose(y, cp.prior_density(p, x), rtol=1e-12)


# ---------------------------------------------------------------- weighted quantiles

def _numpy_weighted_quantiles(values, counts, qs):
    """Integer weights: the weighted inverse CDF is numpy's inverted_cdf quantile of the values repeated."""
    return np.quantile(np.repeat(values, counts), qs, method="inverted_cdf")


def test_weighted_quantile_equals_numpy_on_a_known_sample():
    rng = np.random.default_rng(3)
    values = rng.normal(0, 1, 57)
    counts = rng.integers(1, 9, 57) + 6 * (values > 0)  # weight on the positive side: the quantiles move
    qs = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
    expected = _numpy_weighted_quantiles(values, counts, qs)
    got = [cp.weighted_quantile(values, counts / counts.sum(), q) for q in qs]
    np.testing.assert_array_equal(got, expected)
    # and the weights matter: unweighted, most of these quantiles are other particles
    unweighted = [cp.weighted_quantile(values, np.ones(57) / 57, q) for q in qs]
    assert sum(u != e for u, e in zip(unweighted, expected)) >= 4


@pytest.mark.parametrize("n", [10, 20, 40, 100])
def test_weighted_quantile_on_the_steps_of_equal_weights(n):
    """Equal weights 1/n put q = k/n exactly on a step of the CDF, where rounding in the cumulative sum decides.
    The smallest value whose CDF reaches k/n is the k-th smallest (brink's slack of 1e-12 absorbs the rounding;
    numpy's own n*q rounds too, so the expectation here is the definition, not np.quantile)."""
    values = np.random.default_rng(n).permutation(np.arange(n, dtype=float))  # the k-th smallest is k - 1
    got = [cp.weighted_quantile(values, np.full(n, 1 / n), k / n) for k in range(1, n + 1)]
    assert got == [float(k - 1) for k in range(1, n + 1)]


def test_marginal_annotations_are_the_weighted_quantiles(tmp_path):
    """A folder whose last generation has known integer-proportional weights: the median and 90% interval the
    figure marks and writes are numpy's quantiles of the repeated sample."""
    folder = write_folder(tmp_path / "cal", particles=80, seed=11)
    rng = np.random.default_rng(5)
    counts = rng.integers(1, 12, 80)

    def reweight(df):
        last = df["generation"] == "2"
        df.loc[last, "weight"] = [repr(float(w)) for w in counts / counts.sum()]
    edit_csv(folder / "posterior.csv", reweight)
    c = cp.load_calibration(folder)
    fig = cp.plot_marginals(c)
    final = c.final
    for ax, p in zip(fig.axes, c.priors):
        q05, median, q95 = _numpy_weighted_quantiles(final[p.path].to_numpy(), counts, [0.05, 0.5, 0.95])
        s = fig.stats[p.path]
        assert (s["q05"], s["median"], s["q95"]) == (q05, median, q95)
        texts = [t.get_text() for t in ax.texts]
        assert any(t.endswith(f"\nmedian {median:.3g}\n90% [{q05:.3g}, {q95:.3g}]") for t in texts), texts
        vertical = sorted(l.get_xdata()[0] for l in ax.get_lines() if len(set(l.get_xdata())) == 1)
        assert vertical == sorted([q05, median, q95])
        assert ax.get_xlabel() == ".".join(p.path.split(".")[-2:])


# ---------------------------------------------------------------- the figures

def test_cli_writes_the_three_figures(folder):
    r = script("calibration_plot.py", folder)
    assert r.returncode == 0, r.stderr
    out = folder / "figures"
    assert r.stdout.split() == [str(out / f"{n}.png") for n in FIGURES]
    for n in FIGURES:
        check_png(out / f"{n}.png")
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.png" for n in FIGURES)  # no temporary files left


def test_cli_out_dir_from_anywhere(folder, tmp_path):
    r = script("calibration_plot.py", folder, "--out", "figs", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for n in FIGURES:
        check_png(tmp_path / "figs" / f"{n}.png")
    assert not (folder / "figures").exists()


def test_functions_return_readable_figures(tmp_path):
    folder = write_folder(tmp_path / "cal", parameters=PARAMETERS + [NORMAL])
    c = cp.load_calibration(folder)
    for name, fig in cp.figures(c).items():
        assert isinstance(fig, Figure), name
        w, h = fig.get_size_inches()
        assert (round(w * fig.dpi), round(h * fig.dpi)) == (bp.WIDTH_PX, bp.HEIGHT_PX)
        small = [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
                 and t.get_fontsize() < bp.MIN_FONT_PT]
        assert not small, f"{name}: text under 12 pt: {small}"
        assert fig._suptitle is not None and "baseline" in fig._suptitle.get_text()
    marg = cp.plot_marginals(c)
    assert [ax.get_xlabel() for ax in marg.axes if ax.get_visible()] == [
        "traits.risk_tolerance", "priorities.deterrence_weight", "state.tension", "state.nato_cohesion"]
    assert marg.axes[1].get_xscale() == "log"
    pairs = cp.plot_pairs(c)
    visible = [ax for ax in pairs.axes if ax.get_visible()]
    assert len(visible) == 4 * 5 // 2  # lower triangle and diagonal of 4 x 4
    scatters = [ax for ax in visible if ax.collections]
    assert len(scatters) == 6 and all(len(ax.collections[0].get_offsets()) == 120 for ax in scatters)


def test_pairs_scatter_the_last_generation(folder):
    c = cp.load_calibration(folder)
    fig = cp.plot_pairs(c)
    n = len(c.priors)
    ax = fig.axes[2 * n + 0]  # row 2 (state.tension) against column 0 (risk tolerance)
    xy = ax.collections[0].get_offsets()
    np.testing.assert_array_equal(xy[:, 0], c.final[PARAMETERS[0]["path"]].to_numpy())
    np.testing.assert_array_equal(xy[:, 1], c.final[PARAMETERS[2]["path"]].to_numpy())


def test_convergence_bands(folder):
    c = cp.load_calibration(folder)
    fig = cp.plot_convergence(c)
    top, bottom = fig.axes[:2]
    lines = {l.get_label(): l for l in top.get_lines()}
    d = pd.read_csv(folder / "diagnostics.csv")
    np.testing.assert_allclose(lines["Temperature"].get_ydata(), d["temperature"])
    np.testing.assert_allclose(lines["ESS / particles"].get_ydata(), d["ess"] / 120)
    post = pd.read_csv(folder / "posterior.csv")
    for k, p in enumerate(c.priors):
        line = [l for l in bottom.get_lines() if l.get_label() == p.label][0]
        for g in range(3):
            rows = post[post["generation"] == g]
            m = cp.weighted_quantile(rows[p.path], rows["weight"], 0.5)
            expected = (math.log(m / p.low) / math.log(p.high / p.low)) if p.log_scale else (m - p.low) / (p.high - p.low)
            assert line.get_ydata()[g] == pytest.approx(expected, rel=1e-12)
    assert fig.bands[["q05_position", "median_position", "q95_position"]].apply(
        lambda r: 0 <= r.iloc[0] <= r.iloc[1] <= r.iloc[2] <= 1, axis=1).all()


def test_unfinished_folder_says_so(tmp_path):
    folder = write_folder(tmp_path / "cal", complete=False)
    fig = cp.plot_marginals(cp.load_calibration(folder))
    assert any("Unfinished calibration" in t.get_text() for t in fig.texts)
    fig = cp.plot_marginals(cp.load_calibration(write_folder(tmp_path / "done")))
    assert not any("Unfinished" in t.get_text() for t in fig.texts)


def test_plot_py_dispatches_a_calibration_folder(folder, tmp_path):
    assert sorted(plot.figures(br.load(folder))) == sorted(FIGURES)
    r = script("plot.py", folder, "--out", tmp_path / "figs", "--format", "png")
    assert r.returncode == 0, r.stderr
    for n in FIGURES:
        check_png(tmp_path / "figs" / f"{n}.png")


def test_report_py_refuses_a_calibration_folder_clearly(folder, tmp_path):
    """report.py has no calibration page: exit 2 and a message, not a traceback (the kind is now known)."""
    r = script("report.py", folder, "--out", tmp_path / "r.html")
    assert r.returncode == 2, r.stderr
    assert "is a Brink calibration folder" in r.stderr and "plot.py" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "r.html").exists()


def test_save_is_atomic(folder, tmp_path, monkeypatch):
    """A save that fails half-way leaves the previous figure as it was and no temporary file."""
    out = tmp_path / "figs"
    c = cp.load_calibration(folder)
    bp.save_figure(cp.plot_convergence(c), out, "convergence", ("png",))
    before = (out / "convergence.png").read_bytes()

    def broken(self, fname, *args, **kwargs):
        Path(fname).write_bytes(b"half a png")
        raise OSError("disk full")
    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        bp.save_figure(cp.plot_convergence(c), out, "convergence", ("png",))
    assert (out / "convergence.png").read_bytes() == before
    assert [p.name for p in out.iterdir()] == ["convergence.png"]


def test_a_real_calibration_folder(tmp_path):
    """brink calibrate's own folder: loaded, drawn, and the medians and 90% intervals the figure marks are
    exactly those of its summary.csv (the same weighted quantile)."""
    brink = brink_binary.binary()
    out = tmp_path / "real"
    r = subprocess.run([brink, "calibrate", REPO / "tests/data/scenarios/small.yaml", REPO / "tests/data/timelines/small.yaml",
                        "--set", "run.start_date=2021-12-17", "--until", "2022-01-14", "--particles", "40",
                        "--runs-per-particle", "40", "--seed", "7", "--threads", "2", "--quiet", "--out", out,
                        "--param", "leaders.red.traits.risk_tolerance=uniform(0.2, 0.9)",
                        "--param", "leaders.red.traits.rationality=loguniform(2, 50)",
                        "--param", "leaders.blue.traits.risk_tolerance=beta(2, 5)"],
                       capture_output=True, text=True, cwd=REPO, timeout=300)
    assert r.returncode == 0, r.stderr
    c = cp.load_calibration(out)
    assert [p.distribution for p in c.priors] == ["uniform", "loguniform", "beta"] and c.complete
    fig = cp.plot_marginals(c)
    for p in c.priors:
        for key in ("median", "q05", "q95"):
            assert fig.stats[p.path][key] == c.summary.loc[p.path, key], (p.path, key)
    r = script("calibration_plot.py", out)
    assert r.returncode == 0, r.stderr
    for n in FIGURES:
        check_png(out / "figures" / f"{n}.png")
