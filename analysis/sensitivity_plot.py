#!/usr/bin/python3
"""Figures of a sensitivity folder (sensitivity.csv).

    analysis/sensitivity_plot.py RESULT_DIR [--out DIR] [--format png,svg]

writes
  sensitivity_sobol   first-order (S1) and total (ST) Sobol indices of each parameter with their
                      95% bootstrap intervals, largest ST on top;
  sensitivity_morris  Morris screening: mu* (mean absolute elementary effect) against sigma
                      (its spread), one labelled point per parameter.
Each is written only if the folder holds that method. From Python: plot_sobol(s), plot_morris(s).
"""
from __future__ import annotations

import sys

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

import brink_plotting as bp
import brink_results as br

S1_COLOR = bp.OKABE_ITO["reddish_purple"]
ST_COLOR = bp.OKABE_ITO["sky_blue"]
MORRIS_COLOR = bp.OKABE_ITO["bluish_green"]


def _target(s: br.SensitivityResult) -> str:
    return f"P({bp.OUTCOME_LABELS[s.outcome].lower()})"


def _param_label(path: str, width: int = 40) -> str:
    """Wraps a parameter path at its dots into lines of at most about `width` characters."""
    lines, line = [], ""
    for part in path.split("."):
        piece = part if not line else "." + part
        if line and len(line) + len(piece) > width:
            lines.append(line)
            line = "." + part
        else:
            line += piece
    lines.append(line)
    return "\n".join(lines)


def _ranges(s: br.SensitivityResult) -> dict:
    r = s.table.drop_duplicates("parameter").set_index("parameter")
    return {p: (r.loc[p, "low"], r.loc[p, "high"]) for p in r.index}


def plot_sobol(s: br.SensitivityResult):
    w = s.wide("sobol")
    if w.empty:
        raise br.BrinkResultError(f"{s.path}/sensitivity.csv has no Sobol rows")
    order = w.sort_values("ST" if "ST" in w else "S1", ascending=True).index  # largest on top
    w = w.loc[order]
    ranges = _ranges(s)
    y = np.arange(len(w))
    h = 0.38
    fig, ax = bp.new_figure()
    for idx, offset, color, label in (("ST", +h / 2, ST_COLOR, "Total effect ST"), ("S1", -h / 2, S1_COLOR, "First order S1")):
        if idx not in w:
            continue
        v = w[idx].to_numpy(dtype=float)
        lo = w[idx + "_low"].to_numpy(dtype=float)
        hi = w[idx + "_high"].to_numpy(dtype=float)
        lo, hi = np.where(np.isnan(lo), v, lo), np.where(np.isnan(hi), v, hi)
        ax.barh(y + offset, v, height=h * 0.92, color=color, label=label, edgecolor="white")
        ax.errorbar(v, y + offset, xerr=[np.maximum(v - lo, 0), np.maximum(hi - v, 0)], fmt="none", ecolor=bp.NEUTRAL,
                    elinewidth=1.6, capsize=4)
    ax.axvline(0, color=bp.NEUTRAL, lw=1.2)
    ax.set_yticks(y, [f"{_param_label(p)}\n[{ranges[p][0]:g}, {ranges[p][1]:g}]" for p in w.index])
    lows = [w[c].min() for c in ("S1_low", "ST_low", "S1", "ST") if c in w]
    highs = [w[c].max() for c in ("S1_high", "ST_high", "S1", "ST") if c in w]
    ax.set_xlim(min(0.0, float(np.nanmin(lows)) * 1.1), max(0.05, float(np.nanmax(highs)) * 1.08))
    ax.set_xlabel(f"Sobol index (share of the variance of {_target(s)})")
    ax.set_ylabel("Parameter [range]")
    ax.grid(axis="y", visible=False)
    ax.set_title(f"Global sensitivity of {_target(s)}: Sobol indices" + (f" ({s.manifest['scenario']})" if s.manifest.get("scenario") else ""))
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color=bp.NEUTRAL, marker="|", ms=12, lw=1.6))
    labels.append("95% interval (bootstrap)")
    ax.legend(handles, labels, loc="lower right")
    n = s.manifest.get("sobol_base_samples")
    bp.caption(fig, "S1: share of the variance due to the parameter alone; ST: including its interactions. "
                    "ST well above S1 means strong interactions." + (f" Saltelli design, N = {n}." if n else ""))
    fig.sobol = w
    return fig


