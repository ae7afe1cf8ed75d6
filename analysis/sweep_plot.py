#!/usr/bin/python3
"""Figures of a sweep folder (sweep.csv): outcome odds against each swept parameter.

    analysis/sweep_plot.py RESULT_DIR [--out DIR] [--format png,svg]

writes
  sweep_odds                  (one parameter) the odds of each outcome against it, with 95% bands;
  sweep_odds_<parameter>      (several) one figure per parameter. On a grid, each value's odds are
                              pooled over the other parameters' values (a main-effect plot, with the
                              Wilson interval of the pooled runs); for a Latin hypercube sample, each
                              point is drawn with its own interval;
  sweep_heatmap               (two parameters) the escalation odds over the two parameters.
From Python: plot_sweep_odds(sweep, parameter), plot_sweep_heatmap(sweep, outcome="escalation").
"""
from __future__ import annotations

import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

import brink_plotting as bp
import brink_results as br


def _runs_note(sweep: br.SweepResult) -> str:
    runs = sweep.table["runs"]
    n = int(runs.iloc[0]) if runs.nunique() == 1 else None
    per = f"{n:,} runs per point" if n is not None else f"{int(runs.min()):,}–{int(runs.max()):,} runs per point"
    return f"{len(sweep.table)} points, {per}"


def pooled_odds(sweep: br.SweepResult, parameter: str) -> pd.DataFrame:
    """Per value of `parameter`: the odds of each outcome over all runs at points with that value
    (pooled over the other parameters), with Wilson 95% intervals. Columns: value, runs, points,
    p_<k>, p_<k>_low, p_<k>_high."""
    t = sweep.table.copy()
    for o in br.OUTCOMES:
        t[f"n_{o}"] = np.rint(t[f"p_{o}"] * t["runs"])
    g = t.groupby(parameter, sort=True)
    runs = g["runs"].sum()
    out = pd.DataFrame({"value": runs.index.to_numpy(), "runs": runs.to_numpy()})
    out["points"] = g.size().to_numpy()
    for o in br.OUTCOMES:
        p, lo, hi = br.wilson(g[f"n_{o}"].sum().to_numpy(), out["runs"].to_numpy())
        out[f"p_{o}"], out[f"p_{o}_low"], out[f"p_{o}_high"] = p, lo, hi
    if not sweep.is_numeric(parameter):  # keep the sweep's own order of categories
        order = list(dict.fromkeys(sweep.table[parameter]))
        out = out.set_index("value").loc[order].reset_index()
    return out


def plot_sweep_odds(sweep: br.SweepResult, parameter: str):
    numeric = sweep.is_numeric(parameter)
    others = [p for p in sweep.parameters if p != parameter and sweep.table[p].nunique() > 1]
    sampled = bool(others) and not sweep.is_grid()
    fig, ax = bp.new_figure()
    if sampled:
        t = sweep.table.sort_values(parameter)
        x = t[parameter].to_numpy() if numeric else np.arange(len(t))
        for o in br.OUTCOMES:
            p = 100 * t[f"p_{o}"]
            ax.errorbar(x, p, yerr=[p - 100 * t[f"p_{o}_low"], 100 * t[f"p_{o}_high"] - p], fmt=bp.OUTCOME_MARKERS[o],
                        color=bp.OUTCOME_COLORS[o], ms=6, elinewidth=1.2, capsize=2, alpha=0.85, label=bp.OUTCOME_LABELS[o])
        data = t
        how = "each point with its 95% interval (Wilson); the other parameters vary too (Latin hypercube)"
    elif numeric:
        data = pooled_odds(sweep, parameter) if others else sweep.table.sort_values(parameter).rename(columns={parameter: "value"})
        x = data["value"].to_numpy(dtype=float)
        for o in br.OUTCOMES:
            c = bp.OUTCOME_COLORS[o]
            ax.fill_between(x, 100 * data[f"p_{o}_low"], 100 * data[f"p_{o}_high"], color=c, alpha=0.22, lw=0)
            ax.plot(x, 100 * data[f"p_{o}"], color=c, ls=bp.OUTCOME_LINESTYLES[o], marker=bp.OUTCOME_MARKERS[o], ms=7,
                    lw=2.4, label=bp.OUTCOME_LABELS[o])
        how = ("bands: 95% interval (Wilson)" + (f"; each value pooled over the other parameters "
               f"({', '.join(others)})" if others else ""))
    else:  # categories, in the sweep's order: points with error bars, side by side
        data = pooled_odds(sweep, parameter) if others else sweep.table.rename(columns={parameter: "value"})
        x = np.arange(len(data))
        for k, o in enumerate(br.OUTCOMES):
            p = 100 * data[f"p_{o}"].to_numpy()
            ax.errorbar(x + (k - 1) * 0.12, p, yerr=[p - 100 * data[f"p_{o}_low"], 100 * data[f"p_{o}_high"] - p],
                        fmt=bp.OUTCOME_MARKERS[o], color=bp.OUTCOME_COLORS[o], ms=9, elinewidth=2, capsize=5,
                        label=bp.OUTCOME_LABELS[o])
        ax.set_xlim(-0.5, len(data) - 0.5)
        ax.grid(axis="x", visible=False)
        how = ("error bars: 95% interval (Wilson)" + (f"; each value pooled over the other parameters "
               f"({', '.join(others)})" if others else ""))
    if not numeric:
        labels = (data[parameter] if sampled else data["value"]).astype(str)
        ax.set_xticks(x, labels, rotation=30 if labels.str.len().max() > 8 else 0, ha="right" if labels.str.len().max() > 8 else "center")
    top = max(float(data[f"p_{o}_high"].max()) for o in br.OUTCOMES)
    ax.set_ylim(0, min(100, 100 * top * 1.08 + 1))
    bp.percent_axis(ax.yaxis)
    ax.set_ylabel("Probability by the horizon (%)")
    ax.set_xlabel(f"{parameter}")
    ax.set_title(f"Outcome odds against {parameter.split('.')[-1]} ({_runs_note(sweep)})")
    handles, _ = ax.get_legend_handles_labels()
    if numeric and not sampled:
        handles.append(Patch(color="#999999", alpha=0.4, lw=0, label="95% interval (Wilson)"))
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5))
    bp.caption(fig, f"Swept: {parameter}; {how}.")
    fig.data = data
    return fig


