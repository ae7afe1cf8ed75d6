#!/usr/bin/python3
"""Cumulative incidence of each outcome by time, with 95% Wilson bands (summary.csv).

    analysis/incidence.py RESULT_DIR [--out DIR] [--format png,svg]

writes cumulative_incidence.png/.svg: for each outcome, the share of all runs that have
ended in it by each tick. From Python: plot_cumulative_incidence(load_run(dir)).
"""
from __future__ import annotations

import sys

from matplotlib.patches import Patch

import brink_plotting as bp
import brink_results as br


def plot_cumulative_incidence(run: br.RunResult):
    ci = run.cumulative_incidence()
    factor, unit = bp.time_unit(run.tick_days)
    fig, ax = bp.new_figure()
    drawn = {}
    for o in br.OUTCOMES:
        d = ci[ci["outcome"] == o].sort_values("tick")
        if d.empty:
            continue
        x = d["tick"].to_numpy(dtype=float) * factor
        color = bp.OUTCOME_COLORS[o]
        ax.fill_between(x, 100 * d["ci_low"], 100 * d["ci_high"], step="post", color=color, alpha=0.25, lw=0)
        final = d.iloc[-1]
        ax.step(x, 100 * d["value"], where="post", color=color, ls=bp.OUTCOME_LINESTYLES[o], lw=2.6,
                label=f"{bp.OUTCOME_LABELS[o]} (by the horizon: {bp.fmt_pct(final['value'])})")
        drawn[o] = d
    horizon_x = run.horizon * factor
    ax.set_xlim(0, horizon_x * 1.01)
    top = max(float(d["ci_high"].max()) for d in drawn.values()) if drawn else 1.0
    ax.set_ylim(0, min(100, 100 * top * 1.1 + 1))
    bp.percent_axis(ax.yaxis)
    ax.set_ylabel("Share of all runs ended in the outcome (%)")
    ax.set_xlabel(bp.time_label(run.tick_days))
    bp.add_months_axis(ax, run.tick_days, run.start_date)
    ax.set_title(f"Cumulative incidence of each outcome: {run.scenario} ({run.n_runs:,} runs)")
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(color="#999999", alpha=0.4, lw=0, label="95% interval (Wilson)"))
    ax.legend(handles=handles, loc="upper left")
    if any(o in drawn for o in br.HORIZON_OUTCOMES):
        bp.caption(fig, f"Frozen conflicts and ongoing wars are runs still undecided at the horizon ({horizon_x:g} {unit}), "
                        "split by whether their rung there is below the war rung or not; they appear only at the horizon.")
    fig.incidence = drawn
    return fig


def figures(run: br.RunResult, args=None) -> dict:
    return {"cumulative_incidence": plot_cumulative_incidence(run)}


def main(argv=None) -> int:
    return bp.run_cli("Cumulative incidence of each outcome by time, with 95% bands.", figures, ("run",), argv)


if __name__ == "__main__":
    sys.exit(main())
