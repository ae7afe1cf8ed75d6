#!/usr/bin/python3
"""When runs end: histograms of end_tick for each outcome (runs.csv).

    analysis/time_to_outcome.py RESULT_DIR [--out DIR] [--format png,svg]

writes time_to_outcome.png/.svg, one panel per outcome whose runs end at different times.
Outcomes whose runs all end at the horizon (frozen conflict and ongoing war, always) are noted, not drawn.
From Python: plot_time_to_outcome(load_run(dir)).
"""
from __future__ import annotations

import sys

import numpy as np

import brink_plotting as bp
import brink_results as br


def bin_width(horizon: int) -> int:
    """Ticks per bar: one tick for up to ~2 years of weeks, else about 80 bars."""
    return 1 if horizon <= 160 else int(np.ceil(horizon / 80))


def plot_time_to_outcome(run: br.RunResult):
    runs = run.runs
    horizon = run.horizon
    factor, unit = bp.time_unit(run.tick_days)
    width = bin_width(horizon)
    edges = np.arange(0, horizon + width + 1, width) - 0.5  # ticks 0..horizon, each in one bin
    n_total = len(runs)
    spread = [o for o in br.OUTCOMES if (runs["outcome"] == o).any() and
              not (runs.loc[runs["outcome"] == o, "end_tick"] == horizon).all()]
    at_horizon = [o for o in br.OUTCOMES if (runs["outcome"] == o).any() and o not in spread]
    panels = spread or [o for o in br.OUTCOMES if (runs["outcome"] == o).any()]
    if not panels:
        raise br.BrinkResultError(f"{run.path}/runs.csv has no runs")
    fig, axes = bp.new_figure(len(panels), 1, sharex=True, squeeze=False)
    counts = {}
    for ax, o in zip(axes[:, 0], panels):
        ticks = runs.loc[runs["outcome"] == o, "end_tick"].to_numpy()
        h, _ = np.histogram(ticks, bins=edges)
        counts[o] = h
        centers = (edges[:-1] + 0.5 * width) * factor
        share = len(ticks) / n_total
        median = float(np.median(ticks))
        ax.bar(centers, h, width=width * factor * 0.9, color=bp.OUTCOME_COLORS[o],
               label=f"{bp.OUTCOME_LABELS[o]}: {len(ticks):,} runs ({bp.fmt_pct(share)})")
        ax.axvline(median * factor, color=bp.NEUTRAL, ls="--", lw=1.8, label=f"Median {median * factor:g} {unit}")
        ax.set_ylabel("Runs" if width == 1 else f"Runs per {width * factor:g} {unit}")
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], loc="upper right")
        ax.set_ylim(0, max(1, h.max()) * 1.25)
    axes[-1, 0].set_xlabel(f"Time the run ended ({unit} since start)")
    axes[-1, 0].set_xlim(edges[0] * factor, edges[-1] * factor)
    per = "" if width == 1 else f" (bars of {width * factor:g} {unit})"
    axes[0, 0].set_title(f"Time to outcome: {run.scenario}{per}")
    if at_horizon and spread:
        notes = [f"{bp.OUTCOME_LABELS[o]}: all {int((runs['outcome'] == o).sum()):,} runs "
                 f"({bp.fmt_pct(float((runs['outcome'] == o).mean()))}) last to the horizon ({horizon * factor:g} {unit})."
                 for o in at_horizon]
        bp.caption(fig, " ".join(notes))
    fig.counts = counts
    fig.edges = edges
    return fig


def figures(run: br.RunResult, args=None) -> dict:
    return {"time_to_outcome": plot_time_to_outcome(run)}


def main(argv=None) -> int:
    return bp.run_cli("Histograms of the time to each outcome.", figures, ("run",), argv)


if __name__ == "__main__":
    sys.exit(main())
