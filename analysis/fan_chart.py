#!/usr/bin/python3
"""Fan charts of a run folder, from timeseries.csv.

    analysis/fan_chart.py RESULT_DIR [--out DIR] [--format png,svg] [--variables a,b,c]

writes
  rung_fan         quantile bands (5-95%, 25-75%, median) of the rung over time, over all
                   runs (a run that has ended stays at its final rung), and the share of runs
                   still going underneath;
  rung_shares      the share of all runs at each rung over time (stacked);
  state_variables  mean, median and 5-95% band of a few key state variables, over the runs
                   still going.
From Python: plot_rung_fan(run), plot_rung_shares(run), plot_state_variables(run, names).
"""
from __future__ import annotations

import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import brink_plotting as bp
import brink_results as br

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
KEY_VARIABLES = ("tension", "ukraine_control", "russia_mobilization", "nato_cohesion", "sanctions", "trust")
MIN_ACTIVE_RUNS = 20  # below this many runs still going, variable bands are too noisy to draw


def rung_shares(run: br.RunResult) -> np.ndarray:
    """ticks x rungs: the share of all runs at each rung (rows sum to 1)."""
    return run.timeseries[[f"all_rung_{r}" for r in run.rungs]].to_numpy(dtype=float)


def rung_quantiles(run: br.RunResult, quantiles=QUANTILES) -> pd.DataFrame:
    """Per tick, the rung index at each quantile of the rung distribution over all runs
    (the smallest rung r with P(rung <= r) >= q), and the mean rung."""
    shares = rung_shares(run)
    cdf = np.cumsum(shares, axis=1)
    valid = ~np.isnan(shares).any(axis=1)
    out = pd.DataFrame({"tick": run.timeseries["tick"].to_numpy()})
    for q in quantiles:
        idx = np.argmax(cdf >= q - 1e-9, axis=1).astype(float)
        idx[~valid] = np.nan
        out[f"q{round(q * 100):02d}"] = idx
    out["mean"] = np.where(valid, shares @ np.arange(shares.shape[1]), np.nan)
    return out


def _time(run: br.RunResult, ticks) -> np.ndarray:
    return np.asarray(ticks, dtype=float) * bp.time_unit(run.tick_days)[0]


def _rung_axis(ax, run: br.RunResult, top: int | None = None):
    labels = [run.rung_labels[r] for r in run.rungs]
    n = len(labels) if top is None else top + 1
    ax.set_yticks(range(n), labels[:n])
    ax.set_ylim(-0.5, n - 0.5)
    ax.set_ylabel("Rung of the escalation ladder")


def plot_rung_fan(run: br.RunResult):
    q = rung_quantiles(run)
    x = _time(run, q["tick"])
    fig, (ax, ax2) = bp.new_figure(2, 1, sharex=True, gridspec_kw={"height_ratios": [3.2, 1]})
    ax.fill_between(x, q["q05"], q["q95"], step="post", color=bp.ACCENT, alpha=0.25, lw=0, label="5–95% of runs")
    ax.fill_between(x, q["q25"], q["q75"], step="post", color=bp.ACCENT, alpha=0.55, lw=0, label="25–75% of runs")
    ax.step(x, q["q50"], where="post", color="#6A1B4D", lw=2.6, label="Median rung")
    ax.plot(x, q["mean"], color=bp.NEUTRAL, lw=1.6, ls="--", label="Mean rung")
    reached = int(np.nanmax(q["q95"].to_numpy())) if q["q95"].notna().any() else len(run.rungs) - 1
    esc = run.escalation_rung
    top = len(run.rungs) - 1
    if esc is not None:
        e = run.rungs.index(esc)
        top = min(top, max(reached, e) + 1)
        ax.axhline(e - 0.5, color=bp.OUTCOME_COLORS["escalation"], lw=1.8, ls=(0, (6, 3)),
                   label="Escalation threshold")
    _rung_axis(ax, run, top)
    fig.suptitle(f"Escalation ladder over time: {run.scenario} ({run.n_runs:,} runs)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, handlelength=2.0, columnspacing=1.5)
    ax.tick_params(axis="x", labelbottom=True)

    still = 100 * run.timeseries["active_runs"].to_numpy(dtype=float) / max(run.n_runs, 1)
    still[np.isnan(q["mean"].to_numpy())] = np.nan  # ticks no run reached (before a branch's start): nothing to draw
    ax2.step(x, still, where="post", color=bp.NEUTRAL, lw=2.2)
    ax2.fill_between(x, 0, still, step="post", color=bp.NEUTRAL, alpha=0.12, lw=0)
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("Still going (%)")
    bp.percent_axis(ax2.yaxis)
    ax2.set_xlabel(bp.time_label(run.tick_days))
    ax2.set_xlim(x[0], x[-1])
    if run.start_date is not None:  # the calendar under the time axis (the legend is above the plot)
        bp.add_date_axis(ax2, run.tick_days, run.start_date, location=-0.75)
    bp.caption(fig, "Bands over all runs; a run that has ended stays at its final rung. "
                    "Lower panel: share of runs not yet ended.")
    fig.quantiles = q
    return fig


def plot_rung_shares(run: br.RunResult):
    shares = rung_shares(run)
    x = _time(run, run.timeseries["tick"])
    used = [i for i in range(shares.shape[1]) if np.nanmax(shares[:, i]) > 0]
    never = [run.rung_labels[run.rungs[i]] for i in range(shares.shape[1]) if i not in used]
    cmap = plt.get_cmap("viridis")  # perceptually uniform and colour-blind safe; dark = high rung
    colors = [cmap(0.97 - 0.94 * k / max(len(run.rungs) - 1, 1)) for k in range(len(run.rungs))]
    fig, ax = bp.new_figure()
    polys = ax.stackplot(x, *(100 * np.nan_to_num(shares[:, i]) for i in used), step="post",
                         colors=[colors[i] for i in used], lw=0.3, edgecolor="white",
                         labels=[run.rung_labels[run.rungs[i]] for i in used])
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, 100)
    bp.percent_axis(ax.yaxis)
    ax.set_ylabel("Share of all runs (%)")
    ax.set_xlabel(bp.time_label(run.tick_days))
    if run.start_date is not None:
        bp.add_date_axis(ax, run.tick_days, run.start_date)
    ax.set_title(f"Where the runs stand on the ladder: {run.scenario}")
    ax.grid(False)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5), title="Rung (highest on top)")
    note = "A run that has ended stays at its final rung."
    if never:
        note += " Never reached: " + ", ".join(never) + "."
    bp.caption(fig, note)
    fig.polys = polys
    return fig


