#!/usr/bin/env bash
# A trace replays exactly the run whose row is in runs.csv: every column of the row (outcome,
# end tick and day, max and final rung, the first tick at each rung, every final variable,
# every action count) is rebuilt from `brink trace --format csv` and, separately, from
# `--format json`, and must equal the row exactly (numbers compared as the doubles they print).
# The version-2 columns (nuclear levels, commitments, hidden modes) are rebuilt from the JSON;
# each rung's history (last tick at it, ticks there) from both, and the dates (a scenario with
# run.start_date) from the CSV trace's date column.
# The outcome of a run that reached the horizon is checked against outcomes.war_rung too.
source "$(dirname "$0")/lib.sh"

# row_matches_trace RUNS_CSV RUN_ID TRACE_CSV TRACE_JSON: exit 0 when both traces rebuild the row.
row_matches_trace() {
  /usr/bin/python3 - "$@" <<'PY'
import csv, json, sys

runs_csv, run_id, trace_csv, trace_json = sys.argv[1:5]
with open(runs_csv, newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = [r for r in reader if r[0] == run_id]
if len(rows) != 1:
    sys.exit(f"runs.csv has {len(rows)} rows for run {run_id}")
row = dict(zip(header, rows[0]))
V2_PREFIXES = ("max_level", "final_level", "first_tick_level_", "honoured_", "bluffed_", "credibility_", "first_tick_mode_")
v2_columns = [c for c in header if c.startswith(V2_PREFIXES)]
HISTORY_PREFIXES = ("last_tick_", "ticks_at_", "end_date", "first_date_")
history_columns = [c for c in header if c.startswith(HISTORY_PREFIXES)]
rung_columns = [c for c in header if c.startswith("first_tick_") and c not in v2_columns]   # lowest rung first
rung_ids = [c[len("first_tick_"):] for c in rung_columns]


def rebuild(run, seed, initial_rung, ticks, variables, leaders):
    """The runs.csv row of a run from its ticks: (tick, day or None, rung after, {variable: value},
    {leader: action}) in tick order. Values are strings or numbers, as printed or parsed."""
    r = {"run_id": run, "seed": seed, "end_tick": ticks[-1][0], "final_rung": ticks[-1][2]}
    if ticks[-1][1] is not None:
        r["end_day"] = ticks[-1][1]
    rungs = [initial_rung] + [t[2] for t in ticks]
    r["max_rung"] = max(rungs)
    for i, column in enumerate(rung_columns):
        first = [k for k, rung in enumerate(rungs) if rung == i]
        r[column] = first[0] if first else ""
        if "last_tick_" + rung_ids[i] in history_columns:
            r["last_tick_" + rung_ids[i]] = first[-1] if first else ""
            r["ticks_at_" + rung_ids[i]] = sum(1 for rung in rungs[1:] if rung == i)
    for v in variables:
        r["final_" + v] = ticks[-1][3][v]
    for leader, menu in leaders.items():
        for action in menu:
            r[f"{leader}_{action}"] = 0
    for t in ticks:
        for leader, action in t[4].items():
            key = f"{leader}_{action}"
            if key not in r:
                sys.exit(f"trace: {leader} chose {action}, which has no runs.csv column")
            r[key] += 1
    return r


def menus(leader_ids):
    """Leader -> its actions, from the runs.csv columns after the last final_ column."""
    last_final = max(i for i, c in enumerate(header) if c.startswith("final_") and c not in ("final_rung", "final_level"))
    out = {}
    for c in header[last_final + 1:]:
        if c in v2_columns or c in history_columns:
            break
        leader = next((l for l in sorted(leader_ids, key=len, reverse=True) if c.startswith(l + "_")), None)
        if leader is None:
            sys.exit(f"runs.csv column {c} names no leader of the trace ({leader_ids})")
        out.setdefault(leader, []).append(c[len(leader) + 1:])
    return out


def same(a, b):
    """Equal as printed, or as the integers or doubles they print."""
    a, b = str(a), str(b)
    if a == b:
        return True
    for parse in (int, float):
        try:
            return parse(a) == parse(b)
        except ValueError:
            pass
    return False


def compare(source, rebuilt):
    bad = [f"{c}: runs.csv {row[c]!r}, {source} {rebuilt[c]!r}" for c in rebuilt if not same(row[c], rebuilt[c])]
    return bad


# From the CSV trace: one line per leader per tick.
with open(trace_csv, newline="") as f:
    lines = list(csv.DictReader(f))
tcols = list(lines[0].keys())
variables = tcols[tcols.index("events") + 1:]
leader_ids = list(dict.fromkeys(l["leader"] for l in lines))
csv_ticks = []
for l in lines:
    if not csv_ticks or csv_ticks[-1][0] != int(l["tick"]):
        csv_ticks.append((int(l["tick"]), l["day"], int(l["rung_after"]), {v: l[v] for v in variables}, {}))
    csv_ticks[-1][4][l["leader"]] = l["action"]
from_csv = rebuild(lines[0]["run_id"], lines[0]["seed"], int(lines[0]["rung_before"]), csv_ticks, variables,
                   menus(leader_ids))
if "date" in tcols:  # the calendar: tick t's date is start + t * tick_days (the day column)
    import datetime
    dates = {int(l["tick"]): l["date"] for l in lines}
    first_line = lines[0]
    tick_days = float(first_line["day"]) / int(first_line["tick"])
    half_up = lambda x: int(x + 0.5)  # Brink rounds half days up (std::lround), not to even
    start = datetime.date.fromisoformat(first_line["date"]) - datetime.timedelta(days=half_up(float(first_line["day"])))
    date_of = lambda t: (start + datetime.timedelta(days=half_up(t * tick_days))).isoformat()
    if any(date_of(t) != d for t, d in dates.items()):
        sys.exit("trace csv: dates that are not start + round(tick * tick_days)")
    from_csv["end_date"] = dates[csv_ticks[-1][0]]
    for rung_id in rung_ids:
        t = from_csv["first_tick_" + rung_id]
        from_csv["first_date_" + rung_id] = "" if t == "" else date_of(t)

# From the JSON trace.
with open(trace_json) as f:
    j = json.load(f)
json_ticks = [(t["tick"], None, t["rung"], t["state"], {l["leader"]: l["action"] for l in t["leaders"]})
              for t in j["ticks"]]
if "date" in tcols and any(t.get("date") != dates[t["tick"]] for t in j["ticks"]):
    sys.exit("trace json and csv give different dates")
from_json = rebuild(j["run_id"], j["seed"], j["initial_rung"], json_ticks, list(j["initial_state"]),
                    menus([l["leader"] for l in j["ticks"][0]["leaders"]]))
from_json["outcome"] = j["outcome"]


def rebuild_v2(j):
    """The version-2 cells of the row from the JSON trace: nuclear levels, commitments, modes."""
    r = {}
    ticks = j["ticks"]
    if "max_level" in v2_columns:
        levels = [ticks[0]["level_before"]] + [t["level"] for t in ticks]
        r["max_level"], r["final_level"] = max(levels), levels[-1]
        for i, column in enumerate(c for c in v2_columns if c.startswith("first_tick_level_")):
            first = [k for k, level in enumerate(levels) if level == i]
            r[column] = first[0] if first else ""
    for c in v2_columns:
        for key in ("honoured", "bluffed"):
            if c.startswith(key + "_"):
                r[c] = sum(t[key].count(c[len(key) + 1:]) for t in ticks)
        if c.startswith("credibility_"):
            r[c] = j["final_credibility"][c[len("credibility_"):]]
    initial = set()
    for c in (c for c in v2_columns if c.startswith("first_tick_mode_")):
        rest = c[len("first_tick_mode_"):]
        leader = next(l["leader"] for l in ticks[0]["leaders"] if rest.startswith(l["leader"] + "_"))
        mode = rest[len(leader) + 1:]
        if leader not in initial:  # a leader's first mode is its initial one
            initial.add(leader)
            r[c] = 0
            continue
        seen = [t["tick"] for t in ticks for l in t["leaders"] if l["leader"] == leader and l.get("mode") == mode]
        r[c] = seen[0] if seen else ""
    return r


from_json.update(rebuild_v2(j))
# A run that reached the horizon: ongoing war at or above outcomes.war_rung, else frozen conflict.
war_rung = int(sys.argv[5]) if len(sys.argv) > 5 else -1
if j["outcome"] in ("frozen_conflict", "ongoing_war"):
    expected = "ongoing_war" if war_rung >= 0 and from_json["final_rung"] >= war_rung else "frozen_conflict"
    if j["outcome"] != expected:
        sys.exit(f"run {run_id}: final rung {from_json['final_rung']} with war rung {war_rung} should be {expected}, "
                 f"the trace says {j['outcome']}")
for key in ("end_tick", "max_rung"):  # stated in the JSON as well as implied by its ticks
    if j[key] != from_json[key]:
        sys.exit(f"trace json: {key} {j[key]} but its ticks give {from_json[key]}")

unchecked = [c for c in header if c not in from_csv and c not in from_json]
if unchecked:
    sys.exit(f"runs.csv columns no trace format rebuilds: {unchecked}")
bad = compare("trace csv", from_csv) + compare("trace json", from_json)
if bad:
    sys.exit(f"run {run_id}: " + "; ".join(bad))
PY
}

# check_runs SCENARIO SEED RUNS [--set ...]: runs a batch, then traces the rows chosen below.
check_runs() {
  local scenario=$1 seed=$2 runs=$3; shift 3
  batches=$((batches + 1))
  local out="$WORK/r$batches"
  "$BRINK" run "$scenario" --runs "$runs" --seed "$seed" "$@" --out "$out" --quiet >/dev/null || { fail "run $scenario"; return; }
  local ids="0 7 $((runs - 1))" o id
  for o in escalation deescalation frozen_conflict ongoing_war; do  # the first run of each outcome the batch has
    id=$(awk -F, -v o="$o" 'NR > 1 && $3 == o {print $1; exit}' "$out/runs.csv")
    [ -n "$id" ] && ids="$ids $id"
  done
  for id in $ids; do
    row=$(awk -F, -v id="$id" 'NR > 1 && $1 == id' "$out/runs.csv")
    outcome=$(echo "$row" | cut -d, -f3)
    end_tick=$(echo "$row" | cut -d, -f4)
    "$BRINK" trace "$scenario" --run "$id" --seed "$seed" "$@" --format csv > "$WORK/t.csv" || fail "trace $id"
    "$BRINK" trace "$scenario" --run "$id" --seed "$seed" "$@" --format json > "$WORK/t.json" || fail "trace $id json"
    if row_matches_trace "$out/runs.csv" "$id" "$WORK/t.csv" "$WORK/t.json" "$WAR_RUNG"; then pass; else fail "$scenario run $id: trace differs from runs.csv"; fi
    "$BRINK" trace "$scenario" --run "$id" --seed "$seed" "$@" > "$WORK/t.txt"
    grep -q "^Outcome: $outcome at tick $end_tick " "$WORK/t.txt" && pass || fail "$scenario run $id: story header wrong"
  done
}

batches=0
WAR_RUNG=-1
check_runs "$SMALL" 9 300
check_runs "$SMALL" 9 300 --set run.horizon=4   # mostly frozen conflicts
check_runs "$SMALL" 9 300 --set run.start_date=2024-02-20 --set run.tick_days=2.5   # dates over a leap day, half days
WAR_RUNG=6   # conventional_war
check_runs scenarios/baseline.yaml 5 200       # 18 variables, events, every outcome, nuclear track, commitments, modes
# Every outcome of the baseline appears (one war rung, two horizon outcomes):
for o in escalation deescalation frozen_conflict ongoing_war; do
  grep -q ",$o," "$WORK/r$batches/runs.csv" && pass || fail "baseline batch has no $o"
done

# --outcome finds the first run with that outcome, and that run's row agrees.
"$BRINK" run "$SMALL" --runs 300 --seed 9 --out "$WORK/s" --quiet >/dev/null || fail "run"
"$BRINK" trace "$SMALL" --seed 9 --outcome escalation --format json > "$WORK/e.json" || fail "trace --outcome"
id=$(grep -m1 '"run_id"' "$WORK/e.json" | tr -dc '0-9')
first=$(awk -F, 'NR > 1 && $3 == "escalation" {print $1; exit}' "$WORK/s/runs.csv")
[ "$id" = "$first" ] && pass || fail "--outcome escalation found run $id, runs.csv's first is $first"
expect_exit 2 "bad format" -- "$BRINK" trace "$SMALL" --format xml
expect_stderr "--format must be text, csv or json"
finish
