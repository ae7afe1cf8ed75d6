#!/usr/bin/python3
"""One self-contained HTML report of a Brink result folder, for a class or a meeting.

    analysis/report.py RESULT_DIR [--brink PATH] [--out FILE]

RESULT_DIR is a folder written by `brink run`, `brink sweep`, `brink compare`, `brink
sensitivity`, `brink branch` (as a run), `brink run --given` or `brink backtest` (the odds by
date, the published forecasts beside them, the scores). The report holds the question (scenario, what was varied or compared, run
count, seed), the odds with their 95% intervals, every figure of analysis/plot.py, for a run
folder one escalating and one de-escalating run told tick by tick (`brink trace`, needs
--brink), and the scenario's key parameters. Figures are embedded PNG, styles are inline and
a Content-Security-Policy forbids every network request: the file opens offline, from a USB
stick, on any browser. Written atomically to FILE (default RESULT_DIR/report.html); the path
is printed.

`brink report RESULT_DIR` runs this script with --brink set to itself.

Exit codes: 0 done; 2 the folder is not a Brink result (or bad options); 1 anything else.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import brink_plotting as bp  # noqa: E402
import brink_results as br  # noqa: E402
import fan_chart  # noqa: E402
import plot as plots  # noqa: E402  (analysis/plot.py: every figure of every kind)

try:
    import yaml  # Debian: python3-yaml (scripts/setup installs it)
except ImportError:  # pragma: no cover - the report still works, without the parameter tables
    yaml = None

EXIT_OK, EXIT_FAILED, EXIT_NOT_A_RESULT = 0, 1, br.EXIT_NOT_A_RESULT
TRACE_HEAD_TICKS = 15   # ticks of the story shown from the start
TRACE_TAIL_TICKS = 3    # and from the end
TRACE_TIMEOUT_S = 120

# What each figure shows, in words for a class. Keys are the names plot.py gives them.
FIGURE_TEXT = {
    "outcome_odds": ("How each crisis ended",
                     "The share of runs that ended in each outcome, with its 95% interval: the range the true "
                     "odds of this model lie in, given the number of runs."),
    "cumulative_incidence": ("When the crises ended",
                             "For each week, the share of all runs that had already ended in escalation or "
                             "de-escalation (bands: 95% intervals). Frozen conflicts and ongoing wars are the runs still open "
                             "at the horizon, split by the rung they stand on there."),
    "rung_fan": ("The escalation ladder over time",
                 "The middle run (median) and the spread of the rung the runs stand on, week by week. "
                 "Below: the share of runs still going."),
    "rung_shares": ("Where the runs stand, week by week",
                    "The share of all runs on each rung of the ladder. A run that has ended stays on its last rung."),
    "state_variables": ("The state of the world",
                        "Mean, median and 5–95% band of key variables over the runs still going."),
    "time_to_outcome": ("How long each ending took",
                        "Histograms of the week each run ended in, one panel per outcome, with the median."),
    "max_rung": ("How high the crises climbed",
                 "The share of runs whose highest rung was each rung, split by how they ended."),
    "compare": ("A against B, run by run",
                "Left: the odds of each outcome in both scenarios. Right: the difference B − A in percentage "
                "points, with its 95% interval; both scenarios used the same random numbers, run for run."),
    "sweep_odds": ("The odds along the swept parameter",
                   "Each outcome's odds at each value, with 95% bands (for several parameters: each value pooled "
                   "over the others)."),
    "sweep_heatmap": ("Escalation odds over both parameters",
                      "Each cell: the escalation odds and its 95% interval at that pair of values."),
    "sensitivity_sobol": ("Which parameters drive the odds (Sobol)",
                          "First-order (S1: the parameter alone) and total (ST: with its interactions) shares of the "
                          "variance of the odds, with 95% bootstrap intervals."),
    "sensitivity_morris": ("Which parameters matter (Morris screening)",
                           "μ*: how much the odds move over the parameter's range; σ: how much that effect depends "
                           "on the other parameters or is non-linear."),
    "as_of_odds": ("The odds as events unfold, beside the published forecasts",
                   "Lines: Brink's probability of each question given everything observed by the date, with its 95% band; "
                   "markers: the published forecasts of the same question, one shape per forecaster. Below: the effective "
                   "sample size left after conditioning on the observations."),
    "reliability": ("Reliability",
                    "Each forecaster's probabilities binned by tenths against the share of those questions that resolved "
                    "yes; calibrated forecasts lie on the diagonal. With few questions, each point is one or two forecasts."),
    "scores": ("Scores beside the forecasters",
               "Mean Brier and log scores (lower is better) of each forecaster and of Brink on the same questions as of "
               "the same dates."),
}

TRAIT_TEXT = {
    "rationality": "how purposefully the leader picks the best move (0 = at random)",
    "risk_tolerance": "how little the cost of war weighs (1 = ignores it)",
    "misperception": "chance of misreading the other side's move when the channel is closed",
    "reciprocity": "pull to answer like with like",
    "resolve": "bonus for repeating one's own last move",
    "memory": "how slowly beliefs about the other side fade",
}

OUTCOME_WORDS = {"escalation": "Escalation", "deescalation": "De-escalation", "frozen_conflict": "Frozen conflict",
                 "ongoing_war": "Ongoing war"}


class ReportError(Exception):
    """Something went wrong that is not the folder's fault (exit 1)."""


# ---------------------------------------------------------------- small helpers

def esc(x) -> str:
    return html.escape(str(x), quote=True)


def pct(p) -> str:
    return bp.fmt_pct(float(p))


def interval(lo, hi) -> str:
    return f"{pct(lo)} – {pct(hi)}"


