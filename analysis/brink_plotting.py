"""Shared look of Brink's figures, saving, time axes and the command-line wrapper.

Every figure is 1600 x 900 px at 150 dpi (a 16:9 slide), fonts of 12 pt or more,
and the Okabe-Ito colour-blind-safe palette with one fixed colour (and line
style) per outcome, so that escalation looks the same in every figure.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.dates as mdates  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

import brink_results as br  # noqa: E402

# Okabe & Ito (2008), "Color universal design".
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
OUTCOME_COLORS = {"escalation": OKABE_ITO["vermillion"], "deescalation": OKABE_ITO["blue"],
                  "frozen_conflict": "#7F7F7F", "ongoing_war": OKABE_ITO["orange"]}
OUTCOME_LINESTYLES = {"escalation": "-", "deescalation": "--", "frozen_conflict": ":", "ongoing_war": "-."}
OUTCOME_MARKERS = {"escalation": "o", "deescalation": "s", "frozen_conflict": "D", "ongoing_war": "^"}
OUTCOME_HATCHES = {"escalation": "", "deescalation": "", "frozen_conflict": "", "ongoing_war": ""}
OUTCOME_LABELS = br.OUTCOME_LABELS
ACCENT = OKABE_ITO["reddish_purple"]   # things that are not outcomes: rung fans, Sobol S1
ACCENT2 = OKABE_ITO["sky_blue"]        # Sobol ST, state variables
NEUTRAL = "#333333"

WIDTH_PX, HEIGHT_PX, DPI = 1600, 900, 150
FIGSIZE = (WIDTH_PX / DPI, HEIGHT_PX / DPI)
DEFAULT_FORMATS = ("png", "svg")

STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.title_fontsize": 12,
    "figure.titlesize": 17,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "lines.linewidth": 2.2,
    "legend.frameon": False,
    "svg.hashsalt": "brink",  # stable SVG ids: the same data gives the same file
    "figure.constrained_layout.use": True,
}
MIN_FONT_PT = 12


def apply_style():
    plt.rcParams.update(STYLE)


def new_figure(nrows=1, ncols=1, **kwargs):
    apply_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=FIGSIZE, dpi=DPI, **kwargs)
    return fig, axes


def percent_axis(axis, decimals=0):
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.{decimals}f}%"))


def fmt_pct(p: float) -> str:
    """0.0478 -> '4.8%'; small values keep two decimals."""
    v = 100 * p
    if v != 0 and abs(v) < 1:
        return f"{v:.2f}%"
    return f"{v:.1f}%"


def time_unit(tick_days: float) -> tuple[float, str]:
    """(factor, unit): time = tick * factor in `unit` (weeks for weekly ticks, else days)."""
    if abs(tick_days - 7) < 1e-9:
        return 1.0, "weeks"
    if abs(tick_days - 1) < 1e-9:
        return 1.0, "days"
    if abs(tick_days - 30) < 1e-9 or abs(tick_days - 30.4375) < 1e-3:
        return 1.0, "months"
    return float(tick_days), "days"


def time_label(tick_days: float) -> str:
    return f"Time since start ({time_unit(tick_days)[1]})"


def add_months_axis(ax, tick_days: float, start_date=None):
    """A secondary x axis on top: calendar dates when the scenario has a start date
    (run.start_date), else months since the start, for tick axes in weeks or days."""
    if start_date is not None:
        return add_date_axis(ax, tick_days, start_date)
    factor, unit = time_unit(tick_days)
    days_per_unit = {"weeks": 7.0, "days": 1.0}.get(unit)
    if days_per_unit is None:
        return None
    per_month = 30.4375 / days_per_unit
    sec = ax.secondary_xaxis("top", functions=(lambda x: x / per_month, lambda m: m * per_month))
    sec.set_xlabel("Months since start")
    return sec


def add_date_axis(ax, tick_days: float, start_date, location="top"):
    """A secondary x axis on top with the calendar date of each time on the axis: tick t is
    start + t * tick_days (docs/timelines.md), and the axis is in time_unit(tick_days)."""
    factor, _ = time_unit(tick_days)
    days_per_unit = tick_days / factor
    origin = mdates.date2num(start_date)
    sec = ax.secondary_xaxis(location, functions=(lambda x: origin + x * days_per_unit, lambda d: (d - origin) / days_per_unit))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    sec.xaxis.set_major_locator(locator)
    sec.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    sec.set_xlabel("Date")
    return sec


def caption(fig, text: str, width: int = 120):
    """A footnote under the plot (12 pt), wrapped, with room kept for it by the layout."""
    text = "\n".join(textwrap.wrap(text, width))
    height = 0.014 + 0.031 * (text.count("\n") + 1)
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, height, 1, 1 - height))
    fig.text(0.006, 0.008, text, ha="left", va="bottom", fontsize=MIN_FONT_PT, color="#444444")


def slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-") or "figure"


def save_figure(fig, out_dir, name: str, formats=DEFAULT_FORMATS) -> list[Path]:
    """Writes OUT_DIR/NAME.FMT for each format, each atomically: a reader never sees half a file, and a
    failed save leaves the previous file as it was."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out_dir / f"{name}.{fmt}"
        metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None} if fmt == "svg" else None
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=out_dir)
        os.close(fd)
        try:
            fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(path)
    plt.close(fig)
    return written


def save_all(figures: dict, out_dir, formats=DEFAULT_FORMATS) -> list[Path]:
    written = []
    for name, fig in figures.items():
        written += save_figure(fig, out_dir, name, formats)
    return written


# ---------------------------------------------------------------- command line

def parse_formats(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower().lstrip(".") for f in text.split(",") if f.strip())
    allowed = {"png", "svg", "pdf"}
    bad = [f for f in formats if f not in allowed]
    if bad or not formats:
        raise argparse.ArgumentTypeError(f"formats are a comma-separated list of {', '.join(sorted(allowed))}")
    return formats


def argument_parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("result_dir", metavar="RESULT_DIR", help="a Brink result folder (the --out of a brink command)")
    p.add_argument("--out", metavar="DIR", help="where to write the figures (default: RESULT_DIR/figures)")
    p.add_argument("--format", dest="formats", type=parse_formats, default=DEFAULT_FORMATS, metavar="png,svg",
                   help="image formats, comma-separated (png, svg, pdf; default png,svg)")
    return p


def run_cli(description: str, make_figures, kinds: tuple[str, ...], argv=None, extra_args=None, loader=None) -> int:
    """Loads RESULT_DIR (with `loader`, default brink_results.load), checks its kind, calls
    make_figures(result, args) -> {name: Figure}, saves them.

    Returns the exit code: 0, or 2 with a message on stderr for a folder that is not a
    suitable Brink result.
    """
    parser = argument_parser(description)
    if extra_args:
        extra_args(parser)
    args = parser.parse_args(argv)
    prog = Path(sys.argv[0]).name if argv is None else parser.prog
    try:
        result = (loader or br.load)(args.result_dir)
        if result.kind not in kinds:
            raise br.BrinkResultError(f"{args.result_dir} is a Brink {result.kind} folder; "
                                      f"{prog} draws {' or '.join(kinds)} folders (analysis/plot.py draws any kind)")
        figures = make_figures(result, args)
        out_dir = Path(args.out) if args.out else Path(args.result_dir) / "figures"
        written = save_all(figures, out_dir, args.formats)
    except br.BrinkResultError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return br.EXIT_NOT_A_RESULT
    for path in written:
        print(path)
    return 0
