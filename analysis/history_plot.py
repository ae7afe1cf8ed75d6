#!/usr/bin/python3
"""Figures of the history commands (docs/timelines.md).

    analysis/history_plot.py RESULT_DIR [--out DIR] [--format png,svg] [--questions a,b] [--outcomes a,b]

For a `brink run --given --as-of` folder (kind "given") and a `brink backtest` folder
(kind "backtest"):
  as_of_odds   Brink's probability of each question (default: those with published
               forecasts, else the six that move most; --questions to choose) against the
               as-of date with its 95% band, optionally outcomes (--outcomes), the published
               forecasts of forecasts.csv as markers on the same axes (one marker shape per
               forecaster, the question's colour), each question's resolution in the legend,
               the dates observations were conditioned on; below, the ESS and the run count
               at each date with the ESS floor
  reliability  (backtest) per forecaster, Brink first, the mean probability of each bin
               against the share that resolved yes, with the counts and the diagonal; a
               warning on the figure when there are few questions
  scores       (backtest) mean Brier and log scores of each forecaster beside Brink's on the
               same questions at the same dates, with the coin-flip scores for reference
From Python: load_history(dir) -> HistoryResult; plot_as_of(h), plot_reliability(h), plot_scores(h).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import brink_plotting as bp
import brink_results as br

BRINK = "Brink"
BRINK_COLOR = bp.OKABE_ITO["blue"]
BRINK_MARKER = "o"
# One shape per forecaster, in the order they first appear in forecasts.csv ("o" is Brink's).
FORECASTER_MARKERS = ["s", "D", "^", "v", "P", "X", "*", "h", "<", ">"]
FORECASTER_COLORS = [bp.OKABE_ITO[c] for c in ("vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue",
                                                 "black", "yellow")]
# Questions first take the colours no outcome has (outcomes may share the axes, in their own colours).
QUESTION_COLORS = [bp.OKABE_ITO[c] for c in ("reddish_purple", "bluish_green", "sky_blue", "black", "blue", "vermillion",
                                               "orange")]
DEFAULT_QUESTIONS = 6          # questions drawn when none has published forecasts
FORECASTS_BEFORE_DAYS = 62     # forecasts up to two months before the first as-of date are drawn
FEW_QUESTIONS = 10             # fewer questions than this: the reliability figure says so
COIN_FLIP = {"brier": 0.25, "log": math.log(2)}  # the scores of always saying 50%

ODDS_KINDS = ("outcome", "question", "rung_reached", "observations")
ODDS_COLUMNS = {"as_of": "str", "tick": "int", "particles": "int", "ess": "float", "kind": "str", "name": "str",
                "probability": "float", "low": "float", "high": "float"}
STAGES_COLUMNS = {"as_of": "str", "stage": "int", "tick": "int", "date": "str", "observations": "str?", "attempts": "int",
                  "rounds": "int", "survivors": "int", "acceptance": "float", "ess": "float"}
FORECASTS_COLUMNS = {"question": "str", "who": "str", "date": "str", "probability": "float", "resolution": "bool",
                     "source": "str?"}
BACKTEST_COLUMNS = {"question": "str", "who": "str", "date": "str", "probability": "float", "low": "float", "high": "float",
                    "resolution": "bool", "brier": "float", "log": "float", "brink_probability": "float?"}
SCORES_COLUMNS = {"who": "str", "count": "int", "brier": "float", "log": "float", "brink_brier": "float", "brink_log": "float"}
RELIABILITY_COLUMNS = {"who": "str", "bin_low": "float", "bin_high": "float", "count": "int", "mean_probability": "float?",
                       "frequency": "float?"}


# ---------------------------------------------------------------- loading, with located errors

def _row_fail(path: Path, column: str, rows: pd.Series, message: str):
    """Fails naming the first data row where `rows` is true."""
    row = int(np.flatnonzero(rows.to_numpy())[0])
    raise br.BrinkResultError(f"{path}: column {column}, data row {row + 1}: {message}")


def _dates(path: Path, df: pd.DataFrame, column: str) -> pd.Series:
    parsed = pd.to_datetime(df[column], format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna() & df[column].notna()
    if bad.any():
        _row_fail(path, column, bad, f"expected a date YYYY-MM-DD, found {df[column][bad].iloc[0]!r}")
    return parsed


def _probabilities(path: Path, df: pd.DataFrame, column: str, interval=None, where=None):
    """Checks 0 <= column <= 1 and, with interval=(low, high), low <= column <= high."""
    where = pd.Series(True, index=df.index) if where is None else where
    p = df[column]
    bad = where & p.notna() & ((p < -1e-9) | (p > 1 + 1e-9))
    if bad.any():
        _row_fail(path, column, bad, f"a probability must lie in [0, 1], found {p[bad].iloc[0]!r}")
    if interval:
        lo, hi = df[interval[0]], df[interval[1]]
        bad = where & ((lo > p + 1e-9) | (hi < p - 1e-9))
        if bad.any():
            _row_fail(path, column, bad, f"{p[bad].iloc[0]!r} lies outside its interval "
                                          f"[{lo[bad].iloc[0]!r}, {hi[bad].iloc[0]!r}] ({interval[0]}, {interval[1]})")


def _read(folder: Path, name: str, columns: dict) -> pd.DataFrame:
    return br.read_table(folder / name, columns)


class HistoryResult(br.FolderFiles):
    """A given or backtest folder: odds.csv, stages.csv, forecasts.csv, and a back-test's
    backtest.csv, scores.csv and reliability.csv. Checked when loaded (load_history)."""

    def __init__(self, folder, kind: str, manifest: dict):
        self.path = self.folder = Path(folder)
        self.kind = kind
        self.manifest = manifest
        self.odds = self._load_odds()
        self.stages = self._load_stages()
        self.forecasts = self._load_forecasts()
        if kind == "backtest":
            self.backtest = self._load_backtest()
            self.scores = _read(self.folder, "scores.csv", SCORES_COLUMNS)
            self.reliability = self._load_reliability()

    def _load_odds(self) -> pd.DataFrame:
        path = self.folder / "odds.csv"
        odds = _read(self.folder, "odds.csv", ODDS_COLUMNS)
        if odds.empty:
            raise br.BrinkResultError(f"{path}: has no rows (no as-of date)")
        bad = ~odds["kind"].isin(ODDS_KINDS)
        if bad.any():
            _row_fail(path, "kind", bad, f"expected one of {', '.join(ODDS_KINDS)}, found {odds['kind'][bad].iloc[0]!r}")
        odds["as_of"] = _dates(path, odds, "as_of")
        # The observations row's low and high repeat its estimate (no interval is computed).
        _probabilities(path, odds, "probability", ("low", "high"), where=odds["kind"] != "observations")
        _probabilities(path, odds, "probability")
        return odds

    def _load_stages(self) -> pd.DataFrame:
        path = self.folder / "stages.csv"
        stages = _read(self.folder, "stages.csv", STAGES_COLUMNS)
        stages["as_of"] = _dates(path, stages, "as_of")
        stages["date"] = _dates(path, stages, "date")
        stages["observations"] = stages["observations"].fillna("")
        return stages

    def _load_forecasts(self) -> pd.DataFrame:
        path = self.folder / "forecasts.csv"
        f = _read(self.folder, "forecasts.csv", FORECASTS_COLUMNS)
        f["date"] = _dates(path, f, "date")
        _probabilities(path, f, "probability")
        known = set(self.odds.loc[self.odds["kind"] == "question", "name"])
        bad = ~f["question"].isin(known)
        if bad.any():
            _row_fail(path, "question", bad, f"question {f['question'][bad].iloc[0]!r} has no row in odds.csv "
                                             f"(odds.csv has {', '.join(sorted(known)) or 'no questions'})")
        return f

    def _load_backtest(self) -> pd.DataFrame:
        path = self.folder / "backtest.csv"
        b = _read(self.folder, "backtest.csv", BACKTEST_COLUMNS)
        if b.empty:
            raise br.BrinkResultError(f"{path}: has no rows (nothing was scored)")
        b["date"] = _dates(path, b, "date")
        _probabilities(path, b, "probability", ("low", "high"))
        _probabilities(path, b, "brink_probability")
        return b

    def _load_reliability(self) -> pd.DataFrame:
        path = self.folder / "reliability.csv"
        r = _read(self.folder, "reliability.csv", RELIABILITY_COLUMNS)
        for column in ("bin_low", "bin_high", "mean_probability", "frequency"):
            _probabilities(path, r, column)
        bad = (r["count"] > 0) & (r["mean_probability"].isna() | r["frequency"].isna())
        if bad.any():
            _row_fail(path, "mean_probability", bad, "a bin with forecasts needs its mean probability and frequency")
        return r

    # -- facts
    @property
    def scenario(self) -> str:
        s = self.manifest.get("scenario")
        return str((s.get("name") if isinstance(s, dict) else s) or self.folder.name)

    @property
    def dates(self) -> list:
        return [pd.Timestamp(d) for d in sorted(self.odds["as_of"].unique())]

    @property
    def questions(self) -> list[str]:
        return list(dict.fromkeys(self.odds.loc[self.odds["kind"] == "question", "name"]))

    @property
    def forecasters(self) -> list[str]:
        """Published forecasters in the order they first appear (Brink is not one)."""
        names = list(self.forecasts["who"])
        if self.kind == "backtest":
            names += list(self.backtest["who"])
        return [w for w in dict.fromkeys(names) if w != BRINK]

    def style(self, who: str) -> tuple[str, str]:
        """(colour, marker) of a forecaster, the same in every figure; Brink is blue circles."""
        if who == BRINK:
            return BRINK_COLOR, BRINK_MARKER
        k = self.forecasters.index(who) if who in self.forecasters else len(self.forecasters)
        return FORECASTER_COLORS[k % len(FORECASTER_COLORS)], FORECASTER_MARKERS[k % len(FORECASTER_MARKERS)]

    def resolution(self, question: str):
        """True or False when the folder says how the question resolved, else None."""
        for df in (self.forecasts, getattr(self, "backtest", None)):
            if df is not None and (df["question"] == question).any():
                return bool(df.loc[df["question"] == question, "resolution"].iloc[0])
        return None

    @property
    def ess_floor(self) -> float | None:
        v = self.manifest.get("ess_floor")
        return float(v) if isinstance(v, (int, float)) and v > 0 else None

    def series(self, kind: str, name: str) -> pd.DataFrame:
        """One quantity (kind, name) of odds.csv by as-of date."""
        return self.odds[(self.odds["kind"] == kind) & (self.odds["name"] == name)].sort_values("as_of")

    def observed_on(self) -> pd.DataFrame:
        """Each conditioning stage once: date, observations (ids, '; ')."""
        s = self.stages.drop_duplicates(["date", "observations"]).sort_values("date")
        return s[["date", "tick", "observations"]].reset_index(drop=True)


def load_history(folder, kind: str | None = None) -> HistoryResult:
    """Loads and checks a given or backtest folder; BrinkResultError (file, column, row) if it is not one."""
    folder = Path(folder)
    kind = kind or br.detect_kind(folder)
    if kind not in br.HISTORY_KINDS:
        raise br.BrinkResultError(f"{folder} is a Brink {kind} folder, not a `brink run --given` or `brink backtest` folder "
                                  "(manifest.json's kind should be given or backtest)")
    return HistoryResult(folder, kind, br.read_manifest(folder) or {})


# ---------------------------------------------------------------- as-of odds

def _names(text) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()] if isinstance(text, str) else list(text or [])


def choose_questions(h: HistoryResult, names=None) -> list[str]:
    """The questions to draw: those named, else those with published forecasts, else the ones that move most."""
    if names:
        unknown = [n for n in names if n not in h.questions]
        if unknown:
            raise br.BrinkResultError(f"{h.folder}/odds.csv: no question {', '.join(unknown)}; "
                                      f"it has {', '.join(h.questions) or 'none'}")
        return list(names)
    forecast = [q for q in h.questions if q in set(h.forecasts["question"])]
    if forecast:
        return forecast
    q = h.odds[h.odds["kind"] == "question"]
    spread = q.groupby("name", sort=False)["probability"].agg(lambda p: p.max() - p.min())
    return list(spread.sort_values(ascending=False, kind="stable").index[:DEFAULT_QUESTIONS])


def _check_outcomes(h: HistoryResult, names) -> list[str]:
    unknown = [n for n in names if n not in br.OUTCOMES]
    if unknown:
        raise br.BrinkResultError(f"--outcomes: no outcome {', '.join(unknown)}; the outcomes are {', '.join(br.OUTCOMES)}")
    return list(names)


def _band(ax, rows: pd.DataFrame, color: str, single: bool):
    x, p, lo, hi = rows["as_of"], 100 * rows["probability"], 100 * rows["low"], 100 * rows["high"]
    if single:  # one date: a point with its interval
        ax.errorbar(x, p, yerr=[p - lo, hi - p], fmt="none", ecolor=color, elinewidth=2, capsize=8)
    else:
        ax.fill_between(x, lo, hi, color=color, alpha=0.18, linewidth=0)


def _date_axis(ax):
    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def plot_as_of(h: HistoryResult, questions=None, outcomes=()):
    """Brink's odds against the as-of date with the published forecasts on the same axes; the ESS below."""
    shown = choose_questions(h, questions)
    outcomes = _check_outcomes(h, outcomes)
    dates = h.dates
    first, last = dates[0], dates[-1]
    # One date, or a back-test's dates (those of the forecasts, far apart): points with intervals, not a line.
    single = len(dates) == 1 or h.kind == "backtest"
    fig, (ax, ess_ax) = bp.new_figure(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    line_handles = []
    for i, q in enumerate(shown):
        color = QUESTION_COLORS[i % len(QUESTION_COLORS)]
        rows = h.series("question", q)
        _band(ax, rows, color, single)
        resolved = h.resolution(q)
        label = br.pretty_name(q) + ("" if resolved is None else f" (resolved {'yes' if resolved else 'no'})")
        line, = ax.plot(rows["as_of"], 100 * rows["probability"], color=color, marker="o" if single else ".",
                        markersize=7 if single else 9, ls="none" if single else "-", label=label, zorder=3)
        line.brink = ("question", q)
        line_handles.append(line)
    for o in outcomes:
        rows = h.series("outcome", o)
        _band(ax, rows, bp.OUTCOME_COLORS[o], single)
        line, = ax.plot(rows["as_of"], 100 * rows["probability"], color=bp.OUTCOME_COLORS[o], ls=bp.OUTCOME_LINESTYLES[o],
                        marker=bp.OUTCOME_MARKERS[o], markersize=6, label=f"{bp.OUTCOME_LABELS[o]} by the horizon", zorder=3)
        line.brink = ("outcome", o)
        line_handles.append(line)

    # The published forecasts of the questions drawn: up to the last as-of date, from two months before the first.
    f = h.forecasts[h.forecasts["question"].isin(shown)]
    inside = (f["date"] >= first - pd.Timedelta(days=FORECASTS_BEFORE_DAYS)) & (f["date"] <= last)
    drawn, left_out = f[inside], f[~inside]
    for (q, who), group in drawn.groupby(["question", "who"], sort=False):
        color = QUESTION_COLORS[shown.index(q) % len(QUESTION_COLORS)]
        pts = ax.scatter(group["date"], 100 * group["probability"], marker=h.style(who)[1], s=110, color=color,
                         edgecolor=bp.NEUTRAL, linewidth=1.2, zorder=4)
        pts.brink = ("forecast", q, who)
    who_handles = [Line2D([], [], ls="none", marker=h.style(w)[1], markersize=10, color="#BBBBBB", markeredgecolor=bp.NEUTRAL,
                          label=f"{w} (published)") for w in dict.fromkeys(drawn["who"])]

    # When observations were conditioned on (a stage each).
    start = min([first] + list(drawn["date"]))
    gap = (last - start) * 0.05  # labels closer than this would overlap: the later one is left out
    labelled = None
    for s in h.observed_on().itertuples():
        if start <= s.date <= last:
            for a in (ax, ess_ax):
                a.axvline(s.date, color="#999999", lw=1.0, ls=":", zorder=1)
            if labelled is None or s.date - labelled > gap:
                ax.text(s.date, 99, " " + s.observations.replace(";", ", "), rotation=90, va="top", ha="right",
                        fontsize=bp.MIN_FONT_PT, color="#666666")
                labelled = s.date

    ax.set_ylabel("Probability (%)")
    ax.set_ylim(0, 100)
    bp.percent_axis(ax.yaxis)
    ax.set_title(f"Odds as events unfold: {h.scenario}, {len(dates)} as-of date{'s' if len(dates) != 1 else ''}")
    ax.legend(handles=line_handles + who_handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              title="Brink (95% interval) and forecasts")

    ess = h.odds.drop_duplicates("as_of").sort_values("as_of")
    ess_ax.plot(ess["as_of"], ess["ess"], color=bp.NEUTRAL, marker="o", label="ESS")
    ess_ax.plot(ess["as_of"], ess["particles"], color=bp.NEUTRAL, ls=":", marker=".", markersize=6, label="Runs")
    if h.ess_floor:
        ess_ax.axhline(h.ess_floor, color=bp.OKABE_ITO["vermillion"], ls="--", lw=1.4, label="ESS floor")
    ess_ax.set_ylabel("Runs")
    ess_ax.set_ylim(0, float(ess["particles"].max()) * 1.12)
    ess_ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ess_ax.set_xlabel("As of (date)")
    pad = pd.Timedelta(days=3)
    ax.set_xlim(start - pad, last + pad)
    _date_axis(ess_ax)
    note = ("Brink's probability given everything observed by the date (dotted: when each observation was "
            "decided), 95% interval at the smallest stage ESS. Markers: published forecasts, one shape per forecaster. "
            "Below: the effective sample size.")
    if len(left_out):
        note += f" Not drawn: {len(left_out)} forecast{'s' if len(left_out) != 1 else ''} outside the dates shown."
    bp.caption(fig, note)
    fig.questions = shown  # for tests: what was drawn
    fig.forecast_points = drawn.reset_index(drop=True)
    return fig


# ---------------------------------------------------------------- reliability and scores

def reliability_series(h: HistoryResult) -> dict[str, pd.DataFrame]:
    """who -> its non-empty bins, Brink first."""
    r = h.reliability
    order = [BRINK] + [w for w in dict.fromkeys(r["who"]) if w != BRINK]
    return {w: r[(r["who"] == w) & (r["count"] > 0)].reset_index(drop=True) for w in order if (r["who"] == w).any()}


def plot_reliability(h: HistoryResult):
    fig, ax = bp.new_figure()
    ax.plot([0, 100], [0, 100], color="#999999", ls="--", lw=1.6, label="Perfectly calibrated")
    series = reliability_series(h)
    biggest = max([int(s["count"].max()) for s in series.values() if len(s)] + [1])
    for who, used in series.items():
        color, marker = h.style(who)
        n = int(used["count"].sum())
        x, y = 100 * used["mean_probability"], 100 * used["frequency"]
        ax.plot(x, y, color=color, lw=1.4, alpha=0.7, zorder=2)
        ax.scatter(x, y, s=60 + 240 * used["count"] / biggest, color=color, marker=marker, edgecolor=bp.NEUTRAL, zorder=3,
                   label=f"{who} ({n} forecast{'s' if n != 1 else ''})")
        for xi, yi, c in zip(x, y, used["count"]):
            ax.annotate(f"n={int(c)}", (xi, yi), textcoords="offset points", xytext=(9, -16 if yi > 90 else 8),
                        fontsize=bp.MIN_FONT_PT, color=color)
    ax.set_xlim(0, 100)
    ax.set_ylim(-5, 108)
    ax.set_xlabel("Forecast probability, mean of the bin (%)")
    ax.set_ylabel("Resolved yes (%)")
    bp.percent_axis(ax.xaxis)
    bp.percent_axis(ax.yaxis)
    scored = h.backtest
    n_questions = scored["question"].nunique()
    ax.set_title(f"Reliability: {h.scenario} ({n_questions} question{'s' if n_questions != 1 else ''}, "
                 f"{len(scored)} scored forecasts)")
    ax.legend(loc="upper left", title="Bins of 10 points; marker area ∝ forecasts")
    if n_questions < FEW_QUESTIONS:
        ax.text(0.98, 0.04, f"Only {n_questions} question{'s' if n_questions != 1 else ''}: each point is one or a few "
                            "forecasts.\nRead this with the scores, not alone.",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=13, color="#8a3b00",
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "#fff7e0", "edgecolor": "#f0d68a"})
    bp.caption(fig, "Each forecaster's probabilities are binned by tenths (reliability.csv); a point is the bin's mean "
                    "probability against the share of its questions that resolved yes. On the diagonal: calibrated.")
    fig.series = series  # for tests
    fig.few_questions = n_questions < FEW_QUESTIONS
    return fig