def num(x) -> str:
    """Parameter values as a person would write them: 0.7, 60, 0.035."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int, float)):
        return f"{x:g}"
    if isinstance(x, list):
        return ", ".join(num(v) for v in x)
    if isinstance(x, dict):
        return ", ".join(f"{k} {num(v)}" for k, v in x.items())
    return str(x)


def duration(ticks, tick_days: float) -> str:
    """'53 weeks (about 12 months)'."""
    factor, unit = bp.time_unit(tick_days)
    value = float(ticks) * factor
    text = f"{value:g} {unit[:-1] if value == 1 else unit}"
    days = float(ticks) * tick_days
    if days >= 60:
        text += f" (about {days / 30.4375:.0f} months)"
    return text


def when(tick, tick_days: float) -> str:
    """'week 39' for weekly ticks, else 'day 273'."""
    factor, unit = bp.time_unit(tick_days)
    return f"{unit[:-1]} {float(tick) * factor:g}"


def figure_png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=bp.DPI, metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def figure_text(name: str) -> tuple[str, str]:
    if name in FIGURE_TEXT:
        return FIGURE_TEXT[name]
    if name.startswith("sweep_odds_"):
        title, text = FIGURE_TEXT["sweep_odds"]
        return f"{title}: {name[len('sweep_odds_'):].replace('-', ' ')}", text
    return br.pretty_name(name), ""


def figures_html(figs: dict, prefix: str = "") -> str:
    out = []
    for name, fig in figs.items():
        title, text = figure_text(name)
        suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
        axes_title = fig.axes[0].get_title() if fig.axes else ""
        alt = suptitle or axes_title or title
        uri = figure_png(fig)
        out.append(f'<figure id="fig-{esc(prefix + name)}"><h3>{esc(prefix + title)}</h3>'
                   f'<img src="{uri}" alt="{esc(alt)}" width="{bp.WIDTH_PX}" height="{bp.HEIGHT_PX}">'
                   f'<figcaption>{esc(text)}</figcaption></figure>')
    return "\n".join(out)


def table(headers, rows, classes=None, caption=None) -> str:
    """rows: lists of cell HTML (already escaped). classes: per column ('num', '')."""
    classes = classes or [""] * len(headers)
    head = "".join(f'<th class="{c}">{h}</th>' for h, c in zip(headers, classes))
    body = "".join("<tr>" + "".join(f'<td class="{c}">{v}</td>' for v, c in zip(r, classes)) + "</tr>" for r in rows)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def outcome_cell(o: str) -> str:
    return f'<span class="nowrap"><span class="dot {o}"></span>{esc(OUTCOME_WORDS[o])}</span>'


def load_yaml_text(text: str):
    if yaml is None or not text:
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def load_yaml_file(path: Path):
    return load_yaml_text(path.read_text(encoding="utf-8", errors="replace")) if path.is_file() else None


def command_html(text: str) -> str:
    return f'<pre class="cmd">{esc(text)}</pre>'


# ---------------------------------------------------------------- scenario facts

class Scenario:
    """The resolved scenario (dict from scenario.yaml), with helpers for names and labels."""

    def __init__(self, data: dict | None):
        self.data = data or {}

    def __bool__(self):
        return bool(self.data)

    def get(self, *path, default=None):
        node = self.data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    @property
    def rungs(self) -> list[dict]:
        return [r for r in (self.get("ladder", "rungs") or []) if isinstance(r, dict)]

    def rung_index(self, ref) -> int | None:
        if isinstance(ref, int) and not isinstance(ref, bool):
            return ref
        for i, r in enumerate(self.rungs):
            if r.get("id") == ref:
                return i
        return None

    def rung_label(self, ref) -> str:
        i = self.rung_index(ref)
        if i is None or not 0 <= i < len(self.rungs):
            return str(ref)
        r = self.rungs[i]
        return str(r.get("label") or br.pretty_name(str(r.get("id"))))

    @property
    def leaders(self) -> dict:
        return {k: v for k, v in (self.get("leaders") or {}).items() if isinstance(v, dict)}

    def leader_name(self, leader_id: str) -> str:
        return str(self.leaders.get(leader_id, {}).get("name") or br.pretty_name(leader_id))

    def narrative(self, action: str, leader_id: str) -> str:
        text = self.get("actions", action, "narrative")
        if isinstance(text, str):
            return text.replace("{actor}", self.leader_name(leader_id))
        return f"{self.leader_name(leader_id)}: {action.replace('_', ' ')}."

    def event_narrative(self, event: str) -> str:
        text = self.get("events", event, "narrative")
        return text if isinstance(text, str) else f"Event: {event.replace('_', ' ')}."


def scenario_parameters_html(s: Scenario, tick_days: float) -> str:
    """Leaders' traits and priorities, the initial state, the ladder and the outcome rules."""
    if not s:
        why = "PyYAML is not installed (Debian: python3-yaml)" if yaml is None else "no readable scenario.yaml"
        return f'<p class="note">The scenario\'s parameters are not shown: {esc(why)}.</p>'
    parts = []
    leaders = s.leaders
    ids = list(leaders)
    if ids:
        head = ["Trait"] + [esc(s.leader_name(i)) for i in ids] + ["What it means"]
        traits = list(dict.fromkeys(t for i in ids for t in (leaders[i].get("traits") or {})))
        rows = [[f"<code>{esc(t)}</code>"] + [esc(num((leaders[i].get("traits") or {}).get(t, "—"))) for i in ids]
                + [esc(TRAIT_TEXT.get(t, ""))] for t in traits]
        parts.append("<h3>The leaders</h3>" + table(head, rows, [""] + ["num"] * len(ids) + ["muted"]))
        goals = list(dict.fromkeys(g for i in ids for g in (leaders[i].get("priorities") or {})))
        rows = []
        for g in goals:
            cells = [f"<code>{esc(g)}</code>"]
            for i in ids:
                v = (leaders[i].get("priorities") or {}).get(g)
                cells.append(bar_cell(v) if isinstance(v, (int, float)) else "—")
            weights = "; ".join(f"{esc(s.leader_name(i).split()[-1])}: " + esc(num((leaders[i].get('goals') or {}).get(g, {})))
                                for i in ids if (leaders[i].get("goals") or {}).get(g))
            cells.append(f'<span class="small">{weights}</span>')
            rows.append(cells)
        parts.append("<h3>What they care about (priorities, 0–1)</h3>"
                     + table(["Goal"] + [esc(s.leader_name(i)) for i in ids] + ["Measured by (weight on each variable)"],
                             rows, [""] + ["barcell"] * len(ids) + ["muted"]))
    variables = s.get("world", "variables") or {}
    if variables:
        rows = []
        for name, v in variables.items():
            v = v if isinstance(v, dict) else {"initial": v}
            init = v.get("initial")
            rows.append([f"<code>{esc(name)}</code>", bar_cell(init) if isinstance(init, (int, float)) else esc(num(init)),
                         esc(v.get("description", ""))])
        start = s.get("world", "initial_rung")
        parts.append(f"<h3>The world at the start</h3><p>Starting rung: <b>{esc(s.rung_label(start))}</b>.</p>"
                     + table(["Variable", "Initial value (0–1)", "Meaning"], rows, ["", "barcell", "muted"]))
    if s.rungs:
        start = s.rung_index(s.get("world", "initial_rung"))
        esc_rung = s.rung_index(s.get("outcomes", "escalation_rung"))
        settle = s.rung_index(s.get("outcomes", "settlement_rung"))
        rows = []
        for i, r in enumerate(s.rungs):
            marks = []
            if i == start:
                marks.append('<span class="tag start">start</span>')
            if i == esc_rung:
                marks.append('<span class="tag escalation">escalation</span>')
            if settle is not None and i <= settle:
                marks.append('<span class="tag deescalation">settlement zone</span>')
            if r.get("terminal"):
                marks.append('<span class="tag">terminal</span>')
            rows.append([str(i), esc(r.get("label") or r.get("id")), f"<code>{esc(r.get('id'))}</code>",
                         esc(num(r.get("war_cost", 0))), " ".join(marks)])
        parts.append("<h3>The escalation ladder</h3>"
                     + table(["Rung", "Label", "Id", "War cost per tick", ""], rows, ["num", "", "", "num", ""]))
    o = s.get("outcomes") or {}
    if o:
        items = []
        if "escalation_rung" in o:
            items.append(f"<li><b>Escalation</b>: the ladder reaches <i>{esc(s.rung_label(o['escalation_rung']))}</i>"
                         f" (rung {esc(s.rung_index(o['escalation_rung']))}) or a terminal rung.</li>")
        if o.get("joint_agreement", True):
            items.append("<li><b>De-escalation by agreement</b>: both leaders make a conciliatory move "
                         "(an agreement action) in the same week while the channel is at least "
                         f"{esc(num(o.get('agreement_channel', 0.5)))}.</li>")
        if "settlement_rung" in o:
            items.append(f"<li><b>De-escalation by settlement</b>: {esc(num(o.get('settlement_ticks', 8)))} calm ticks in a row "
                         f"at or below <i>{esc(s.rung_label(o['settlement_rung']))}</i> with tension below "
                         f"{esc(num(o.get('settlement_tension', 0.3)))}.</li>")
        horizon = s.get("run", "horizon")
        if horizon is not None:
            limit = f"neither by the horizon, {esc(duration(horizon, tick_days))}"
            if "war_rung" in o:
                war = f"<i>{esc(s.rung_label(o['war_rung']))}</i> (rung {esc(s.rung_index(o['war_rung']))})"
                items.append(f"<li><b>Ongoing war</b>: {limit}, with the ladder at {war} or above.</li>")
                items.append(f"<li><b>Frozen conflict</b>: {limit}, with the ladder below {war}.</li>")
            else:
                items.append(f"<li><b>Frozen conflict</b>: {limit} (the scenario names no war rung, so no run "
                             "counts as an ongoing war).</li>")
        parts.append("<h3>How a run ends</h3><ul>" + "".join(items) + "</ul>")
    events = s.get("events") or {}
    if events:
        rows = []
        for name, e in events.items():
            if not isinstance(e, dict):
                continue
            h = e.get("hazard")
            yearly = f"{100 * (1 - (1 - h) ** (365.25 / tick_days)):.0f}%" if isinstance(h, (int, float)) and tick_days > 0 else "—"
            rows.append([f"<code>{esc(name)}</code>", esc(num(h)), yearly, esc(num(e.get("escalation", 0))),
                         esc(e.get("narrative", ""))])
        parts.append("<details><summary>Random events (" + str(len(rows)) + ")</summary>"
                     + table(["Event", "Chance per tick", "Chance in a year", "Push on the ladder", "What happens"],
                             rows, ["", "num", "num", "num", "muted"]) + "</details>")
    return "\n".join(parts)


def bar_cell(v) -> str:
    try:
        x = max(0.0, min(1.0, float(v)))
    except (TypeError, ValueError):
        return esc(v)
    return f'<span class="bar"><span style="width:{100 * x:.0f}%"></span></span><span class="barnum">{esc(num(v))}</span>'


# ---------------------------------------------------------------- traces (brink trace)

