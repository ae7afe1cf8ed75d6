#!/usr/bin/python3
"""Figures of a calibration folder (brink calibrate; docs/calibration.md).

    analysis/calibration_plot.py FOLDER [--out DIR] [--format png]

writes into FOLDER/figures/ (or DIR), each file atomically:
  marginals    one panel per parameter: the final generation's particles (weighted histogram),
               the prior density as a line, the posterior median and 90% interval marked
  pairs        each pair of parameters in the final generation (lower triangle), histograms
               on the diagonal
  convergence  top: the temperature and ESS / particles of each generation; bottom: each
               parameter's median and 5-95% band per generation, as a share of its prior range
Exit code 0, or 2 with a message naming the file and what is wrong for a folder that is not
a readable calibration folder.

From Python: load_calibration(dir) -> CalibrationResult; plot_marginals(c), plot_pairs(c),
plot_convergence(c) return matplotlib Figures; prior_density(prior, x) and
weighted_quantile(values, weights, q) are the numbers the figures draw.
"""
from __future__ import annotations

import math
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullFormatter

import brink_plotting as bp
import brink_results as br

try:  # Debian's python3-scipy; without it the closed forms below give the same densities
    from scipy import stats as _scipy_stats
except ImportError:  # pragma: no cover - depends on the machine
    _scipy_stats = None

KIND = "calibration"
FILES = ("manifest.json", "posterior.csv", "diagnostics.csv", "summary.csv")
FIGURE_FORMATS = ("png",)
DISTRIBUTIONS = {"uniform": (), "loguniform": (), "beta": ("alpha", "beta"), "normal": ("mean", "sd")}
POSTERIOR_COLUMNS = {"generation": "int", "particle": "int", "weight": "float", "temperature": "float",
                     "log_likelihood": "float"}
DIAGNOSTICS_COLUMNS = {"generation": "int", "temperature": "float", "ess": "float", "move_steps": "int",
                       "acceptance": "float?", "evaluations": "int", "runs": "int", "log_evidence": "float",
                       "seconds": "float"}
SUMMARY_COLUMNS = {"path": "str", "prior": "str", "median": "float", "mean": "float", "sd": "float", "q05": "float",
                   "q95": "float", "prior_q05": "float", "prior_q95": "float"}
WEIGHT_SUM_TOLERANCE = 1e-6   # weights are written with round-trip precision; their sum is 1 within rounding
RANGE_TOLERANCE = 1e-9        # a particle may sit on a bound of its prior
QUANTILE_SLACK = 1e-12        # the same slack as brink's weighted_quantile (sim/calibration/sampler.cpp)
INTERVAL = (0.05, 0.95)       # the 90% credible interval of summary.csv
POSTERIOR_COLOR = bp.OKABE_ITO["blue"]
PRIOR_COLOR = bp.NEUTRAL
MEDIAN_COLOR = bp.OKABE_ITO["vermillion"]
PARAMETER_COLORS = [bp.OKABE_ITO[c] for c in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange",
                                                "sky_blue", "black", "yellow")]


# ---------------------------------------------------------------- priors

