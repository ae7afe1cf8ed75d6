#!/usr/bin/python3
"""Draw every figure for a Brink result folder of any kind.

    analysis/plot.py RESULT_DIR [--out DIR] [--format png,svg] [--variables a,b,c] [--questions a,b] [--outcomes a,b]

The kind comes from manifest.json ("kind"), or from the CSV files the folder holds:
  run          outcome_odds, rung_fan, rung_shares, cumulative_incidence, time_to_outcome,
               max_rung, state_variables
  sweep        sweep_odds (one parameter) or sweep_odds_<parameter> (each), sweep_heatmap (two)
  compare      compare
  sensitivity  sensitivity_sobol, sensitivity_morris
  given        as_of_odds (brink run --given; history_plot.py)
  backtest     as_of_odds, reliability, scores (brink backtest; history_plot.py)
  calibration  marginals, pairs, convergence (brink calibrate; calibration_plot.py)
  branch       as a run folder (brink branch; the ticks before the branch's are empty)
Figures go to RESULT_DIR/figures/ unless --out; their paths are printed one per line.
Exit code 0, or 2 with a message for a folder that is not a Brink result.
"""
from __future__ import annotations

import sys

import brink_plotting as bp
import brink_results as br
import calibration_plot
import compare_plot
import fan_chart
import history_plot
import incidence
import max_rung
import outcome_odds
import sensitivity_plot
import sweep_plot
import time_to_outcome


def run_figures(run: br.RunResult, args=None) -> dict:
    figs = {}
    figs.update(outcome_odds.figures(run, args))
    figs.update(fan_chart.figures(run, args))
    figs.update(incidence.figures(run, args))
    if run.has("runs.csv"):
        figs.update(time_to_outcome.figures(run, args))
    figs.update(max_rung.figures(run, args))
    return figs


def figures(result, args=None) -> dict:
    """{name: Figure} for a loaded result of any kind."""
    return {"run": run_figures, "sweep": sweep_plot.figures, "compare": compare_plot.figures,
            "sensitivity": sensitivity_plot.figures, "given": history_plot.figures,
            "backtest": history_plot.figures, "calibration": calibration_plot.figures}[result.kind](result, args)


def add_args(parser):
    fan_chart.add_variables_arg(parser)
    history_plot.add_selection_args(parser)


def main(argv=None) -> int:
    return bp.run_cli("Draw the figures of a Brink result folder (run, sweep, compare, sensitivity, given, backtest, calibration).",
                      figures, br.KINDS, argv, extra_args=add_args)


if __name__ == "__main__":
    sys.exit(main())
