#!/usr/bin/python3
"""Outcome odds of a run folder: a bar per outcome with its 95% Wilson interval.

    analysis/outcome_odds.py RESULT_DIR [--out DIR] [--format png,svg]

writes outcome_odds.png/.svg. From Python: plot_outcome_odds(load_run(dir)) -> Figure.
"""
from __future__ import annotations

import sys

from matplotlib.patches import Patch

import brink_plotting as bp
import brink_results as br


def plot_outcome_odds(run: br.RunResult):
    probs = run.probabilities()
    fig, ax = bp.new_figure()
    x = list(range(len(probs)))
    heights = 100 * probs["value"]
    err = [100 * (probs["value"] - probs["ci_low"]), 100 * (probs["ci_high"] - probs["value"])]
    colors = [bp.OUTCOME_COLORS[o] for o in probs["outcome"]]
    bars = ax.bar(x, heights, width=0.6, color=colors, yerr=err, capsize=10,
                  error_kw={"elinewidth": 2, "capthick": 2, "ecolor": bp.NEUTRAL}, label="Estimate")
    top = float(100 * probs["ci_high"].max())
    for xi, row in zip(x, probs.itertuples()):
        ax.text(xi, 100 * row.ci_high + top * 0.025,
                f"{bp.fmt_pct(row.value)}\n[{bp.fmt_pct(row.ci_low)}, {bp.fmt_pct(row.ci_high)}]",
                ha="center", va="bottom", fontsize=13)
    ax.set_xticks(x, [f"{bp.OUTCOME_LABELS[o]}\n({int(c):,} runs)" for o, c in zip(probs["outcome"], probs["count"])])
    ax.set_ylim(0, top * 1.25 if top > 0 else 1)
    ax.set_ylabel("Probability (%)")
    bp.percent_axis(ax.yaxis)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel("Outcome by the horizon")
    n = int(probs["runs"].iloc[0])
    horizon_t = run.horizon * bp.time_unit(run.tick_days)[0]
    ax.set_title(f"Outcome odds: {run.scenario} ({n:,} runs, horizon {horizon_t:g} {bp.time_unit(run.tick_days)[1]})")
    handles = [Patch(color=bp.OUTCOME_COLORS[o], label=bp.OUTCOME_LABELS[o]) for o in probs["outcome"]]
    labels = [h.get_label() for h in handles]
    ax.legend(handles + [bars.errorbar], labels + ["95% interval (Wilson)"], loc="upper left")
    fig.bars = bars  # for tests: the drawn bars
    return fig


def figures(run: br.RunResult, args=None) -> dict:
    return {"outcome_odds": plot_outcome_odds(run)}


def main(argv=None) -> int:
    return bp.run_cli("Bar chart of a run folder's outcome odds with 95% intervals.", figures, ("run",), argv)


if __name__ == "__main__":
    sys.exit(main())