def choose_variables(run: br.RunResult, names=None, count=6) -> list[str]:
    available = run.variables
    if names:
        unknown = [n for n in names if n not in available]
        if unknown:
            raise br.BrinkResultError(f"{run.path}: no state variable {', '.join(unknown)} in timeseries.csv; "
                                      f"it has {', '.join(available)}")
        return list(names)
    chosen = [v for v in KEY_VARIABLES if v in available]
    return chosen if chosen else available[:count]


def plot_state_variables(run: br.RunResult, names=None):
    names = choose_variables(run, names)
    if not names:
        raise br.BrinkResultError(f"{run.path}/timeseries.csv has no state variables (<var>_mean, _q05, _q50, _q95)")
    ts = run.timeseries
    ncols = min(3, len(names))
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = bp.new_figure(nrows, ncols, sharex=True, squeeze=False)
    x = _time(run, ts["tick"])
    keep = ts["active_runs"].to_numpy() >= MIN_ACTIVE_RUNS
    for k, name in enumerate(names):
        ax = axes.flat[k]
        col = {s: np.where(keep, ts[f"{name}_{s}"].to_numpy(dtype=float), np.nan) for s in ("mean", "q05", "q50", "q95")}
        ax.fill_between(x, col["q05"], col["q95"], color=bp.ACCENT2, alpha=0.35, lw=0, label="5–95% of runs")
        ax.plot(x, col["q50"], color=bp.OKABE_ITO["blue"], lw=1.6, ls="--", label="Median")
        ax.plot(x, col["mean"], color=bp.NEUTRAL, lw=2.2, label="Mean")
        ax.set_title(br.pretty_name(name), fontsize=14)
        lo = np.nanmin(col["q05"]) if np.isfinite(col["q05"]).any() else 0
        hi = np.nanmax(col["q95"]) if np.isfinite(col["q95"]).any() else 1
        pad = max(0.05, 0.1 * (hi - lo))
        ax.set_ylim(max(0.0, lo - pad), min(1.0, hi + pad))
        if k % ncols == 0:
            ax.set_ylabel("Level (0–1)")
        if k // ncols == nrows - 1 or k + ncols >= len(names):
            ax.set_xlabel(f"Time ({bp.time_unit(run.tick_days)[1]})")
            ax.tick_params(axis="x", labelbottom=True)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    bp.caption(fig, f"Not drawn where fewer than {MIN_ACTIVE_RUNS} runs are still going.")
    fig.legend(handles, labels, loc="lower right", bbox_to_anchor=(0.995, 0.0), ncols=3)
    fig.suptitle(f"Key state variables over the runs still going: {run.scenario}")
    fig.variables = names
    return fig


def figures(run: br.RunResult, args=None) -> dict:
    names = getattr(args, "variables", None)
    return {"rung_fan": plot_rung_fan(run), "rung_shares": plot_rung_shares(run),
            "state_variables": plot_state_variables(run, names)}


def add_variables_arg(parser):
    parser.add_argument("--variables", type=lambda s: [v.strip() for v in s.split(",") if v.strip()], metavar="a,b,c",
                        help=f"state variables to draw (default: those of {', '.join(KEY_VARIABLES)} present)")


def main(argv=None) -> int:
    return bp.run_cli("Fan charts of the rung and of key state variables over time.", figures, ("run",), argv,
                      extra_args=add_variables_arg)


if __name__ == "__main__":
    sys.exit(main())