def run_brink(brink: str, args: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([brink, *args], capture_output=True, text=True, timeout=TRACE_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        raise ReportError(f"`brink {' '.join(args)}` took more than {TRACE_TIMEOUT_S} s") from e
    except OSError as e:
        raise ReportError(f"cannot run {brink}: {e.strerror}") from e


def split_story(text: str) -> tuple[list[str], list[str], list[str]]:
    """brink trace's text story -> (header paragraphs, one block per tick, closing paragraphs)."""
    blocks = [b.strip("\n") for b in text.strip("\n").split("\n\n") if b.strip()]
    head = [b for b in blocks if not b.startswith("Tick ") and not b.startswith("End:")]
    head = head[: next((k for k, b in enumerate(blocks) if b.startswith("Tick ")), len(blocks))]
    ticks = [b for b in blocks if b.startswith("Tick ")]
    tail = [b for b in blocks if b.startswith("End:")]
    return head, ticks, tail


def shorten_story(text: str, command: str) -> tuple[str, int]:
    head, ticks, tail = split_story(text)
    shown = ticks
    if len(ticks) > TRACE_HEAD_TICKS + TRACE_TAIL_TICKS + 1:
        hidden = len(ticks) - TRACE_HEAD_TICKS - TRACE_TAIL_TICKS
        shown = (ticks[:TRACE_HEAD_TICKS]
                 + [f"        … {hidden} ticks not shown; the whole story: {command}"]
                 + ticks[-TRACE_TAIL_TICKS:])
    return "\n\n".join(head + shown + tail) + "\n", len(ticks)


def find_run(run: br.RunResult, outcome: str) -> int | None:
    if not run.has("runs.csv"):
        return None
    r = run.runs
    hit = r.loc[r["outcome"] == outcome, "run_id"]
    return int(hit.iloc[0]) if len(hit) else None


def trace_one(brink: str, scenario_file: Path, seed, outcome: str, run_id: int | None, first_free: int) -> dict:
    """Replays one run with `brink trace`; returns its text story and its JSON."""
    args = ["trace", str(scenario_file), "--seed", str(seed)]
    args += ["--run", str(run_id)] if run_id is not None else ["--run", str(first_free), "--outcome", outcome]
    text = run_brink(brink, args)
    if text.returncode != 0:
        raise ReportError(f"`brink {' '.join(args)}` failed (exit {text.returncode}): {text.stderr.strip()[:400]}")
    js = run_brink(brink, args + ["--format", "json", "--top", "1"])
    if js.returncode != 0:
        raise ReportError(f"`brink {' '.join(args)} --format json` failed (exit {js.returncode}): {js.stderr.strip()[:400]}")
    try:
        data = json.loads(js.stdout)
    except json.JSONDecodeError as e:
        raise ReportError(f"`brink trace --format json` printed no JSON ({e})") from e
    return {"text": text.stdout, "json": data, "outcome": outcome, "in_batch": run_id is not None}


def rung_path_svg(data: dict, s: Scenario, n_rungs: int, escalation_rung: int | None, tick_days: float) -> str:
    """A small inline SVG of one run: the rung week by week, tension, and the weeks with a misread."""
    ticks = data.get("ticks") or []
    end = max(1, int(data.get("end_tick") or len(ticks) or 1))
    rungs = [int(data.get("initial_rung", 0))] + [int(t.get("rung", 0)) for t in ticks]
    tension = [float((data.get("initial_state") or {}).get("tension", 0))] + [float((t.get("state") or {}).get("tension", 0)) for t in ticks]
    top = max(n_rungs - 1, max(rungs), 1)
    W, H, L, R, T, B = 1000, 230, 46, 14, 14, 34
    pw, ph = W - L - R, H - T - B

    def x(t):
        return L + pw * t / end

    def y(r):
        return T + ph * (1 - r / top)

    parts = [f'<svg class="path" viewBox="0 0 {W} {H}" role="img" aria-label="Rung of this run over time">']
    for r in range(0, top + 1):
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{y(r):.1f}" y2="{y(r):.1f}" class="grid"/>')
        if r % 2 == 0 or top <= 8:
            parts.append(f'<text x="{L - 8}" y="{y(r) + 5:.1f}" text-anchor="end" class="ax">{r}</text>')
    if escalation_rung is not None and escalation_rung <= top:
        parts.append(f'<line x1="{L}" x2="{W - R}" y1="{y(escalation_rung):.1f}" y2="{y(escalation_rung):.1f}" class="thr"/>')
        parts.append(f'<text x="{W - R - 4}" y="{y(escalation_rung) - 6:.1f}" text-anchor="end" class="thrlabel">escalation</text>')
    # tension on the same height, scaled 0-1 to the full rung axis
    pts = " ".join(f"{x(t):.1f},{T + ph * (1 - v):.1f}" for t, v in enumerate(tension))
    parts.append(f'<polyline points="{pts}" class="tension"/>')
    step = [f"{x(0):.1f},{y(rungs[0]):.1f}"]
    for t in range(1, len(rungs)):
        step.append(f"{x(t):.1f},{y(rungs[t - 1]):.1f}")
        step.append(f"{x(t):.1f},{y(rungs[t]):.1f}")
    parts.append(f'<polyline points="{" ".join(step)}" class="rung {esc(data.get("outcome", ""))}"/>')
    for t in ticks:
        if any(l.get("misread") for l in t.get("leaders") or []):
            tt = int(t.get("tick", 0))
            parts.append(f'<circle cx="{x(tt):.1f}" cy="{T + ph + 8}" r="4.5" class="misread"><title>{esc(when(tt, tick_days))}: a move was misread</title></circle>')
    n_labels = 6
    for k in range(n_labels + 1):
        t = round(end * k / n_labels)
        anchor = "start" if k == 0 else "end" if k == n_labels else "middle"
        parts.append(f'<text x="{x(t):.1f}" y="{H - 4}" text-anchor="{anchor}" class="ax">{esc(when(t, tick_days))}</text>')
    parts.append("</svg>")
    legend = ('<p class="legend"><span class="key rung"></span>rung (left axis) '
              '<span class="key tension"></span>tension (0 at the bottom, 1 at the top) '
              '<span class="key misread"></span>a leader misread the other\'s move</p>')
    return "".join(parts) + legend


def turning_points(data: dict, s: Scenario, tick_days: float, limit: int = 12) -> str:
    """The weeks the ladder moved, with what each leader did (and any event)."""
    items = []
    for t in data.get("ticks") or []:
        before, after = int(t.get("rung_before", 0)), int(t.get("rung", 0))
        if before == after:
            continue
        verb = "UP" if after > before else "DOWN"
        moves = " ".join(esc(s.narrative(l.get("action", ""), l.get("leader", ""))) for l in t.get("leaders") or [])
        misreads = [l for l in t.get("leaders") or [] if l.get("misread")]
        extra = "".join(f' <span class="warn">{esc(s.leader_name(l.get("leader", "")))} misread '
                        f'{esc(str(l.get("opponent_actual_move", "")).replace("_", " "))} as '
                        f'{esc(str(l.get("observed_opponent_move", "")).replace("_", " "))}.</span>' for l in misreads)
        events = " ".join(esc(s.event_narrative(e)) for e in t.get("events") or [])
        if events:
            extra += f' <i>{events}</i>'
        items.append(f'<li><b>{esc(when(t.get("tick", 0), tick_days).capitalize())}</b>: '
                     f'<span class="{"up" if verb == "UP" else "down"}">{verb} to {after} {esc(s.rung_label(after))}</span>. '
                     f'{moves}{extra}</li>')
    if not items:
        return "<p>The ladder never moved in this run.</p>"
    more = ""
    if len(items) > limit:
        more = f"<li>… and {len(items) - limit} more moves of the ladder in the full story below.</li>"
        items = items[: limit // 2] + ["<li>…</li>"] + items[-(limit - limit // 2):]
    return '<ol class="turns">' + "".join(items) + more + "</ol>"


def traces_html(run: br.RunResult, brink: str | None, s: Scenario) -> str:
    intro = ("<p>Each run is one possible history. Below, the first run of this batch that ended in escalation and "
             "the first that ended in de-escalation, replayed with <code>brink trace</code>: the ladder week by week, "
             "the moves that changed it, and the whole story (what each leader did, the options they weighed with "
             "their probabilities, misreadings, events).</p>")
    scenario_file = run.path / "scenario.yaml"
    seed = run.manifest.get("seed", run.summary_json.get("seed"))
    if not brink:
        return intro + '<p class="note">Not available: this report was built without a brink binary (--brink).</p>'
    if not scenario_file.is_file() or seed is None:
        return intro + '<p class="note">Not available: the folder has no scenario.yaml or no seed in manifest.json.</p>'
    n_rungs = len(run.rungs)
    esc_rung = run.rungs.index(run.escalation_rung) if run.escalation_rung in run.rungs else None
    first_free = int(run.manifest.get("runs_done") or run.n_runs)
    out = [intro]
    for outcome in ("escalation", "deescalation"):
        run_id = find_run(run, outcome)
        try:
            t = trace_one(brink, scenario_file, seed, outcome, run_id, first_free)
        except ReportError as e:
            out.append(f'<h3>{outcome_cell(outcome)}</h3><p class="note">No trace: {esc(e)}</p>')
            continue
        data = t["json"]
        rid = data.get("run_id", run_id)
        command = f"brink trace {scenario_file} --seed {seed} --run {rid}"
        story, n_ticks = shorten_story(t["text"], command)
        end_tick = data.get("end_tick", n_ticks)
        where = (f"run {esc(rid)} of this batch" if t["in_batch"]
                 else f"run {esc(rid)}, found after the batch's {first_free:,} runs (none of them ended this way)")
        mismatch = ""
        if data.get("outcome") != outcome:
            mismatch = (f'<p class="note">This replay ended in {esc(data.get("outcome"))}, not {esc(outcome)}: the '
                        f'brink binary is not the one that made the folder.</p>')
        out.append(f'<section class="trace {outcome}"><h3>{outcome_cell(outcome)}: {where}</h3>'
                   f'<p>Ended in {esc(OUTCOME_WORDS.get(data.get("outcome"), data.get("outcome")).lower())} at '
                   f'{esc(when(end_tick, run.tick_days))}; highest rung {esc(data.get("max_rung"))} '
                   f'<i>{esc(s.rung_label(int(data.get("max_rung", 0))) if s else "")}</i>.</p>{mismatch}'
                   + rung_path_svg(data, s, n_rungs, esc_rung, run.tick_days)
                   + "<h4>When the ladder moved</h4>" + turning_points(data, s, run.tick_days)
                   + f'<details><summary>The story, tick by tick (first {TRACE_HEAD_TICKS} ticks and the last '
                     f'{TRACE_TAIL_TICKS} of {n_ticks})</summary>'
                   + f'<pre class="story">{esc(story)}</pre>'
                   + f'<p class="small">Replay it yourself: <code>{esc(command)}</code></p></details></section>')
    return "\n".join(out)


# ---------------------------------------------------------------- the page

CSS = """
:root { --esc:#D55E00; --deesc:#0072B2; --stal:#7F7F7F; --war:#E69F00; --ink:#16181d; --muted:#545b66; --rule:#d9dde3;
        --panel:#f4f6f8; --accent:#0072B2; }
* { box-sizing: border-box; }
html { font-size: 19px; -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink); line-height: 1.55;
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 2.2rem 2.2rem 4rem; }
header.top { border-bottom: 5px solid var(--ink); padding-bottom: 1.1rem; margin-bottom: 1.2rem; }
.kicker { text-transform: uppercase; letter-spacing: .12em; font-size: .8rem; font-weight: 700; color: var(--muted); margin: 0; }
h1 { font-size: 2.5rem; line-height: 1.15; margin: .25rem 0 .5rem; letter-spacing: -.015em; }
.lede { font-size: 1.2rem; color: #2b2f36; margin: 0; max-width: 60rem; }
nav { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; font-size: .92rem; margin: .9rem 0 0; }
nav a { color: var(--accent); text-decoration: none; font-weight: 600; }
h2 { font-size: 1.7rem; margin: 2.8rem 0 1rem; padding-bottom: .35rem; border-bottom: 2px solid var(--rule); letter-spacing: -.01em; }
h3 { font-size: 1.25rem; margin: 1.8rem 0 .6rem; }
h4 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p, li { max-width: 66rem; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .86em; background: var(--panel);
       padding: .05em .3em; border-radius: 4px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.4rem; margin: 1rem 0; }
.facts dt { font-weight: 700; color: var(--muted); }
.facts dd { margin: 0; }
.question { font-size: 1.35rem; font-weight: 600; border-left: 6px solid var(--accent); padding: .5rem 0 .5rem 1rem;
            margin: 1rem 0 1.2rem; max-width: 62rem; }
.cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1rem; margin: 1.2rem 0 1.4rem; }
.card { border-radius: 12px; padding: 1rem 1.25rem 1.1rem; color: #fff; }
.card.escalation { background: var(--esc); } .card.deescalation { background: var(--deesc); }
.card.frozen_conflict { background: #6b6b6b; } .card.ongoing_war { background: var(--war); color: #16181d; }
.card .label { font-size: 1.05rem; font-weight: 700; letter-spacing: .02em; }
.card .p { font-size: 2.8rem; font-weight: 800; line-height: 1.05; margin: .2rem 0; font-variant-numeric: tabular-nums; }
.cards.compare { grid-template-columns: repeat(2, minmax(0, 1fr)); }  /* "26.3% → 30.8%" needs the width of two */
.cards.compare .p { font-size: 1.95rem; white-space: nowrap; }
.card .ci { font-size: 1rem; opacity: .95; font-variant-numeric: tabular-nums; }
.card .sub { font-size: .92rem; opacity: .95; margin-top: .35rem; }
.table-wrap { overflow-x: auto; margin: .6rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: .95rem; }
caption { text-align: left; color: var(--muted); padding: 0 0 .4rem; font-size: .9rem; }
th { text-align: left; font-size: .88rem; font-weight: 700; color: var(--muted); vertical-align: bottom;
     border-bottom: 2px solid var(--ink); padding: .45rem .7rem; }
td { border-bottom: 1px solid var(--rule); padding: .45rem .7rem; vertical-align: top; }
tbody tr:nth-child(even) td { background: #fafbfc; }
th.num, td.num { text-align: right; }
td.num { white-space: nowrap; }
td.muted { color: var(--muted); font-size: .88rem; }
td.barcell { white-space: nowrap; }
td.big { font-size: 1.15rem; font-weight: 700; }
.sig { font-weight: 700; }
.dot { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .45em; vertical-align: -.05em; }
.dot.escalation { background: var(--esc); } .dot.deescalation { background: var(--deesc); } .dot.frozen_conflict { background: var(--stal); } .dot.ongoing_war { background: var(--war); }
.bar { display: inline-block; width: 7rem; height: .7rem; background: #e7eaee; border-radius: 4px; vertical-align: middle;
       margin-right: .55rem; overflow: hidden; }
.bar > span { display: block; height: 100%; background: #5b8fc7; }
.barnum { font-variant-numeric: tabular-nums; }
.tag { display: inline-block; white-space: nowrap; font-size: .75rem; font-weight: 700; text-transform: uppercase; letter-spacing: .05em;
       padding: .1rem .45rem; border-radius: 4px; background: #e7eaee; color: #333; margin-right: .3rem; }
.tag.start { background: #222; color: #fff; } .tag.escalation { background: var(--esc); color: #fff; }
.tag.deescalation { background: var(--deesc); color: #fff; }
figure { margin: 1.4rem 0 2.2rem; }
figure h3 { margin-top: 0; }
figure img { display: block; width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 8px; }
figcaption { color: var(--muted); font-size: .95rem; margin-top: .5rem; max-width: 66rem; }
details { border: 1px solid var(--rule); border-radius: 10px; padding: .7rem 1.1rem; margin: 1rem 0; background: var(--panel); }
details[open] > summary { margin-bottom: .6rem; }
summary { cursor: pointer; font-weight: 700; }
pre { white-space: pre-wrap; word-break: break-word; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
      font-size: .8rem; line-height: 1.45; background: #fff; padding: 1rem 1.1rem; border: 1px solid var(--rule);
      border-radius: 8px; margin: .4rem 0; }
pre.cmd { font-size: .85rem; background: #1f2329; color: #f3f5f7; border: 0; }
.trace { border-top: 1px solid var(--rule); margin-top: 1.6rem; }
svg.path { width: 100%; height: auto; display: block; margin: .4rem 0 0; }
svg.path .grid { stroke: #e6e8eb; stroke-width: 1; }
svg.path .ax { font-size: 15px; fill: #555; }
svg.path .thr { stroke: var(--esc); stroke-dasharray: 6 5; stroke-width: 1.6; }
svg.path .thrlabel { font-size: 14px; fill: var(--esc); }
svg.path .tension { fill: none; stroke: #9aa3ad; stroke-width: 1.6; }
svg.path .rung { fill: none; stroke: #222; stroke-width: 3.2; stroke-linejoin: round; }
svg.path .rung.escalation { stroke: var(--esc); } svg.path .rung.deescalation { stroke: var(--deesc); }
svg.path .misread { fill: #CC79A7; }
.legend { font-size: .85rem; color: var(--muted); margin: .2rem 0 .6rem; }
.key { display: inline-block; width: 1.6em; height: .32em; vertical-align: middle; margin: 0 .35em 0 .9em; background: #222; }
.key:first-child { margin-left: 0; }
.key.tension { background: #9aa3ad; } .key.misread { width: .7em; height: .7em; border-radius: 50%; background: #CC79A7; }
ol.turns { padding-left: 1.4rem; } ol.turns li { margin: .3rem 0; }
.up { color: var(--esc); font-weight: 700; } .down { color: var(--deesc); font-weight: 700; }
.warn { color: #8a3b6a; }
.note { background: #fff7e0; border: 1px solid #f0d68a; padding: .6rem .9rem; border-radius: 8px; }
.nowrap { white-space: nowrap; }
.small { font-size: .85rem; color: var(--muted); }
footer { margin-top: 3.5rem; padding-top: 1rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: .85rem; }
@media (max-width: 800px) { html { font-size: 16px; } .cards, .cards.compare { grid-template-columns: 1fr; } main { padding: 1.2rem; } }
@media print { html { font-size: 12px; } details { break-inside: avoid; } figure { break-inside: avoid; }
               nav { display: none; } }
"""

# No network, ever: images only from data: URIs, styles only inline, no scripts, fonts or frames.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def page(title: str, kicker: str, lede: str, nav: list[tuple[str, str]], sections: list[str], footer: str) -> str:
    nav_html = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t in nav)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Brink analysis/report.py">
<title>{esc(title)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header class="top">
<p class="kicker">{esc(kicker)}</p>
<h1>{esc(title[:1].upper() + title[1:])}</h1>
<p class="lede">{lede}</p>
<nav>{nav_html}</nav>
</header>
{"".join(sections)}
<footer>{footer}</footer>
</main>
</body>
</html>
"""


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>\n'


def footer_html(manifest: dict, folder: Path) -> str:
    bits = [f"Made by Brink {esc(manifest.get('brink_version', ''))}".strip()]
    if manifest.get("git_commit"):
        bits.append(f"commit {esc(manifest['git_commit'])}")
    bits.append(f"from <code>{esc(folder)}</code>")
    if manifest.get("command_line"):
        bits.append(f"command <code>{esc(manifest['command_line'])}</code>")
    bits.append(f"report written {esc(dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))}")
    return " · ".join(bits) + ". This page is self-contained: it loads nothing from the network."


def odds_cards(probs, quantiles: dict, tick_days: float, horizon: int) -> str:
    cards = []
    for row in probs.itertuples():
        q50 = (quantiles.get(row.outcome) or {}).get("q50")
        if row.outcome in br.HORIZON_OUTCOMES:
            sub = f"still open after {duration(horizon, tick_days)}"
        elif q50 is not None and row.count > 0:
            sub = f"typically by {when(q50, tick_days)}"
        else:
            sub = "never happened"
        cards.append(f'<div class="card {row.outcome}"><div class="label">{esc(OUTCOME_WORDS[row.outcome])}</div>'
                     f'<div class="p">{esc(pct(row.value))}</div>'
                     f'<div class="ci">95% interval {esc(interval(row.ci_low, row.ci_high))}</div>'
                     f'<div class="sub">{esc(sub)}</div></div>')
    return '<div class="cards">' + "".join(cards) + "</div>"


def odds_table(probs, quantiles: dict, tick_days: float, horizon: int) -> str:
    rows = []
    for row in probs.itertuples():
        q = quantiles.get(row.outcome) or {}
        if row.outcome in br.HORIZON_OUTCOMES:
            median = f"runs to the horizon ({esc(duration(horizon, tick_days))})"
        elif q.get("q50") is not None:
            median = esc(duration(q["q50"], tick_days))
            if q.get("q25") is not None and q.get("q75") is not None:
                median += f' <span class="small">(half between {esc(when(q["q25"], tick_days))} and {esc(when(q["q75"], tick_days))})</span>'
        else:
            median = "—"
        rows.append([outcome_cell(row.outcome), esc(pct(row.value)), esc(interval(row.ci_low, row.ci_high)),
                     f"{int(row.count):,}", median])
    return table(["Outcome", "Probability", "95% interval", "Runs", "Median time to the outcome"], rows,
                 ["", "num big", "num", "num", ""],
                 caption="95% Wilson score intervals. The interval shrinks as the number of runs grows; it says "
                         "nothing about whether the model itself is right.")


def question_text(s: Scenario, tick_days: float, horizon: int) -> str:
    esc_label = s.rung_label(s.get("outcomes", "escalation_rung")) if s else "the escalation rung"
    return (f"Starting from this situation, how likely is the crisis to end in escalation "
            f"(<i>{esc(esc_label[:1].lower() + esc_label[1:] if esc_label else 'escalation')}</i>), in de-escalation (a settlement) or "
            f"to stay unresolved (a frozen conflict, or a war still going), within {esc(duration(horizon, tick_days))}?")


def run_facts(run: br.RunResult, s: Scenario) -> str:
    m = run.manifest
    facts = [("Scenario", f"<b>{esc(run.scenario)}</b>")]
    files = m.get("scenario_files") or []
    if files:
        chain = " → extends ".join(f"<code>{esc(f)}</code>" for f in files)
        facts.append(("File", chain))
    if m.get("overrides"):
        facts.append(("Changed with --set", "<br>".join(f"<code>{esc(o)}</code>" for o in m["overrides"])))
    facts.append(("Runs", f"{run.n_runs:,} completed" + (f", {int(m['runs_failed']):,} failed" if m.get("runs_failed") else "")))
    seed = m.get("seed", run.summary_json.get("seed"))
    if seed is not None:
        facts.append(("Seed", f"<code>{esc(seed)}</code> (same seed and run count, same numbers)"))
    facts.append(("Horizon", f"{esc(duration(run.horizon, run.tick_days))}, one tick = {run.tick_days:g} days"))
    stopped = m.get("stopped_by") or run.summary_json.get("stopped_by")
    if stopped:
        facts.append(("Stopped by", esc(stopped)))
    if m.get("wall_seconds") is not None:
        facts.append(("Time taken", f"{float(m['wall_seconds']):.1f} s on {esc(m.get('threads', '?'))} threads"))
    return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"


def unfinished_note(manifest: dict) -> str:
    if manifest.get("complete") is False:
        return ('<p class="note">This batch was interrupted: the numbers describe the runs done so far. '
                'Finish it with <code>brink run --resume</code> for the full count.</p>')
    return ""


def report_run(run: br.RunResult, brink: str | None) -> str:
    s = Scenario(load_yaml_text(run.scenario_yaml))
    probs = run.probabilities()
    quantiles = {o: (run.summary_json.get("outcomes", {}).get(o) or {}).get("end_tick_quantiles") or {} for o in br.OUTCOMES}
    description = s.get("description") or ""
    sections = []
    sections.append(section("question", "The question",
                            f'<p class="question">{question_text(s, run.tick_days, run.horizon)}</p>'
                            + unfinished_note(run.manifest) + run_facts(run, s)))
    sections.append(section("odds", "The odds",
                            odds_cards(probs, quantiles, run.tick_days, run.horizon)
                            + odds_table(probs, quantiles, run.tick_days, run.horizon)))
    figs = plots.figures(run, argparse.Namespace(variables=None))
    sections.append(section("figures", "Figures", figures_html(figs)))
    sections.append(section("runs", "Two runs, told week by week", branch_note(run) if run.is_branch else traces_html(run, brink, s)))
    sections.append(section("scenario", "The scenario's key parameters",
                            "<p>Every number of the model is in the scenario file; these are the ones to argue about. "
                            "All values are on a 0–1 scale unless said otherwise.</p>"
                            + scenario_parameters_html(s, run.tick_days)))
    seed = run.manifest.get("seed", run.summary_json.get("seed"))
    sections.append(section("reproduce", "Run it again",
                            "<p>The folder's <code>scenario.yaml</code> is the exact scenario that ran "
                            "(after <code>extends</code> and <code>--set</code>). The same command gives the same numbers on "
                            "any machine with the same Brink build:</p>"
                            + command_html((run.manifest["command_line"] if run.is_branch else
                                            f"brink run {run.path / 'scenario.yaml'} --seed {seed} --runs {run.n_runs}")
                                           + f"\nbrink report {run.path}")))
    nav = [("question", "Question"), ("odds", "Odds"), ("figures", "Figures"), ("runs", "Two runs"),
           ("scenario", "Parameters"), ("reproduce", "Run it again")]
    return page(f"{run.scenario}", "Brink crisis simulation · Monte Carlo report",
                esc(description) or "A Brink run folder.", nav, sections, footer_html(run.manifest, run.path))


def branch_note(run: br.RunResult) -> str:
    """A branch's runs start mid-crisis from state.yaml: `brink trace` (which starts at tick 0) cannot replay them."""
    state = run.path / "state.yaml"
    text = state.read_text(encoding="utf-8", errors="replace") if state.is_file() else ""
    return (f"<p>This folder is a branch ({esc(run.manifest.get('command', 'brink branch'))}): every run starts from the "
            "state below, not from the scenario's start, so <code>brink trace</code> cannot replay them and no story is "
            "shown. The figures' ticks before the branch's have no runs.</p>"
            + (f'<details open><summary>The state every branch starts from (state.yaml)</summary><pre class="story">{esc(text)}</pre></details>'
               if text else ""))


# ---------------------------------------------------------------- compare

def flatten(node, prefix="") -> dict:
    out = {}
    if isinstance(node, dict):
        for k, v in node.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(node, list) and node and all(isinstance(v, dict) and "id" in v for v in node):
        for v in node:
            out.update(flatten({kk: vv for kk, vv in v.items() if kk != "id"}, f"{prefix}[{v['id']}]"))
    else:
        out[prefix] = node
    return out


def scenario_diff(a: Scenario, b: Scenario) -> list[tuple[str, str, str]]:
    fa, fb = flatten(a.data), flatten(b.data)
    rows = []
    for key in list(dict.fromkeys(list(fa) + list(fb))):
        if key in ("name", "description"):
            continue
        va, vb = fa.get(key, "—"), fb.get(key, "—")
        if va == vb:
            continue
        if isinstance(va, list) and isinstance(vb, list):
            gone = [x for x in va if x not in vb]
            new = [x for x in vb if x not in va]
            text = "; ".join(t for t in (f"removes {', '.join(map(str, gone))}" if gone else "",
                                         f"adds {', '.join(map(str, new))}" if new else "") if t)
            rows.append((key, f"{len(va)} items", f"{len(vb)} items: {text}"))
        else:
            rows.append((key, num(va), num(vb)))
    return rows


def side_folder(cmp: br.CompareResult, side: str) -> Path | None:
    p = cmp.path / side
    if (p / "summary.csv").is_file():
        return p
    label = cmp.manifest.get(f"label_{side}")
    if isinstance(label, str) and (Path(label) / "summary.csv").is_file():
        return Path(label)
    return None


def report_compare(cmp: br.CompareResult, brink: str | None) -> str:
    t = cmp.table
    a_dir, b_dir = side_folder(cmp, "a"), side_folder(cmp, "b")
    run_a = br.load_run(a_dir) if a_dir else None
    run_b = br.load_run(b_dir) if b_dir else None
    sa = Scenario(load_yaml_text(run_a.scenario_yaml)) if run_a else Scenario(None)
    sb = Scenario(load_yaml_text(run_b.scenario_yaml)) if run_b else Scenario(None)
    name_a, name_b = cmp.label_a.split(" (")[0], cmp.label_b.split(" (")[0]
    runs = int(t["runs"].iloc[0]) if "runs" in t else int(cmp.manifest.get("runs", 0))
    seed = run_a.manifest.get("seed") if run_a else None
    tick_days = run_a.tick_days if run_a else 7.0
    horizon = run_a.horizon if run_a else None
    facts = [("A", f"<b>{esc(cmp.label_a)}</b>"), ("B", f"<b>{esc(cmp.label_b)}</b>"),
             ("Runs", f"{runs:,} pairs: run <i>k</i> of A and run <i>k</i> of B use the same random numbers")]
    if seed is not None:
        facts.append(("Seed", f"<code>{esc(seed)}</code>"))
    if horizon is not None:
        facts.append(("Horizon", esc(duration(horizon, tick_days))))
    desc_b = sb.get("description")
    lede = f"What changes if we go from <b>{esc(name_a)}</b> to <b>{esc(name_b)}</b>?"
    q = (f'<p class="question">{lede}</p>'
         + (f"<p><b>A</b> is {esc(sa.get('description') or name_a)}<br><b>B</b> is {esc(desc_b)}</p>" if desc_b else "")
         + '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>")
    if sa and sb:
        diff = scenario_diff(sa, sb)
        if diff:
            q += "<h3>What B changes</h3>" + table(["Parameter", f"A: {esc(name_a)}", f"B: {esc(name_b)}"],
                                                   [[f"<code>{esc(k)}</code>", esc(va), esc(vb)] for k, va, vb in diff],
                                                   ["", "num", "num"])
        else:
            q += "<p>The two resolved scenarios have the same parameters.</p>"
    sections = [section("question", "The question", q)]
    cards, rows = [], []
    for r in t.itertuples():
        cards.append(f'<div class="card {r.outcome}"><div class="label">{esc(OUTCOME_WORDS[r.outcome])}</div>'
                     f'<div class="p">{esc(pct(r.p_a))} → {esc(pct(r.p_b))}</div>'
                     f'<div class="ci">{points(r.difference)} points (95% interval {points(r.diff_low)} to {points(r.diff_high)})</div>'
                     f'<div class="sub">{"a real difference" if r.significant else "not distinguishable from chance"} '
                     f'({esc(p_text(r.p_value))})</div></div>')
        rows.append([outcome_cell(r.outcome),
                     f'{esc(pct(r.p_a))} <span class="small">[{esc(interval(r.p_a_low, r.p_a_high))}]</span>',
                     f'{esc(pct(r.p_b))} <span class="small">[{esc(interval(r.p_b_low, r.p_b_high))}]</span>',
                     f'<b>{points(r.difference)}</b> <span class="small">[{points(r.diff_low)} to {points(r.diff_high)}]</span>',
                     esc(p_text(r.p_value)) + (" ✓" if r.significant else "")])
    odds = ('<div class="cards compare">' + "".join(cards) + "</div>"
            + table(["Outcome", f"A: {esc(name_a)}", f"B: {esc(name_b)}", "B − A, percentage points", "McNemar test"], rows,
                    ["", "num", "num", "num", "num"],
                    caption="Probabilities with 95% Wilson intervals; the paired difference with Newcombe's 95% interval "
                            "and the exact McNemar test (✓: p < 0.05)."))
    sections.append(section("odds", "The odds", odds))
    figs = plots.figures(cmp)
    body = figures_html(figs)
    if run_a and run_b:
        body += figures_html({"rung_fan": fan_chart.plot_rung_fan(run_a)}, prefix="A: ")
        body += figures_html({"rung_fan": fan_chart.plot_rung_fan(run_b)}, prefix="B: ")
    sections.append(section("figures", "Figures", body))
    nav = [("question", "Question"), ("odds", "Odds"), ("figures", "Figures")]
    if run_a and run_b and brink:
        sections.append(section("runs", "Same dice, different ending", twin_runs_html(cmp, run_a, run_b, sa, sb, brink)))
        nav.append(("runs", "Same dice"))
    if sb:
        sections.append(section("scenario", f"Scenario B's key parameters ({name_b})", scenario_parameters_html(sb, tick_days)))
        nav.append(("scenario", "Parameters"))
    return page(f"{name_a} vs {name_b}", "Brink crisis simulation · paired comparison", lede, nav, sections,
                footer_html({**(run_a.manifest if run_a else {}), **cmp.manifest}, cmp.path))


def points(x: float) -> str:
    """A difference of probabilities in percentage points, with a true minus sign: '+5.1', '−22.7'."""
    v = 100 * float(x)
    return ("+" if v > 0 else "−" if v < 0 else "±") + f"{abs(v):.1f}"


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def twin_runs_html(cmp, run_a, run_b, sa: Scenario, sb: Scenario, brink: str) -> str:
    """One run id whose ending differs between A and B, in the direction of the biggest change."""
    t = cmp.table
    esc_row = t[t["outcome"] == "escalation"]
    if len(esc_row) and bool(esc_row["significant"].iloc[0]):
        biggest = esc_row.iloc[0]  # a clash that one scenario avoids and the other does not: the story to tell
    else:
        biggest = t.iloc[int(t["difference"].abs().idxmax())]
    o = biggest["outcome"]
    ra = run_a.runs.set_index("run_id")["outcome"]
    rb = run_b.runs.set_index("run_id")["outcome"]
    both = ra.index.intersection(rb.index)
    want_b = biggest["difference"] > 0
    hit = [i for i in both if (rb[i] == o) == want_b and (ra[i] == o) != want_b]
    if not hit:
        return "<p>No run id ends differently in A and B.</p>"
    rid = int(hit[0])
    seed = run_a.manifest.get("seed")
    out = [f"<p>Run {rid} uses exactly the same random numbers in both scenarios (the same events, the same dice for "
           f"each choice), yet it ends in <b>{esc(OUTCOME_WORDS[ra[rid]].lower())}</b> under A and in "
           f"<b>{esc(OUTCOME_WORDS[rb[rid]].lower())}</b> under B. Everything that differs below comes from the "
           f"change of scenario. ({esc(OUTCOME_WORDS[o])}: {points(biggest['difference'])} points from A to B.)</p>"]
    for label, run, s in (("A", run_a, sa), ("B", run_b, sb)):
        try:
            tr = trace_one(brink, run.path / "scenario.yaml", seed, "", rid, 0)
        except ReportError as e:
            out.append(f'<p class="note">No trace for {label}: {esc(e)}</p>')
            continue
        data = tr["json"]
        esc_rung = run.rungs.index(run.escalation_rung) if run.escalation_rung in run.rungs else None
        command = f"brink trace {run.path / 'scenario.yaml'} --seed {seed} --run {rid}"
        story, n_ticks = shorten_story(tr["text"], command)
        out.append(f'<section class="trace {esc(data.get("outcome"))}"><h3>{label}: {esc(run.scenario)} — '
                   f'{outcome_cell(data.get("outcome", "frozen_conflict"))} at {esc(when(data.get("end_tick", 0), run.tick_days))}</h3>'
                   + rung_path_svg(data, s, len(run.rungs), esc_rung, run.tick_days)
                   + "<h4>When the ladder moved</h4>" + turning_points(data, s, run.tick_days)
                   + f"<details><summary>The story, tick by tick ({n_ticks} ticks)</summary>"
                   + f'<pre class="story">{esc(story)}</pre></details></section>')
    return "\n".join(out)


# ---------------------------------------------------------------- sweep and sensitivity

def report_sweep(sw: br.SweepResult, brink: str | None) -> str:
    m = sw.manifest
    params = sw.parameters
    t = sw.table
    base = None
    point0 = sw.path / "points" / "0000"
    s = Scenario(load_yaml_file(point0 / "scenario.yaml"))
    if (point0 / "summary.json").is_file():
        base = br.read_json(point0 / "summary.json")
    tick_days = float(base.get("tick_days", 7)) if base else 7.0
    horizon = int(base["horizon"]) if base and "horizon" in base else None
    scenario_name = (base or {}).get("scenario") or s.get("name") or ""
    def values_of(p) -> str:
        distinct = list(dict.fromkeys(t[p]))
        if len(distinct) <= 12 and (sw.is_grid() or not sw.is_numeric(p)):
            return esc(", ".join(num(v) for v in distinct))  # in the sweep's order
        if sw.is_numeric(p):
            return f"{len(distinct)} values from {esc(num(t[p].min()))} to {esc(num(t[p].max()))}"
        return f"{len(distinct)} values"

    values = "".join(f"<li><code>{esc(p)}</code>: {values_of(p)}</li>" for p in params)
    facts = [("Scenario", f"<b>{esc(scenario_name)}</b>"),
             ("Points", f"{len(t):,}" + (f" of {m['points']:,}" if m.get("points") and m["points"] != len(t) else "")),
             ("Runs per point", f"{int(m.get('runs_per_point', t['runs'].max())):,}")]
    if m.get("seed") is not None:
        facts.append(("Seed", f"<code>{esc(m['seed'])}</code>, the same run ids at every point (common random numbers)"))
    if horizon is not None:
        facts.append(("Horizon", esc(duration(horizon, tick_days))))
    lede = "How do the odds move as " + " and ".join(f"<code>{esc(p.split('.')[-1])}</code>" for p in params) + " change?"
    q = (f'<p class="question">{lede}</p><p>Varied:</p><ul>{values}</ul>'
         + '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>")
    sections = [section("question", "The question", q)]
    rows = []
    for r in t.to_dict("records"):
        cells = [str(r["point"])] + [esc(num(r[p])) for p in params]
        for o in br.OUTCOMES:
            cells.append(f'{esc(pct(r[f"p_{o}"]))} <span class="small">[{esc(interval(r[f"p_{o}_low"], r[f"p_{o}_high"]))}]</span>')
        cells.append(f"{int(r['runs']):,}")
        rows.append(cells)
    heads = ["Point"] + [f"<code>{esc(p.split('.')[-1])}</code>" for p in params] + \
            [f'{outcome_cell(o)}' for o in br.OUTCOMES] + ["Runs"]
    sections.append(section("odds", "The odds at each point",
                            table(heads, rows, ["num"] * (1 + len(params)) + ["num"] * 3 + ["num"],
                                  caption="Probability and 95% Wilson interval of each outcome at each point.")))
    sections.append(section("figures", "Figures", figures_html(plots.figures(sw))))
    nav = [("question", "Question"), ("odds", "Odds"), ("figures", "Figures")]
    if s:
        sections.append(section("scenario", "The scenario's key parameters (at point 0)",
                                "<p>The swept parameters take each point's value; everything else is as below.</p>"
                                + scenario_parameters_html(s, tick_days)))
        nav.append(("scenario", "Parameters"))
    return page(f"Sweep of {scenario_name}" if scenario_name else "Sweep", "Brink crisis simulation · parameter sweep",
                lede, nav, sections, footer_html(m, sw.path))


def report_sensitivity(se: br.SensitivityResult, brink: str | None) -> str:
    m = se.manifest
    target = OUTCOME_WORDS.get(se.outcome, se.outcome).lower()
    lede = f"Which parameters drive the odds of {esc(target)}, and how much?"
    ranges = se.table.drop_duplicates("parameter").set_index("parameter")[["low", "high"]]
    facts = [("Scenario", f"<b>{esc(m.get('scenario', ''))}</b>"), ("Outcome", esc(target))]
    if m.get("sobol_base_samples"):
        facts.append(("Sobol design", f"{int(m['sobol_base_samples']):,} base samples"))
    if m.get("morris_trajectories"):
        facts.append(("Morris design", f"{int(m['morris_trajectories']):,} trajectories, {esc(m.get('morris_levels', ''))} levels"))
    if m.get("runs_per_point"):
        facts.append(("Runs per point", f"{int(m['runs_per_point']):,}"))
    if m.get("seed") is not None:
        facts.append(("Seed", f"<code>{esc(m['seed'])}</code>"))
    q = (f'<p class="question">{lede}</p><p>Parameters and their ranges:</p><ul>'
         + "".join(f"<li><code>{esc(p)}</code>: {esc(num(r.low))} to {esc(num(r.high))}</li>" for p, r in ranges.iterrows())
         + "</ul>" + '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>")
    sections = [section("question", "The question", q)]
    sob, mor = se.wide("sobol"), se.wide("morris")
    rows = []
    for p in se.parameters:
        cells = [f"<code>{esc(p)}</code>", f"{esc(num(ranges.loc[p, 'low']))} – {esc(num(ranges.loc[p, 'high']))}"]
        for w, idx in ((sob, "S1"), (sob, "ST")):
            if not w.empty and idx in w and p in w.index:
                cells.append(f"{w.loc[p, idx]:.2f} <span class=\"small\">[{w.loc[p, idx + '_low']:.2f}, {w.loc[p, idx + '_high']:.2f}]</span>")
            else:
                cells.append("—")
        for idx in ("mu_star", "sigma"):
            cells.append(f"{100 * mor.loc[p, idx]:.1f}" if not mor.empty and idx in mor and p in mor.index else "—")
        rows.append(cells)
    sections.append(section("odds", "The indices",
                            table(["Parameter", "Range", "Sobol S1", "Sobol ST", "Morris μ* (points)", "Morris σ (points)"],
                                  rows, ["", "num", "num", "num", "num", "num"],
                                  caption="S1, ST: share of the variance of the odds (95% bootstrap intervals). "
                                          "μ*, σ: change of the odds in percentage points over the parameter's range.")))
    sections.append(section("figures", "Figures", figures_html(plots.figures(se))))
    nav = [("question", "Question"), ("odds", "Indices"), ("figures", "Figures")]
    return page(f"Sensitivity of {m.get('scenario', 'a scenario')}", "Brink crisis simulation · sensitivity analysis",
                lede, nav, sections, footer_html(m, se.path))


def report_history(h, brink: str | None) -> str:
    """A `brink backtest` or `brink run --given` folder: the odds by date, the forecasts beside them,
    for a back-test the scores, and the figures of history_plot.py."""
    import history_plot
    m = h.manifest
    timeline = (m.get("timeline") or {}).get("file", "")
    backtest = h.kind == "backtest"
    dates = h.dates
    day = lambda d: pd.Timestamp(d).strftime("%Y-%m-%d")  # noqa: E731
    lede = ("How well would this scenario's odds have done against what happened, beside the published forecasts?"
            if backtest else "What are the odds, given what had been observed by each date?")
    span = day(dates[0]) if len(dates) == 1 else f"{len(dates)} dates, {day(dates[0])} to {day(dates[-1])}"
    facts = [("Scenario", f"<b>{esc(h.scenario)}</b>"), ("Timeline", f"<code>{esc(timeline)}</code>"), ("As of", esc(span)),
             ("Runs", f"{int(m.get('particles', 0)):,}"), ("Seed", f"<code>{esc(m.get('seed', ''))}</code>"),
             ("ESS floor", f"{int(m.get('ess_floor', 0)):,}")]
    q = (f'<p class="question">{lede}</p><dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"
         "<p>Brink's odds are conditioned on every observation of the timeline decided by the date (sequential Monte Carlo; "
         "docs/timelines.md); their 95% intervals are Wilson's at the smallest effective sample size (ESS) of the stages.</p>")
    sections = [section("question", "The question", q)]
    nav = [("question", "Question")]

    # The odds of each question by date, with the ESS and what had been observed.
    odds = h.odds
    by = {(r.as_of, r.kind, r.name): r for r in odds.itertuples()}
    heads = ["As of", "ESS", "P(all observed)"] + [f"<code>{esc(n)}</code>" for n in h.questions]
    rows = []
    for d in dates:
        first = odds[odds["as_of"] == d].iloc[0]
        seen = by.get((d, "observations", "all"))
        cells = [esc(day(d)), f"{float(first['ess']):,.0f} of {int(first['particles']):,}", pct(seen.probability) if seen else "—"]
        for n in h.questions:
            r = by.get((d, "question", n))
            cells.append(f'{esc(pct(r.probability))} <span class="small">[{esc(interval(r.low, r.high))}]</span>' if r else "—")
        rows.append(cells)
    resolved = ", ".join(f"<code>{esc(n)}</code> {'yes' if h.resolution(n) else 'no'}" for n in h.questions
                         if h.resolution(n) is not None)
    body = table(heads, rows, ["", "num", "num"] + ["num"] * len(h.questions),
                 caption="Brink's probability of each question with its 95% interval as of each date. "
                         + (f"Resolutions: {resolved}." if resolved else ""))
    stages = h.observed_on()
    if len(stages):
        body += "<h3>What was observed, and when</h3>" + table(
            ["Decided on", "Tick", "Observations"],
            [[esc(day(s.date)), str(int(s.tick)), esc(s.observations.replace(";", ", "))] for s in stages.itertuples()],
            ["", "num", ""])
    sections.append(section("odds", "The odds by date", body))
    nav.append(("odds", "Odds"))

    # The published forecasts, with Brink's probability as of the same date beside each.
    if backtest:
        fc = h.backtest[h.backtest["who"] != history_plot.BRINK]
        pairs = [(r.question, r.who, r.date, r.probability, r.brink_probability, r.resolution, f"{r.brier:.3f}")
                 for r in fc.itertuples()]
    else:
        pairs = []
        for r in h.forecasts.itertuples():
            before = [d for d in dates if d <= r.date]
            mine = by.get((before[-1], "question", r.question)) if before else None
            pairs.append((r.question, r.who, r.date, r.probability, mine.probability if mine else float("nan"), r.resolution, "—"))
    if pairs:
        rows = [[f"<code>{esc(qn)}</code>", esc(who), esc(day(d)), esc(pct(p)), esc(pct(b)) if b == b else "—",
                 "yes" if res else "no", brier] for qn, who, d, p, b, res, brier in pairs]
        note = ("Brink as of the same date (a forecast before the scenario's start is paired with Brink at the start)."
                if backtest else "Brink as of the latest as-of date on or before the forecast's date (— when none).")
        heads, classes = ["Question", "Forecaster", "Date", "Forecast", "Brink", "Resolved", "Brier"], ["", "", "", "num", "num", "", "num"]
        keep = len(heads) if backtest else len(heads) - 1  # a given folder scores nothing
        sections.append(section("forecasts", "The published forecasts",
                                 table(heads[:keep], [r[:keep] for r in rows], classes[:keep], caption=note)))
        nav.append(("forecasts", "Forecasts"))

    if backtest:
        rows = [[esc(r.question), esc(day(r.date)), esc(pct(r.probability)), esc(interval(r.low, r.high)),
                 "yes" if r.resolution else "no", f"{r.brier:.3f}", f"{r.log:.3f}"]
                for r in h.backtest[h.backtest["who"] == history_plot.BRINK].itertuples()]
        body = table(["Question", "As of", "Brink", "95% interval", "Resolved", "Brier", "Log"], rows,
                     ["", "", "num", "num", "", "num", "num"],
                     caption="Brier (p − y)²; log −ln of the probability given to what happened "
                             "(p clipped to [1e-4, 1 − 1e-4]). Lower is better; always saying 50% scores 0.250 and 0.693.")
        rows = [[esc(r.who), f"{int(r.count)}", f"{r.brier:.3f}", f"{r.log:.3f}", f"{r.brink_brier:.3f}", f"{r.brink_log:.3f}"]
                for r in h.scores.itertuples()]
        body += "<h3>Mean scores beside the forecasters</h3>" + table(
            ["Forecaster", "Forecasts", "Brier", "Log", "Brink's Brier", "Brink's log"], rows,
            ["", "num", "num", "num", "num", "num"],
            caption="Brink's scores on the same questions, as of the same dates (paired).")
        sections.append(section("scores", "Scores", body))
        nav.append(("scores", "Scores"))
    sections.append(section("figures", "Figures", figures_html(history_plot.figures(h))))
    nav.append(("figures", "Figures"))
    title = f"{'Back-test' if backtest else 'Odds as events unfold'}: {h.scenario}"
    return page(title, "Brink crisis simulation · history", lede, nav, sections, footer_html(m, h.folder))


# ---------------------------------------------------------------- main

def build(folder: Path, brink: str | None) -> str:
    result = br.load(folder)
    pages = {"run": report_run, "compare": report_compare, "sweep": report_sweep, "sensitivity": report_sensitivity,
             "given": report_history, "backtest": report_history}
    if result.kind not in pages:  # e.g. calibration: a folder kind with figures (plot.py) but no page yet
        raise br.BrinkResultError(f"{folder} is a Brink {result.kind} folder; report.py writes pages for "
                                  f"{', '.join(dict.fromkeys(pages))} folders (analysis/plot.py draws its figures)")
    return pages[result.kind](result, brink)


def write_atomically(path: Path, text: str):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def find_brink(given: str | None) -> str | None:
    if given:
        return given
    return os.environ.get("BRINK") or shutil.which("brink")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Write one self-contained HTML report of a Brink result folder "
                                            "(run, sweep, compare, sensitivity, branch, given or backtest).")
    p.add_argument("result_dir", metavar="RESULT_DIR", help="a Brink result folder (the --out of a brink command)")
    p.add_argument("--brink", metavar="PATH", help="the brink binary, for the sample runs (default: $BRINK, else brink on PATH)")
    p.add_argument("--out", metavar="FILE", help="the HTML file to write (default: RESULT_DIR/report.html)")
    args = p.parse_args(argv)
    prog = "brink report" if os.environ.get("BRINK_REPORT_PROG") else Path(sys.argv[0]).name
    folder = Path(args.result_dir)
    brink = find_brink(args.brink)
    if brink and not (Path(brink).is_file() and os.access(brink, os.X_OK)) and not shutil.which(brink):
        print(f"{prog}: error: --brink {brink} is not an executable file", file=sys.stderr)
        return EXIT_NOT_A_RESULT
    try:
        text = build(folder, brink)
        out = Path(args.out) if args.out else folder / "report.html"
        write_atomically(out, text)
    except br.BrinkResultError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_NOT_A_RESULT
    except (ReportError, OSError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_FAILED
    print(out)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
