#!/usr/bin/python3
"""Highest rung reached: the share of runs whose highest rung is each rung, split by outcome.

    analysis/max_rung.py RESULT_DIR [--out DIR] [--format png,svg]

writes max_rung.png/.svg: horizontal bars (stacked by outcome, from runs.csv) with the 95%
Wilson interval of each rung's share (summary.csv). From Python: plot_max_rung(load_run(dir)).
"""
from __future__ import annotations

import sys

import numpy as np

import brink_plotting as bp
import brink_results as br


def plot_max_rung(run: br.RunResult):
    shares = run.max_rung_shares().set_index("rung").reindex(run.rungs)
    labels = [run.rung_labels[r] for r in run.rungs]
    y = np.arange(len(run.rungs))
    fig, ax = bp.new_figure()
    stacked = {}
    if run.has("runs.csv"):
        runs = run.runs
        n = len(runs)
        left = np.zeros(len(y))
        for o in br.OUTCOMES:
            counts = np.bincount(runs.loc[runs["outcome"] == o, "max_rung"], minlength=len(y))[: len(y)]
            width = 100 * counts / max(n, 1)
            ax.barh(y, width, left=left, height=0.65, color=bp.OUTCOME_COLORS[o], label=bp.OUTCOME_LABELS[o])
            stacked[o] = width
            left += width
        total = left
    else:
        total = 100 * shares["value"].to_numpy(dtype=float)
        ax.barh(y, total, height=0.65, color=bp.ACCENT, label="Share of runs")
    v = 100 * shares["value"].to_numpy(dtype=float)
    lo = 100 * shares["ci_low"].to_numpy(dtype=float)
    hi = 100 * shares["ci_high"].to_numpy(dtype=float)
    ax.errorbar(v, y, xerr=[v - lo, hi - v], fmt="none", ecolor=bp.NEUTRAL, elinewidth=1.8, capsize=6, capthick=1.8,
                label="95% interval (Wilson)")
    xmax = float(np.nanmax(hi)) if np.isfinite(hi).any() else 1.0
    for yi, (val, h) in enumerate(zip(v, hi)):
        ax.text(h + xmax * 0.012, yi, bp.fmt_pct(val / 100), va="center", fontsize=12)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, xmax * 1.15)
    bp.percent_axis(ax.xaxis)
    ax.set_xlabel("Share of all runs whose highest rung is this one (%)")
    ax.set_ylabel("Highest rung reached")
    ax.grid(axis="y", visible=False)
    ax.set_title(f"Highest rung reached: {run.scenario} ({run.n_runs:,} runs)")
    ax.legend(loc="lower right", title="Outcome of the run" if stacked else None)
    fig.stacked = stacked
    fig.shares = shares
    return fig


def figures(run: br.RunResult, args=None) -> dict:
    return {"max_rung": plot_max_rung(run)}


def main(argv=None) -> int:
    return bp.run_cli("Distribution of the highest rung reached, by outcome.", figures, ("run",), argv)


if __name__ == "__main__":
    sys.exit(main())