CANDIDATES = ((10, 7, "left", "bottom"), (10, -7, "left", "top"), (-10, 7, "right", "bottom"),
              (-10, -7, "right", "top"), (0, 12, "center", "bottom"), (0, -12, "center", "top"),
              (10, 20, "left", "bottom"), (-10, 20, "right", "bottom"), (10, -20, "left", "top"),
              (-10, -20, "right", "top"), (10, 34, "left", "bottom"), (-10, 34, "right", "bottom"))


def place_labels(fig, ax, xs, ys, labels):
    """Labels each point at the first nearby spot where the label stays inside the axes and does not
    overlap a label placed before (largest x first)."""
    fig.canvas.draw()  # runs the layout, so extents are where they will be
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    radius = 17  # pixels: a marker (s=140 points^2 at 150 dpi) plus the label box padding
    centres = ax.transData.transform(np.column_stack([xs, ys]))
    taken = [Bbox.from_extents(cx - radius, cy - radius, cx + radius, cy + radius) for cx, cy in centres]
    for i in np.argsort(-np.asarray(xs)):
        best = None
        for dx, dy, ha, va in CANDIDATES:
            a = ax.annotate(labels[i], (xs[i], ys[i]), xytext=(dx, dy), textcoords="offset points", fontsize=12,
                            ha=ha, va=va, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
            box = a.get_window_extent(renderer)
            fits = (box.x0 >= inside.x0 and box.x1 <= inside.x1 and box.y0 >= inside.y0 and box.y1 <= inside.y1
                    and not any(box.overlaps(t) for t in taken))
            if fits or best is None:
                if best is not None:
                    best[0].remove()
                best = (a, box)
                if fits:
                    break
            else:
                a.remove()
        taken.append(best[1])


def plot_morris(s: br.SensitivityResult):
    w = s.wide("morris")
    if w.empty:
        raise br.BrinkResultError(f"{s.path}/sensitivity.csv has no Morris rows")
    fig, ax = bp.new_figure()
    mu = w["mu_star"].to_numpy(dtype=float)
    sigma = w["sigma"].to_numpy(dtype=float)
    ax.scatter(mu, sigma, s=140, color=MORRIS_COLOR, edgecolor=bp.NEUTRAL, linewidth=1.2, zorder=4, label="Parameter")
    top = max(float(np.nanmax(mu)), float(np.nanmax(sigma)), 1e-6) * 1.15
    xmax, ymax = top * 1.2, top
    line = np.array([0, xmax])
    ax.plot(line, line, color=bp.NEUTRAL, ls="--", lw=1.4, label="σ = μ* (effect varies as much as its size)")
    ax.plot(line, 0.1 * line, color=bp.NEUTRAL, ls=":", lw=1.4, label="σ = 0.1 μ* (nearly linear, additive)")
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    labels = [w.index[i].split(".")[-1] if len(w) > 8 else w.index[i] for i in range(len(w))]
    place_labels(fig, ax, mu, sigma, labels)
    ax.set_xlabel(f"μ*: mean |elementary effect| (change in {_target(s)} over the parameter's range)")
    ax.set_ylabel("σ: spread of the elementary effects")
    ax.set_title(f"Morris screening of {_target(s)}" + (f" ({s.manifest['scenario']})" if s.manifest.get("scenario") else ""))
    ax.legend(loc="upper left")
    r = s.manifest.get("morris_trajectories")
    bp.caption(fig, "Right: influential parameters; up: non-linear or interacting ones."
                    + (f" {r} trajectories." if r else ""))
    fig.morris = w
    return fig


def figures(s: br.SensitivityResult, args=None) -> dict:
    figs = {}
    methods = set(s.table["method"])
    if "sobol" in methods:
        figs["sensitivity_sobol"] = plot_sobol(s)
    if "morris" in methods:
        figs["sensitivity_morris"] = plot_morris(s)
    return figs


def main(argv=None) -> int:
    return bp.run_cli("Sobol indices and Morris screening of a sensitivity analysis.", figures, ("sensitivity",), argv)


if __name__ == "__main__":
    sys.exit(main())
