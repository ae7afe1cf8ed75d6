#!/usr/bin/env bash
# The example study of docs/research-workflow.md: sweep Putin's sovereignty weight, plot it,
# compare the baseline with a closed channel, and rank parameters by global sensitivity.
# Usage: docs/examples/research-study.sh [OUT_DIR]
# Runs `brink` from PATH (scripts/main-job puts it there), else build/sim/brink; BRINK=path
# picks another. scripts/guide-figures runs it and quotes its output in the guide.
set -euo pipefail
cd "$(dirname "$0")/../.."
B="${BRINK:-$(command -v brink || echo build/sim/brink)}"
OUT="${1:-results/study}"
mkdir -p "$OUT"
export MPLBACKEND=Agg

# 1. Escalation odds against Putin's weight on sovereignty (11 points, common random numbers).
"$B" sweep scenarios/baseline.yaml --vary leaders.putin.priorities.sovereignty=0:1:11 \
   --runs 4000 --out "$OUT/sweep-sovereignty" --quiet
/usr/bin/python3 analysis/plot.py "$OUT/sweep-sovereignty"

# 2. Does closing the communication channel matter? A paired comparison.
"$B" compare scenarios/baseline.yaml scenarios/channel-closed.yaml --runs 20000 --out "$OUT/compare-channel" --quiet
/usr/bin/python3 analysis/plot.py "$OUT/compare-channel"

# 3. Which parameters drive escalation? Sobol indices (Saltelli design) and Morris screening.
"$B" sensitivity scenarios/baseline.yaml \
   --params leaders.putin.priorities.sovereignty:0.2:1 \
   --params leaders.putin.traits.risk_tolerance:0.4:0.95 \
   --params leaders.biden.traits.risk_tolerance:0.1:0.7 \
   --params leaders.putin.traits.misperception:0:0.5 \
   --params world.variables.channel.initial:0:0.8 \
   --samples 64 --trajectories 12 --runs 400 --out "$OUT/sensitivity" --quiet
/usr/bin/python3 analysis/plot.py "$OUT/sensitivity"