def _cell_text_color(rgba) -> str:
    r, g, b = rgba[:3]
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def plot_sweep_heatmap(sweep: br.SweepResult, outcome: str = "escalation"):
    if len(sweep.parameters) != 2:
        raise br.BrinkResultError(f"{sweep.path}: a heatmap needs exactly two swept parameters, not {len(sweep.parameters)}")
    py, px = sweep.parameters  # first parameter down the side, second (fastest in the grid) across
    t = sweep.table
    fig, ax = bp.new_figure()
    cmap = plt.get_cmap("viridis")
    label = f"P({bp.OUTCOME_LABELS[outcome].lower()}) (%)"
    if sweep.is_grid():
        grid = pooled_grid(sweep, outcome)
        values = 100 * grid.to_numpy(dtype=float)
        vmax = max(float(np.nanmax(values)), 1e-9)
        im = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_xticks(range(grid.shape[1]), [f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v) for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v) for v in grid.index])
        low, high = (100 * pooled_grid(sweep, outcome, bound).to_numpy(dtype=float) for bound in ("low", "high"))
        if grid.size <= 150:
            with_ci = grid.size <= 40
            for i in range(grid.shape[0]):
                for j in range(grid.shape[1]):
                    v = values[i, j]
                    if not np.isfinite(v):
                        continue
                    color = _cell_text_color(cmap(v / vmax))
                    ax.text(j, i + (0.08 if with_ci else 0), f"{v:.1f}%", ha="center", va="center", fontsize=14,
                            fontweight="bold", color=color)
                    if with_ci:
                        ax.text(j, i - 0.14, f"[{low[i, j]:.1f}, {high[i, j]:.1f}]", ha="center", va="center",
                                fontsize=12, color=color)
        ax.grid(False)
        fig.grid = grid
    else:
        values = 100 * t[f"p_{outcome}"].to_numpy(dtype=float)
        im = ax.scatter(t[px], t[py], c=values, cmap=cmap, vmin=0, s=160, edgecolor=bp.NEUTRAL, linewidth=0.8)
        if len(t) <= 40:
            for xv, yv, v in zip(t[px], t[py], values):
                ax.annotate(f"{v:.1f}%", (xv, yv), xytext=(9, 4), textcoords="offset points", fontsize=12)
        fig.grid = None
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(label)
    bp.percent_axis(cb.ax.yaxis)
    ax.set_xlabel(px)
    ax.set_ylabel(py)
    ax.set_title(f"{bp.OUTCOME_LABELS[outcome]} odds over two parameters ({_runs_note(sweep)})")
    bp.caption(fig, f"Colour: the probability of {bp.OUTCOME_LABELS[outcome].lower()} by the horizon at each point"
                    + ("" if sweep.is_grid() else " of the Latin hypercube sample") + ".")
    return fig


def pooled_grid(sweep: br.SweepResult, outcome: str, what: str = "estimate") -> pd.DataFrame:
    """The 2-D table of an outcome's odds (or of the "low" or "high" end of its Wilson interval):
    rows = first parameter, columns = second (runs pooled where a cell has several points)."""
    py, px = sweep.parameters
    t = sweep.table.assign(_n=lambda d: np.rint(d[f"p_{outcome}"] * d["runs"]))
    g = t.groupby([py, px], sort=True)[["_n", "runs"]].sum()
    p, lo, hi = br.wilson(g["_n"].to_numpy(), g["runs"].to_numpy())
    grid = pd.Series({"estimate": p, "low": lo, "high": hi}[what], index=g.index).unstack(px)
    for param, axis in ((py, 0), (px, 1)):
        if not sweep.is_numeric(param):
            order = list(dict.fromkeys(t[param]))
            grid = grid.reindex(order, axis=axis)
    return grid


def figures(sweep: br.SweepResult, args=None) -> dict:
    figs = {}
    if len(sweep.parameters) == 1:
        figs["sweep_odds"] = plot_sweep_odds(sweep, sweep.parameters[0])
    else:
        used = set()
        for p in sweep.parameters:
            name = "sweep_odds_" + bp.slug(p.split(".")[-1])
            if name in used:
                name = "sweep_odds_" + bp.slug(p)
            used.add(name)
            figs[name] = plot_sweep_odds(sweep, p)
    if len(sweep.parameters) == 2:
        figs["sweep_heatmap"] = plot_sweep_heatmap(sweep, "escalation")
    return figs


def main(argv=None) -> int:
    return bp.run_cli("Outcome odds against the swept parameters (and a heatmap for two).", figures, ("sweep",), argv)


if __name__ == "__main__":
    sys.exit(main())
