#!/usr/bin/python3
"""Figure of a compare folder (compare.csv): scenario A against scenario B.

    analysis/compare_plot.py RESULT_DIR [--out DIR] [--format png,svg]

writes compare.png/.svg: on the left the odds of each outcome under A (hatched) and B (solid)
with 95% intervals; on the right the paired difference B - A in percentage points with its 95%
interval, filled where significant (p < 0.05, exact McNemar) and marked with the p-value.
From Python: plot_compare(load_compare(dir)).
"""
from __future__ import annotations

import sys
import textwrap

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import brink_plotting as bp
import brink_results as br


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _name(label: str) -> str:
    """'baseline (scenarios/baseline.yaml)' -> 'baseline'."""
    return _short(label.split(" (")[0], 40)


def _short(label: str, width: int = 40) -> str:
    return textwrap.shorten(label, width=width, placeholder="…")


def plot_compare(cmp: br.CompareResult):
    t = cmp.table
    fig, (ax1, ax2) = bp.new_figure(1, 2, gridspec_kw={"width_ratios": [1.05, 1]})
    y = np.arange(len(t))[::-1]  # escalation on top
    h = 0.36
    for side, offset, hatch, fill in (("a", +h / 2, "///", False), ("b", -h / 2, "", True)):
        p = 100 * t[f"p_{side}"].to_numpy()
        lo, hi = 100 * t[f"p_{side}_low"].to_numpy(), 100 * t[f"p_{side}_high"].to_numpy()
        for k, o in enumerate(t["outcome"]):
            c = bp.OUTCOME_COLORS[o]
            ax1.barh(y[k] + offset, p[k], height=h * 0.92, color=c if fill else "white", edgecolor=c, hatch=hatch, lw=1.6)
        ax1.errorbar(p, y + offset, xerr=[p - lo, hi - p], fmt="none", ecolor=bp.NEUTRAL, elinewidth=1.6, capsize=4)
        xmax = float(100 * t[["p_a_high", "p_b_high"]].to_numpy().max())
        for k in range(len(t)):
            ax1.text(hi[k] + xmax * 0.015, y[k] + offset, bp.fmt_pct(p[k] / 100), va="center", fontsize=12)
    ax1.set_yticks(y, [bp.OUTCOME_LABELS[o] for o in t["outcome"]])
    ax1.set_xlim(0, xmax * 1.22)
    bp.percent_axis(ax1.xaxis)
    ax1.set_xlabel("Probability by the horizon (%)")
    ax1.grid(axis="y", visible=False)
    ax1.legend(handles=[Patch(facecolor="white", edgecolor=bp.NEUTRAL, hatch="///", label=f"A: {_name(cmp.label_a)}"),
                        Patch(facecolor=bp.NEUTRAL, label=f"B: {_name(cmp.label_b)}"),
                        Line2D([], [], color=bp.NEUTRAL, marker="|", ms=12, lw=1.6, label="95% interval (Wilson)")],
               loc="lower left", bbox_to_anchor=(0, 1.01), title="Outcome odds", alignment="left")

    d = 100 * t["difference"].to_numpy()
    lo, hi = 100 * t["diff_low"].to_numpy(), 100 * t["diff_high"].to_numpy()
    sig = t["significant"].to_numpy(dtype=bool)
    ax2.axvline(0, color=bp.NEUTRAL, lw=1.4)
    for k, o in enumerate(t["outcome"]):
        c = bp.OUTCOME_COLORS[o]
        ax2.errorbar([d[k]], [y[k]], xerr=[[d[k] - lo[k]], [hi[k] - d[k]]], fmt=bp.OUTCOME_MARKERS[o], ms=12, color=c,
                     mfc=c if sig[k] else "white", mew=2.2, elinewidth=2.4, capsize=7, capthick=2.2)
    span = max(float(np.max(np.abs(np.concatenate([lo, hi])))), 0.5)
    ax2.set_xlim(-span * 1.15 if lo.min() < 0 else -span * 0.15, span * 1.15 if hi.max() > 0 else span * 0.15)
    ax2.set_ylim(ax1.get_ylim())
    # The numbers, in a column on the right: difference, interval, p-value.
    right = ax2.twinx()
    right.set_ylim(ax2.get_ylim())
    right.set_yticks(y, [f"{d[k]:+.1f} pp{' *' if sig[k] else ''}\n[{lo[k]:+.1f}, {hi[k]:+.1f}]\n{_p_text(t['p_value'].iloc[k])}"
                         for k in range(len(t))])
    right.tick_params(axis="y", length=0, labelsize=12)
    for k, label in enumerate(right.get_yticklabels()):
        label.set_fontweight("bold" if sig[k] else "normal")
    right.spines["right"].set_visible(False)
    right.grid(False)
    ax2.set_yticks(y, [bp.OUTCOME_LABELS[o] for o in t["outcome"]])
    ax2.set_xlabel("Difference B − A (percentage points)")
    ax2.grid(axis="y", visible=False)
    ax2.legend(handles=[Line2D([], [], color=bp.NEUTRAL, marker="o", ms=10, lw=0, label="Significant (p < 0.05), marked *"),
                        Line2D([], [], color=bp.NEUTRAL, marker="o", ms=10, lw=0, mfc="white", mew=2, label="Not significant"),
                        Line2D([], [], color=bp.NEUTRAL, marker="|", ms=12, lw=1.6, label="Paired 95% interval")],
               loc="lower left", bbox_to_anchor=(0, 1.01), title="Paired difference B − A", alignment="left")
    runs = cmp.manifest.get("runs") or (int(t["runs"].iloc[0]) if "runs" in t.columns else None)
    fig.suptitle(f"Comparison: {_name(cmp.label_b)} (B) against {_name(cmp.label_a)} (A)")
    interval = cmp.manifest.get("interval") or "paired 95% interval"
    test = cmp.manifest.get("test")
    bp.caption(fig, (f"A: {cmp.label_a}; B: {cmp.label_b}. Paired under common random numbers (run i of A and of B share their random numbers)"
                     + (f", {int(runs):,} runs each" if runs else "") + f". Difference: {interval}"
                     + (f"; test: {test}" if test else "") + "."))
    fig.differences = t
    return fig


def figures(cmp: br.CompareResult, args=None) -> dict:
    return {"compare": plot_compare(cmp)}


def main(argv=None) -> int:
    return bp.run_cli("Comparison chart: outcome odds under A and B and their paired differences.", figures, ("compare",), argv)


if __name__ == "__main__":
    sys.exit(main())