def plot_scores(h: HistoryResult):
    """Per forecaster: its mean scores and Brink's on the same questions at the same dates (paired)."""
    fig, axes = bp.new_figure(1, 2, sharey=True)
    rows = h.scores.reset_index(drop=True)
    y = np.arange(len(rows))
    fig.bars = {}
    for ax, metric, label in ((axes[0], "brier", "Mean Brier score"), (axes[1], "log", "Mean log score")):
        top = 0.0
        for k, r in rows.iterrows():
            pairs = [(r["who"], r[metric], 0.0)] if r["who"] == BRINK else \
                    [(r["who"], r[metric], -0.2), (BRINK, r[f"brink_{metric}"], 0.2)]
            for who, value, dy in pairs:
                color = h.style(who)[0]
                height = 0.6 if r["who"] == BRINK else 0.38
                bar = ax.barh(k + dy, value, height=height, color=color, edgecolor="white",
                              hatch="//" if who == BRINK and r["who"] != BRINK else "")
                ax.text(value, k + dy, f" {value:.3f}", va="center", ha="left", fontsize=bp.MIN_FONT_PT)
                fig.bars[(r["who"], metric, who)] = float(bar.patches[0].get_width())
                top = max(top, value)
        ax.axvline(COIN_FLIP[metric], color="#999999", ls="--", lw=1.4)
        ax.text(COIN_FLIP[metric], len(rows) - 0.45, " always 50%", color="#666666", fontsize=bp.MIN_FONT_PT, va="bottom")
        ax.set_xlim(0, max(top, COIN_FLIP[metric]) * 1.25)
        ax.set_xlabel(f"{label} (lower is better)")
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, [f"{w}\n({int(c)} forecast{'s' if c != 1 else ''})" for w, c in zip(rows["who"], rows["count"])])
    axes[0].set_ylim(len(rows) - 0.3, -0.7)
    fig.suptitle(f"Back-test scores: {h.scenario}")
    handles = [Patch(facecolor="#BBBBBB", edgecolor="white", label="The forecaster (in its colour)"),
               Patch(facecolor=BRINK_COLOR, edgecolor="white", hatch="//", label="Brink on its questions, as of its dates"),
               Patch(facecolor=BRINK_COLOR, edgecolor="white", label="Brink on all the questions")]
    fig.get_layout_engine().set(rect=(0, 0.07, 1, 0.93))  # room for the legend under the panels
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=3)
    return fig


# ---------------------------------------------------------------- command line

def figures(h: HistoryResult, args=None) -> dict:
    figs = {"as_of_odds": plot_as_of(h, _names(getattr(args, "questions", None)), _names(getattr(args, "outcomes", None)))}
    if h.kind == "backtest":
        figs["reliability"] = plot_reliability(h)
        figs["scores"] = plot_scores(h)
    return figs


def add_selection_args(parser):
    parser.add_argument("--questions", metavar="a,b", help="given/backtest: the questions on the as-of figure "
                                                           "(default: those with published forecasts)")
    parser.add_argument("--outcomes", metavar="a,b", help="given/backtest: outcomes to add to the as-of figure "
                                                          f"({', '.join(br.OUTCOMES)})")


def main(argv=None) -> int:
    return bp.run_cli("Figures of a brink run --given or brink backtest folder.", figures, br.HISTORY_KINDS, argv,
                      extra_args=add_selection_args, loader=load_history)


if __name__ == "__main__":
    sys.exit(main())
