#!/usr/bin/python3
"""Figures of the history commands (docs/timelines.md).

    analysis/history_plot.py RESULT_DIR [--out DIR] [--format png,svg]

For a `brink run --given --as-of` folder (kind "given") and a `brink backtest` folder
(kind "backtest"):
  as_of_odds        the probability of each question forecast within the dates shown (else
                    the four that move most) against the as-of date, with its 95% band, and
                    the published forecasts as markers on the same axes (one marker per
                    forecaster, from a month before the first date); below, the ESS
                    (only when the folder has two or more as-of dates)
  reliability       (backtest) the mean probability against the share that resolved yes,
                    per bin of ten, one series per forecaster, with the diagonal
  scores            (backtest) mean Brier and log scores of each forecaster beside Brink's
                    on the same questions at the same dates
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd

import brink_plotting as bp
import brink_results as br

FORECASTER_MARKERS = ["o", "s", "D", "^", "v", "P", "X", "*"]
SERIES_COLORS = [bp.OKABE_ITO[c] for c in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue", "black")]


class HistoryResult:
    """A given or backtest folder: odds.csv, stages.csv, forecasts.csv (+ the backtest's files)."""

    def __init__(self, folder, kind: str):
        self.folder = Path(folder)
        self.kind = kind
        self.manifest = br.read_manifest(self.folder) or {}
        self.odds = br.read_table(self.folder / "odds.csv",
                                  {"as_of": "str", "tick": "int", "particles": "int", "ess": "float", "kind": "str",
                                   "name": "str", "probability": "float", "low": "float", "high": "float"})
        self.odds["as_of"] = self._dates(self.odds, "as_of", "odds.csv")
        self.forecasts = br.read_table(self.folder / "forecasts.csv",
                                       {"question": "str", "who": "str", "date": "str", "probability": "float",
                                        "resolution": "bool", "source": "str"})
        self.forecasts["date"] = self._dates(self.forecasts, "date", "forecasts.csv")
        if kind == "backtest":
            self.scores = br.read_table(self.folder / "scores.csv",
                                        {"who": "str", "count": "int", "brier": "float", "log": "float",
                                         "brink_brier": "float", "brink_log": "float"})
            self.reliability = br.read_table(self.folder / "reliability.csv",
                                             {"who": "str", "bin_low": "float", "bin_high": "float", "count": "int",
                                              "mean_probability": "float?", "frequency": "float?"})
            self.backtest = br.read_table(self.folder / "backtest.csv",
                                          {"question": "str", "who": "str", "date": "str", "probability": "float",
                                           "low": "float", "high": "float", "resolution": "bool", "brier": "float",
                                           "log": "float"})

    def _dates(self, df: pd.DataFrame, column: str, name: str) -> pd.Series:
        parsed = pd.to_datetime(df[column], format="%Y-%m-%d", errors="coerce")
        bad = parsed.isna() & df[column].notna()
        if bad.any():
            row = int(bad.idxmax()) + 2
            raise br.BrinkResultError(f"{self.folder / name}: column {column!r}, row {row}: expected a date YYYY-MM-DD, "
                                      f"found {df[column][bad].iloc[0]!r}")
        return parsed

    @property
    def scenario(self) -> str:
        return self.manifest.get("scenario", {}).get("name", self.folder.name)

    @property
    def dates(self) -> list:
        return sorted(self.odds["as_of"].unique())


def load_history(folder) -> HistoryResult:
    manifest = br.read_manifest(folder)
    kind = (manifest or {}).get("kind")
    if kind not in ("given", "backtest"):
        raise br.BrinkResultError(f"{folder} is not a `brink run --given` or `brink backtest` folder "
                                  f"(its manifest.json has kind {kind!r})")
    return HistoryResult(folder, kind)


def plot_as_of(h: HistoryResult):
    """Questions' probabilities against the as-of date, the forecasts on the same axes, the ESS below."""
    questions = h.odds[h.odds["kind"] == "question"]
    fig, (ax, ess_ax) = bp.new_figure(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    first, last = min(h.dates), max(h.dates)
    window = h.forecasts[(h.forecasts["date"] >= first - pd.Timedelta(days=31)) & (h.forecasts["date"] <= last)]
    # The questions forecast within the dates shown; else the four that move the most.
    shown = [q for q in questions["name"].unique() if q in set(window["question"])]
    if not shown:
        spread = questions.groupby("name", sort=False)["probability"].agg(lambda p: p.max() - p.min())
        shown = list(spread.sort_values(ascending=False).index[:4])
    for i, q in enumerate(shown):
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        rows = questions[questions["name"] == q].sort_values("as_of")
        ax.plot(rows["as_of"], 100 * rows["probability"], color=color, marker=".", label=f"Brink: {br.pretty_name(q)}")
        ax.fill_between(rows["as_of"], 100 * rows["low"], 100 * rows["high"], color=color, alpha=0.18, linewidth=0)
        for j, (who, group) in enumerate(window[window["question"] == q].groupby("who", sort=False)):
            ax.scatter(group["date"], 100 * group["probability"], color=color, edgecolor=bp.NEUTRAL, s=90, zorder=3,
                       marker=FORECASTER_MARKERS[j % len(FORECASTER_MARKERS)], label=f"{who}")
    ax.set_ylabel("Probability (%)")
    ax.set_ylim(0, 100)
    bp.percent_axis(ax.yaxis)
    ax.set_title(f"Odds as events unfold: {h.scenario}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=12)
    ess = h.odds.drop_duplicates("as_of").sort_values("as_of")
    ess_ax.plot(ess["as_of"], ess["ess"], color=bp.NEUTRAL, marker="o", label="ESS")
    ess_ax.plot(ess["as_of"], ess["particles"], color=bp.NEUTRAL, linestyle=":", label="runs")
    ess_ax.set_ylabel("Runs")
    ess_ax.set_ylim(0, float(ess["particles"].max()) * 1.1)
    ess_ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ess_ax.set_xlabel("As of (date)")
    locator = mdates.AutoDateLocator(maxticks=8)
    ess_ax.xaxis.set_major_locator(locator)
    ess_ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    bp.caption(fig, "Lines: Brink's probability conditioned on every observation decided by the date, with its 95% "
                    "interval at the smallest stage ESS. Markers: published forecasts of the same question. "
                    "Below: the effective sample size (survivors of the conditioning) and the run count.")
    fig.questions = shown  # for tests
    return fig


def plot_reliability(h: HistoryResult):
    fig, ax = bp.new_figure()
    ax.plot([0, 100], [0, 100], color="#999999", linestyle="--", label="Perfectly calibrated")
    total = 0
    for i, (who, group) in enumerate(h.reliability.groupby("who", sort=False)):
        used = group[group["count"] > 0]
        total = max(total, int(used["count"].sum()))
        ax.plot(100 * used["mean_probability"], 100 * used["frequency"], color=SERIES_COLORS[i % len(SERIES_COLORS)],
                marker=FORECASTER_MARKERS[i % len(FORECASTER_MARKERS)], markersize=9, label=f"{who} ({int(used['count'].sum())})")
        for row in used.itertuples():
            ax.annotate(str(row.count), (100 * row.mean_probability, 100 * row.frequency), textcoords="offset points",
                        xytext=(6, 6), fontsize=12)
    ax.set_xlim(0, 100)
    ax.set_ylim(-2, 102)
    ax.set_xlabel("Forecast probability, mean of the bin (%)")
    ax.set_ylabel("Resolved yes (%)")
    bp.percent_axis(ax.xaxis)
    bp.percent_axis(ax.yaxis)
    ax.set_title(f"Reliability: {h.scenario}")
    ax.legend(loc="upper left")
    if total < 30:
        bp.caption(fig, f"Only {total} forecasts per forecaster at most: a bin of one or two questions says little; "
                        "read this with the scores, not alone.")
    return fig


def plot_scores(h: HistoryResult):
    fig, axes = bp.new_figure(1, 2)
    rows = h.scores
    y = list(range(len(rows)))
    for ax, metric, label in ((axes[0], "brier", "Mean Brier score"), (axes[1], "log", "Mean log score")):
        ax.barh([v + 0.2 for v in y], rows[metric], height=0.38, color=bp.OKABE_ITO["orange"], label="Forecaster")
        ax.barh([v - 0.2 for v in y], rows[f"brink_{metric}"], height=0.38, color=bp.OKABE_ITO["blue"],
                label="Brink, same questions and dates")
        ax.set_yticks(y, [f"{w} ({c})" for w, c in zip(rows["who"], rows["count"])])
        ax.invert_yaxis()
        ax.set_xlabel(f"{label} (lower is better)")
    axes[0].legend(loc="lower right")
    fig.suptitle(f"Back-test scores: {h.scenario}")
    return fig


def figures(h: HistoryResult, args=None) -> dict:
    figs = {}
    if len(h.dates) >= 2:
        figs["as_of_odds"] = plot_as_of(h)
    if h.kind == "backtest":
        figs["reliability"] = plot_reliability(h)
        figs["scores"] = plot_scores(h)
    return figs


def main(argv=None) -> int:
    return bp.run_cli("Figures of a brink run --given or brink backtest folder.", figures, ("given", "backtest"), argv,
                      loader=load_history)


if __name__ == "__main__":
    sys.exit(main())