@dataclass(frozen=True)
class Prior:
    """One calibrated parameter's prior, as manifest.json's "parameters" entry describes it."""
    path: str
    text: str
    distribution: str
    low: float
    high: float
    a: float = math.nan  # beta: alpha; normal: mean
    b: float = math.nan  # beta: beta; normal: sd

    @property
    def label(self) -> str:
        """The path's last two parts: leaders.putin.traits.risk_tolerance -> traits.risk_tolerance."""
        return ".".join(self.path.split(".")[-2:])

    @property
    def log_scale(self) -> bool:
        return self.distribution == "loguniform"

    def position(self, x):
        """Where x lies in the prior range: 0 at low, 1 at high (in log space for a log-uniform prior)."""
        x = np.asarray(x, dtype=float)
        if self.log_scale:
            return (np.log(x) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (x - self.low) / (self.high - self.low)


def _normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _closed_form_density(p: Prior, x: np.ndarray) -> np.ndarray:
    width = p.high - p.low
    if p.distribution == "uniform":
        return np.full_like(x, 1.0 / width)
    if p.distribution == "loguniform":
        return 1.0 / (x * math.log(p.high / p.low))
    if p.distribution == "beta":
        z = (x - p.low) / width
        log_norm = math.lgamma(p.a) + math.lgamma(p.b) - math.lgamma(p.a + p.b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.exp((p.a - 1) * np.log(z) + (p.b - 1) * np.log1p(-z) - log_norm) / width
    # normal(mean, sd) truncated to [low, high]
    mass = _normal_cdf((p.high - p.a) / p.b) - _normal_cdf((p.low - p.a) / p.b)
    return np.exp(-0.5 * ((x - p.a) / p.b) ** 2) / (p.b * math.sqrt(2 * math.pi) * mass)


def _scipy_density(p: Prior, x: np.ndarray) -> np.ndarray:
    s = _scipy_stats
    width = p.high - p.low
    dist = {"uniform": lambda: s.uniform(loc=p.low, scale=width),
            "loguniform": lambda: s.loguniform(p.low, p.high),
            "beta": lambda: s.beta(p.a, p.b, loc=p.low, scale=width),
            "normal": lambda: s.truncnorm((p.low - p.a) / p.b, (p.high - p.a) / p.b, loc=p.a, scale=p.b)}[p.distribution]()
    return dist.pdf(x)


def prior_density(p: Prior, x, use_scipy: bool | None = None) -> np.ndarray:
    """The prior's density at x (0 outside [low, high]); scipy.stats when it is there (or use_scipy=True),
    else closed forms (use_scipy=False)."""
    x = np.asarray(x, dtype=float)
    scipy_wanted = _scipy_stats is not None if use_scipy is None else use_scipy
    if scipy_wanted and _scipy_stats is None:
        raise RuntimeError("scipy is not installed (Debian: python3-scipy)")
    inside = (x >= p.low) & (x <= p.high)
    out = np.zeros_like(x)
    if inside.any():
        f = _scipy_density if scipy_wanted else _closed_form_density
        out[inside] = f(p, x[inside])
    return out


# ---------------------------------------------------------------- statistics

def weighted_quantile(values, weights, q: float) -> float:
    """The smallest value whose cumulative weight (values sorted, weights normalised) reaches q: the
    inverse of the weighted empirical CDF, as brink's summary.csv computes it."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    cumulative /= cumulative[-1]
    i = int(np.searchsorted(cumulative, q - QUANTILE_SLACK, side="left"))
    return float(values[order][min(i, len(values) - 1)])


def weighted_summary(values, weights) -> dict:
    """median, q05, q95 (the 90% interval) of weighted particles."""
    return {"median": weighted_quantile(values, weights, 0.5), "q05": weighted_quantile(values, weights, INTERVAL[0]),
            "q95": weighted_quantile(values, weights, INTERVAL[1])}


# ---------------------------------------------------------------- loading, with located errors

def _fail(where, message: str):
    raise br.BrinkResultError(f"{where}: {message}")


def _row_fail(path: Path, column: str, bad: pd.Series, message: str):
    row = int(np.flatnonzero(bad.to_numpy())[0])
    _fail(path, f"column {column}, data row {row + 1}: {message}")


def _number(path: Path, field: str, value, *, positive=False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (positive and value <= 0):
        _fail(path, f"{field}: expected a {'positive ' if positive else ''}finite number, found {value!r}")
    return float(value)


def _prior(path: Path, k: int, entry) -> Prior:
    where = f"parameters[{k}]"
    if not isinstance(entry, dict):
        _fail(path, f"{where}: expected an object with path, prior, distribution, low, high; found {entry!r}")
    for key in ("path", "distribution", "low", "high"):
        if key not in entry:
            _fail(path, f"{where}: missing field {key!r}")
    name = entry["path"]
    if not isinstance(name, str) or not name.strip():
        _fail(path, f"{where}.path: expected a parameter path (text), found {name!r}")
    dist = entry["distribution"]
    if dist not in DISTRIBUTIONS:
        _fail(path, f"{where}.distribution: expected one of {', '.join(DISTRIBUTIONS)}, found {dist!r}")
    low, high = _number(path, f"{where}.low", entry["low"]), _number(path, f"{where}.high", entry["high"])
    if not low < high:
        _fail(path, f"{where} ({name}): low ({low:g}) must be below high ({high:g})")
    if dist == "loguniform" and low <= 0:
        _fail(path, f"{where}.low ({name}): a log-uniform prior needs low > 0, found {low:g}")
    shape = []
    for key in DISTRIBUTIONS[dist]:
        if key not in entry:
            _fail(path, f"{where} ({name}): a {dist} prior needs field {key!r}")
        shape.append(_number(path, f"{where}.{key}", entry[key], positive=key != "mean"))
    prior = Prior(name, str(entry.get("prior", dist)), dist, low, high, *shape)
    if dist == "normal":
        mass = _normal_cdf((high - prior.a) / prior.b) - _normal_cdf((low - prior.a) / prior.b)
        if not mass > 0:
            _fail(path, f"{where} ({name}): normal({prior.a:g}, {prior.b:g}) has no mass in [{low:g}, {high:g}]")
    return prior


def _priors(path: Path, manifest: dict) -> list[Prior]:
    entries = manifest.get("parameters")
    if not isinstance(entries, list) or not entries:
        _fail(path, "parameters: expected a non-empty list of the calibrated parameters, found "
                    f"{'nothing' if entries is None else repr(entries)}")
    priors = [_prior(path, k, e) for k, e in enumerate(entries)]
    seen = set()
    for k, p in enumerate(priors):
        if p.path in seen:
            _fail(path, f"parameters[{k}].path: {p.path} is named twice")
        seen.add(p.path)
    return priors


def _load_posterior(folder: Path, priors: list[Prior]) -> pd.DataFrame:
    path = folder / "posterior.csv"
    post = br.read_table(path, POSTERIOR_COLUMNS)
    missing = [p.path for p in priors if p.path not in post.columns]
    if missing:
        _fail(path, f"no column for parameter(s) {', '.join(missing)} named in manifest.json")
    for p in priors:
        values = pd.to_numeric(post[p.path], errors="coerce")
        bad = values.isna()
        if bad.any():
            found = post[p.path][bad].iloc[0]
            _row_fail(path, p.path, bad, "expected a number, found " + ("an empty cell" if pd.isna(found) else repr(found)))
        post[p.path] = values.astype("float64")
    if post.empty:
        _fail(path, "has no particles (no generation finished yet?)")
    for p in priors:
        x = post[p.path]
        bad = ~np.isfinite(x) | (x < p.low - RANGE_TOLERANCE * (1 + abs(p.low))) | (x > p.high + RANGE_TOLERANCE * (1 + abs(p.high)))
        if bad.any():
            _row_fail(path, p.path, bad, f"{x[bad].iloc[0]!r} lies outside the prior's range [{p.low:g}, {p.high:g}] ({p.text})")
    w = post["weight"]
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        _row_fail(path, "weight", bad, f"a weight must be a finite number >= 0, found {w[bad].iloc[0]!r}")
    t = post["temperature"]
    bad = ~((t >= 0) & (t <= 1))
    if bad.any():
        _row_fail(path, "temperature", bad, f"a temperature must lie in [0, 1], found {t[bad].iloc[0]!r}")
    generations = sorted(post["generation"].unique())
    if generations != list(range(len(generations))):
        _fail(path, f"column generation: expected generations 0, 1, 2, ... without gaps, found {generations[:10]}")
    for g, rows in post.groupby("generation"):
        total = rows["weight"].sum()
        if abs(total - 1) > WEIGHT_SUM_TOLERANCE:
            _fail(path, f"generation {g}: the weights sum to {total:.9g}, not 1")
        if rows["temperature"].nunique() != 1:
            _fail(path, f"generation {g}: the particles have different temperatures")
    return post


def _load_diagnostics(folder: Path, posterior: pd.DataFrame) -> pd.DataFrame:
    path = folder / "diagnostics.csv"
    d = br.read_table(path, DIAGNOSTICS_COLUMNS)
    expected = sorted(posterior["generation"].unique())
    if sorted(d["generation"]) != expected:
        _fail(path, f"column generation: expected one row for each generation of posterior.csv "
                    f"({expected[0]}..{expected[-1]}), found {sorted(d['generation'])[:10]}")
    d = d.sort_values("generation").reset_index(drop=True)
    particles = posterior.groupby("generation").size().reindex(d["generation"]).to_numpy()
    bad = ~((d["ess"] >= 0) & (d["ess"] <= particles * (1 + 1e-9)))
    if bad.any():
        _row_fail(path, "ess", bad, f"an ESS must lie in [0, particles], found {d['ess'][bad].iloc[0]!r}")
    bad = ~((d["temperature"] >= 0) & (d["temperature"] <= 1))
    if bad.any():
        _row_fail(path, "temperature", bad, f"a temperature must lie in [0, 1], found {d['temperature'][bad].iloc[0]!r}")
    d["particles"] = particles
    return d


def _load_summary(folder: Path, priors: list[Prior]) -> pd.DataFrame:
    path = folder / "summary.csv"
    s = br.read_table(path, SUMMARY_COLUMNS)
    missing = [p.path for p in priors if p.path not in set(s["path"])]
    if missing:
        _fail(path, f"no row for parameter(s) {', '.join(missing)} named in manifest.json")
    return s.set_index("path", drop=False)


@dataclass
class CalibrationResult(br.FolderFiles):
    """A calibration folder, checked when loaded (load_calibration)."""
    path: Path
    manifest: dict
    priors: list
    posterior: pd.DataFrame     # every generation; the last is the posterior
    diagnostics: pd.DataFrame   # one row per generation, plus `particles`
    summary: pd.DataFrame       # indexed by path
    kind: str = KIND

    @property
    def scenario(self) -> str:
        s = self.manifest.get("scenario")
        return str((s.get("name") if isinstance(s, dict) else s) or self.path.name)

    @property
    def last_generation(self) -> int:
        return int(self.posterior["generation"].max())

    @property
    def final(self) -> pd.DataFrame:
        """The last generation's particles: the posterior (when the folder is complete)."""
        return self.posterior[self.posterior["generation"] == self.last_generation]

    @property
    def complete(self) -> bool:
        return self.manifest.get("complete") is True

    def stats(self, generation: int | None = None) -> dict:
        """path -> {median, q05, q95} of one generation (default: the last)."""
        g = self.last_generation if generation is None else generation
        rows = self.posterior[self.posterior["generation"] == g]
        return {p.path: weighted_summary(rows[p.path], rows["weight"]) for p in self.priors}

    def describe(self) -> str:
        text = f"{self.scenario}, {len(self.final)} particles"
        if self.manifest.get("until"):
            text += f", observations to {self.manifest['until']}"
        return text


def load_calibration(folder) -> CalibrationResult:
    """Loads and checks a calibration folder; BrinkResultError naming the file (and column, row or
    field) for anything missing or malformed."""
    folder = Path(folder)
    if not folder.is_dir():
        _fail(folder, "no such folder" if not folder.exists() else "is not a folder; give a brink calibrate --out folder")
    mpath = folder / "manifest.json"
    if not mpath.is_file():
        _fail(mpath, f"file is missing (a calibration folder holds {', '.join(FILES)})")
    manifest = br.read_json(mpath)
    if manifest.get("kind") != KIND:
        _fail(mpath, f"kind: expected {KIND!r}, found {manifest.get('kind')!r} (not a brink calibrate folder)")
    priors = _priors(mpath, manifest)
    posterior = _load_posterior(folder, priors)
    diagnostics = _load_diagnostics(folder, posterior)
    summary = _load_summary(folder, priors)
    return CalibrationResult(folder, manifest, priors, posterior, diagnostics, summary)


# ---------------------------------------------------------------- figures

def _grid(n: int) -> tuple[int, int]:
    """Rows and columns of the marginal panels: one row up to three, then about 16:9."""
    cols = n if n <= 3 else 2 if n == 4 else 3 if n <= 6 or n == 9 else 4
    return math.ceil(n / cols), cols


def _scale(ax, which: str, p: Prior):
    """A log axis (which: "x" or "y") for a log-uniform prior, with plain numbers (2, 5, 10), not powers of ten."""
    if p.log_scale:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
        axis = ax.xaxis if which == "x" else ax.yaxis
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        axis.set_minor_formatter(NullFormatter())


def _wrapped(label: str) -> str:
    return label.replace(".", ".\n", 1) if len(label) > 16 else label


def _bins(p: Prior, count: int = 30) -> np.ndarray:
    if p.log_scale:
        return np.geomspace(p.low, p.high, count + 1)
    return np.linspace(p.low, p.high, count + 1)


def _density_grid(p: Prior, count: int = 400) -> np.ndarray:
    return np.geomspace(p.low, p.high, count) if p.log_scale else np.linspace(p.low, p.high, count)


def _caption(c: CalibrationResult) -> str:
    if c.complete:
        return ""
    t = float(c.final["temperature"].iloc[0])
    return (f" Unfinished calibration (manifest.json complete: false, temperature {t:.3g} < 1): the last generation "
            "is not yet the posterior; resume it with brink calibrate --resume.")


def plot_marginals(c: CalibrationResult):
    """One panel per parameter: the posterior (weighted histogram of the last generation), the prior density,
    the median and the 90% interval."""
    rows, cols = _grid(len(c.priors))
    fig, axes = bp.new_figure(rows, cols, squeeze=False)
    final = c.final
    stats = c.stats()
    fig.stats, fig.prior_lines = stats, {}
    for ax, p in zip(axes.flat, c.priors):
        s = stats[p.path]
        ax.hist(final[p.path], bins=_bins(p), weights=final["weight"], density=True, color=POSTERIOR_COLOR, alpha=0.55,
                edgecolor="white", linewidth=0.6)
        grid = _density_grid(p)
        line, = ax.plot(grid, prior_density(p, grid), color=PRIOR_COLOR, ls="--", lw=2)
        fig.prior_lines[p.path] = line
        ax.axvspan(s["q05"], s["q95"], color=MEDIAN_COLOR, alpha=0.10, lw=0)
        for key in ("q05", "q95"):
            ax.axvline(s[key], color=MEDIAN_COLOR, ls=":", lw=1.6)
        ax.axvline(s["median"], color=MEDIAN_COLOR, lw=2.2)
        left = float(p.position(s["median"])) > 0.5  # the text on the side away from the posterior
        ax.text(0.02 if left else 0.98, 0.97, f"prior {p.text}\nmedian {s['median']:.3g}\n90% [{s['q05']:.3g}, {s['q95']:.3g}]",
                transform=ax.transAxes, ha="left" if left else "right", va="top", fontsize=bp.MIN_FONT_PT,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
        _scale(ax, "x", p)
        ax.set_xlim(p.low, p.high)
        ax.set_xlabel(p.label)
        ax.set_ylabel("Density")
    for ax in list(axes.flat)[len(c.priors):]:
        ax.set_visible(False)
    handles = [Patch(facecolor=POSTERIOR_COLOR, alpha=0.55, label="Posterior (last generation)"),
               Line2D([], [], color=PRIOR_COLOR, ls="--", lw=2, label="Prior density"),
               Line2D([], [], color=MEDIAN_COLOR, lw=2.2, label="Median"),
               Patch(facecolor=MEDIAN_COLOR, alpha=0.25, edgecolor=MEDIAN_COLOR, ls=":", label="90% interval")]
    fig.suptitle(f"Posterior marginals: {c.describe()}")
    note = (f"Bars: generation {c.last_generation}'s particles weighted by their weights; dashed: the prior density; "
            "red: the weighted median and the 90% interval (5%-95%)." + _caption(c))
    bp.caption(fig, note)
    # The legend in a strip above the caption (matplotlib 3.6 has no legend "outside" a constrained layout).
    below = 0.014 + 0.031 * len(textwrap.wrap(note, 120))
    fig.get_layout_engine().set(rect=(0, below + 0.06, 1, 1 - below - 0.06))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, below), ncols=4)
    return fig


def plot_pairs(c: CalibrationResult):
    """Lower triangle: each pair of parameters in the last generation; diagonal: each parameter's histogram."""
    n = len(c.priors)
    fig, axes = bp.new_figure(n, n, squeeze=False)
    final = c.final
    size = 12 + 60 * final["weight"].to_numpy() * len(final)  # equal weights: 72 pt^2
    for i, py in enumerate(c.priors):
        for j, px in enumerate(c.priors):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                ax.hist(final[px.path], bins=_bins(px, 20), weights=final["weight"], color=POSTERIOR_COLOR, alpha=0.6,
                        edgecolor="white", linewidth=0.5)
                ax.set_yticks([])
            else:
                ax.scatter(final[px.path], final[py.path], s=size, color=POSTERIOR_COLOR, alpha=0.35, edgecolor="none")
                _scale(ax, "y", py)
                ax.set_ylim(py.low, py.high)
            _scale(ax, "x", px)
            ax.set_xlim(px.low, px.high)
            if i == n - 1:
                ax.set_xlabel(_wrapped(px.label) if n > 3 else px.label)
            else:
                ax.tick_params(labelbottom=False)
            if j == 0:
                ax.set_ylabel(_wrapped(py.label), rotation=0, ha="right", va="center")
            elif i != j:
                ax.tick_params(labelleft=False)
    fig.suptitle(f"Posterior pairs: {c.describe()}")
    bp.caption(fig, f"Lower triangle: each particle of generation {c.last_generation} (marker area ∝ weight); diagonal: "
                    "weighted histograms. Axes span each prior's range." + _caption(c))
    return fig


def generation_bands(c: CalibrationResult) -> pd.DataFrame:
    """One row per (generation, parameter): median, q05, q95, and the same as positions in the prior range."""
    rows = []
    for g in range(c.last_generation + 1):
        for p, s in zip(c.priors, c.stats(g).values()):
            rows.append({"generation": g, "path": p.path, **s,
                         **{f"{k}_position": float(p.position(v)) for k, v in s.items()}})
    return pd.DataFrame(rows)


def plot_convergence(c: CalibrationResult):
    """Top: temperature and ESS / particles per generation; bottom: each parameter's median and 5-95% band,
    as a position in its prior range."""
    fig, (top, bottom) = bp.new_figure(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 3]})
    d = c.diagnostics
    top.plot(d["generation"], d["temperature"], color=bp.NEUTRAL, marker="o", label="Temperature")
    top.plot(d["generation"], d["ess"] / d["particles"], color=bp.OKABE_ITO["bluish_green"], marker="s", ls="--",
             label="ESS / particles")
    target = (c.manifest.get("plan") or {}).get("ess_target")
    if isinstance(target, (int, float)) and 0 < target <= 1:
        top.axhline(target, color=bp.OKABE_ITO["vermillion"], ls=":", lw=1.4, label="ESS target")
    top.set_ylim(-0.03, 1.08)
    top.set_ylabel("Share")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    bands = generation_bands(c)
    for k, p in enumerate(c.priors):
        b = bands[bands["path"] == p.path]
        color = PARAMETER_COLORS[k % len(PARAMETER_COLORS)]
        bottom.fill_between(b["generation"], b["q05_position"], b["q95_position"], color=color, alpha=0.15, lw=0)
        bottom.plot(b["generation"], b["median_position"], color=color, marker="o", label=p.label)
    bottom.set_ylim(-0.03, 1.03)
    bottom.set_ylabel("Position in prior range")
    bottom.set_xlabel("Generation")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Median, 5-95% band")
    bottom.set_xticks(range(c.last_generation + 1))
    fig.suptitle(f"Convergence: {c.describe()}")
    bp.caption(fig, "Top: the tempering schedule (1 = the full likelihood) and the effective sample size before "
                    "resampling. Bottom: 0 = the prior's low bound, 1 = its high bound (log scale for a log-uniform "
                    "prior)." + _caption(c))
    fig.bands = bands
    return fig


# ---------------------------------------------------------------- command line

def figures(c: CalibrationResult, args=None) -> dict:
    return {"marginals": plot_marginals(c), "pairs": plot_pairs(c), "convergence": plot_convergence(c)}


def _png_by_default(parser):
    parser.set_defaults(formats=FIGURE_FORMATS)


def main(argv=None) -> int:
    return bp.run_cli("Figures of a brink calibrate folder (marginals, pairs, convergence).", figures, (KIND,), argv,
                      extra_args=_png_by_default, loader=load_calibration)


if __name__ == "__main__":
    sys.exit(main())
