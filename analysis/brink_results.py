"""Load Brink result folders into pandas, with checks.

A Brink result folder is one of these kinds, named by "kind" in its
manifest.json (or, without a manifest, recognised by the CSV files it holds):

  run          runs.csv, summary.csv, summary.json, timeseries.csv   (brink run; brink branch too)
  sweep        sweep.csv                                             (brink sweep)
  compare      compare.csv                                           (brink compare)
  sensitivity  sensitivity.csv                                       (brink sensitivity)
  given        odds.csv, stages.csv, forecasts.csv                   (brink run --given; history_plot.py)
  backtest     backtest.csv, scores.csv, reliability.csv + given's   (brink backtest; history_plot.py)
  calibration  posterior.csv, diagnostics.csv, summary.csv           (brink calibrate; calibration_plot.py)

    >>> import brink_results as br
    >>> r = br.load("results/baseline")          # RunResult, SweepResult, ...
    >>> r.probabilities()                         # outcome odds with 95% intervals
    >>> r.manifest["seed"], list(r.tables)        # the manifest; every CSV file: ['errors', 'runs', ...]
    >>> r.tables["runs"].dtypes                   # each column typed (COLUMN_TYPES)

Anything that is not a readable Brink folder raises BrinkResultError with a
message fit for a user; the command-line scripts print it and exit with code 2.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

# A run that reaches the horizon is an ongoing war (final rung >= outcomes.war_rung) or a frozen conflict.
OUTCOMES = ("escalation", "deescalation", "frozen_conflict", "ongoing_war")
OUTCOME_LABELS = {"escalation": "Escalation", "deescalation": "De-escalation", "frozen_conflict": "Frozen conflict",
                  "ongoing_war": "Ongoing war"}
HORIZON_OUTCOMES = ("frozen_conflict", "ongoing_war")
HISTORY_KINDS = ("given", "backtest")  # loaded by history_plot.load_history
CALIBRATION_KIND = "calibration"  # loaded by calibration_plot.load_calibration
KINDS = ("run", "sweep", "compare", "sensitivity") + HISTORY_KINDS + (CALIBRATION_KIND,)
# The file that marks each kind when there is no manifest.json.
KIND_FILES = {"sweep": "sweep.csv", "compare": "compare.csv", "sensitivity": "sensitivity.csv", "run": "summary.csv",
              "backtest": "backtest.csv", "given": "odds.csv", "calibration": "posterior.csv"}

EXIT_NOT_A_RESULT = 2


class BrinkResultError(Exception):
    """The folder is not a Brink result folder, or one of its files is malformed."""


# ---------------------------------------------------------------- CSV reading with dtype checks

def _fail(path: Path, message: str):
    raise BrinkResultError(f"{path}: {message}")


def read_table(path: Path, columns: dict[str, str], *, usecols=None) -> pd.DataFrame:
    """Reads a CSV and checks that each column in `columns` exists and has the given type.

    Types: "int" (no gaps), "int?" (integers, empty allowed -> pandas Int64), "uint" (0 ... 2^64-1),
    "float" (no gaps), "float?" (empty allowed -> NaN), "str", "outcome" (one of OUTCOMES), "outcome?"
    (also empty), "bool" (true/false), "bool?" (empty -> <NA>), "date" / "date?" (YYYY-MM-DD ->
    datetime64, empty -> NaT), "category". Other columns: numbers where every value parses as one.
    """
    path = Path(path)
    if not path.is_file():
        _fail(path, "file is missing")
    try:
        df = pd.read_csv(path, usecols=usecols, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        _fail(path, "file is empty (no header line)")
    except (pd.errors.ParserError, UnicodeDecodeError) as e:
        _fail(path, f"is not a readable CSV file ({str(e).strip().splitlines()[0]})")
    except ValueError as e:  # usecols names a column that is not there
        _fail(path, f"unexpected columns ({e})")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        _fail(path, f"missing column(s) {', '.join(missing)}; has {', '.join(df.columns[:12])}"
              + (" ..." if len(df.columns) > 12 else ""))
    for col, kind in columns.items():
        df[col] = _convert(path, df, col, kind)
    # Columns not declared: numbers where they parse as numbers.
    for col in df.columns:
        if col not in columns:
            converted = pd.to_numeric(df[col], errors="coerce")
            if converted.notna().sum() == df[col].notna().sum():
                df[col] = converted if pd.api.types.is_integer_dtype(converted) else _exact_floats(df[col])
    return df


def _convert(path: Path, df: pd.DataFrame, col: str, kind: str) -> pd.Series:
    raw = df[col]
    optional = kind.endswith("?")
    base = kind.rstrip("?")
    if not optional and raw.isna().any():
        row = int(raw.isna().to_numpy().nonzero()[0][0])
        _fail(path, f"column {col} is empty in data row {row + 1}")
    if base in ("int", "float"):
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            _fail(path, f"column {col} should hold numbers; data row {row + 1} has {raw.iloc[row]!r}")
        if base == "int":
            finite = values.dropna()
            if not np.all(np.equal(np.floor(finite), finite)):
                _fail(path, f"column {col} should hold whole numbers")
            return values.astype("Int64") if optional else values.astype("int64")
        return _exact_floats(raw)
    if base == "outcome":
        bad = raw.notna() & ~raw.isin(OUTCOMES)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            older = (" (a 'stalemate' is from an older Brink, before runs at the horizon split into frozen_conflict and "
                     "ongoing_war; run the batch again)" if raw.iloc[row] == "stalemate" else "")
            _fail(path, f"column {col} should be one of {', '.join(OUTCOMES)}; data row {row + 1} has {raw.iloc[row]!r}{older}")
        return raw
    if base == "bool":
        lowered = raw.str.strip().str.lower()
        bad = raw.notna() & ~lowered.isin(["true", "false", "1", "0"])
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            _fail(path, f"column {col} should be true or false; data row {row + 1} has {raw.iloc[row]!r}")
        if optional:  # pandas' nullable boolean: an empty cell is <NA>, not False
            return lowered.map({"true": True, "1": True, "false": False, "0": False}).astype("boolean")
        return lowered.isin(["true", "1"])
    if base == "uint":  # a seed: 0 ... 2^64 - 1 does not fit int64
        values = pd.to_numeric(raw, errors="coerce")
        if (values.isna() & raw.notna()).any() or (values.dropna() < 0).any():
            _fail(path, f"column {col} should hold whole numbers 0 to 2^64-1")
        return values.astype("uint64")
    if base == "date":
        values = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
        bad = values.isna() & raw.notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            _fail(path, f"column {col} should hold dates YYYY-MM-DD; data row {row + 1} has {raw.iloc[row]!r}")
        return values
    if base == "category":
        return raw.astype("category")
    return raw


def _exact_floats(raw: pd.Series) -> pd.Series:
    """Text to float64, correctly rounded (Python's float): pandas' fast parser (to_numeric, read_csv's
    default) can miss the nearest double by one unit in the last place, and Brink writes round-trip digits."""
    return raw.astype("float64")


def read_json(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        _fail(Path(path), f"is not valid JSON ({e})")
    except OSError as e:
        _fail(Path(path), f"cannot be read ({e.strerror})")
    if not isinstance(data, dict):
        _fail(Path(path), "should hold a JSON object")
    return data


# ---------------------------------------------------------------- kind detection

def read_manifest(folder) -> dict | None:
    path = Path(folder) / "manifest.json"
    return read_json(path) if path.is_file() else None


def detect_kind(folder) -> str:
    """The folder's kind: the manifest's "kind", else the kind whose CSV file is there."""
    folder = Path(folder)
    if not folder.exists():
        raise BrinkResultError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise BrinkResultError(f"{folder} is not a folder; give a Brink result folder (the --out of brink run, sweep, compare or sensitivity)")
    manifest = read_manifest(folder)
    if manifest is not None and manifest.get("kind") in KINDS:
        return manifest["kind"]
    if manifest is not None and manifest.get("kind") == "branch":
        return "run"  # brink branch writes a run folder (plus state.yaml)
    found = [kind for kind, name in KIND_FILES.items() if (folder / name).is_file()]
    if "backtest" in found and "given" in found:
        found.remove("given")  # a back-test holds the as-of files too
    if "calibration" in found and "run" in found:
        found.remove("run")  # a calibration's summary.csv is per parameter, not a run's
    if len(found) == 1:
        return found[0]
    if not found and ((folder / "runs.csv").is_file() or (folder / "timeseries.csv").is_file()):
        return "run"
    if (folder / "checkpoint.bin").is_file():
        raise BrinkResultError(f"{folder} is an unfinished Brink batch (checkpoint.bin, no results yet); "
                               f"finish it with `brink run --resume {folder}` first")
    if len(found) > 1:
        raise BrinkResultError(f"{folder} holds {', '.join(KIND_FILES[k] for k in found)} and no manifest.json "
                               "saying which kind of result it is")
    if manifest is not None:
        raise BrinkResultError(f"{folder}/manifest.json has kind {manifest.get('kind')!r}, "
                               f"not one of {', '.join(KINDS)}, and the folder holds none of their CSV files")
    raise BrinkResultError(f"{folder} is not a Brink result folder (no manifest.json, and none of "
                           "summary.csv, runs.csv, sweep.csv, compare.csv, sensitivity.csv, odds.csv, backtest.csv, posterior.csv)")


def load(folder):
    """Loads any kind of result folder; returns RunResult, SweepResult, CompareResult, SensitivityResult
    or (given, backtest) history_plot.HistoryResult, or (calibration) calibration_plot.CalibrationResult."""
    kind = detect_kind(folder)
    if kind in HISTORY_KINDS:
        import history_plot  # its own module: the history folders' loader lives beside their figures
        return history_plot.load_history(folder, kind)
    if kind == CALIBRATION_KIND:
        import calibration_plot  # as for history: the loader lives beside the figures
        return calibration_plot.load_calibration(folder)
    return {"run": load_run, "sweep": load_sweep, "compare": load_compare, "sensitivity": load_sensitivity}[kind](folder)


# ---------------------------------------------------------------- every file of a folder, typed

# The type of each column of every CSV file Brink writes (docs/outputs.md, docs/timelines.md,
# docs/calibration.md): (pattern, type) pairs, the first full match wins. A column no pattern
# names (a leader's action counts, a swept or calibrated parameter) is typed by its values:
# whole numbers -> int64 (Int64 when some are empty), other numbers -> float64, else text.
_FIRST_PASSAGE = (r"first_tick_.*|last_tick_.*", "int?")
_PROBABILITY = (r"probability|low|high", "float?")
COLUMN_TYPES = {
    "runs.csv": [("run_id|end_tick|max_rung|final_rung|max_level|final_level|parameter_set", "int"), ("seed", "uint"),
                 ("outcome", "outcome"), ("end_day", "float"), _FIRST_PASSAGE,
                 (r"ticks_at_.*|honoured_.*|bluffed_.*", "int"), (r"final_.*|credibility_.*", "float"),
                 (r"end_date|first_date_.*", "date?")],
    "errors.csv": [("run_id", "int"), ("seed", "uint"), ("error", "str")],
    "events.csv": [("run_id|tick", "int"), ("date", "date?"), ("kind", "category"), ("who|what|detail", "str?")],
    "summary.csv": [("quantity", "category"), ("outcome|rung", "str?"), ("tick", "int?"),
                    ("value|ci_low|ci_high", "float?"), ("count|runs", "int")],
    "timeseries.csv": [("tick|active_runs", "int"), ("day", "float"), ("date", "date?"), (".*", "float?")],
    "points.csv": [("point", "int")],
    "sweep.csv": [("point|runs", "int"), (r"p_.*", "float"), (r"median_tick_.*", "float?")],
    "compare.csv": [("outcome", "outcome"), ("significant", "bool"), ("runs|only_a|only_b", "int"),
                    (".*", "float")],
    "design.csv": [("point|runs|failed", "int"), ("design", "category"), (r"p_.*", "float?")],
    "sensitivity.csv": [("parameter|method|index", "str"), ("low|high|value", "float"), ("ci_low|ci_high", "float?")],
    "odds.csv": [("as_of", "date"), ("tick|particles", "int"), ("ess", "float"), ("kind", "category"),
                 ("name", "str"), _PROBABILITY],
    "stages.csv": [("as_of|date", "date"), ("stage|tick|attempts|rounds|survivors", "int"),
                   ("observations", "str"), ("acceptance|ess", "float?")],
    "forecasts.csv": [("question|who|source", "str?"), ("date", "date"), ("probability", "float"),
                      ("resolution", "bool?")],
    "backtest.csv": [("question|who", "str"), ("date", "date"), ("resolution", "bool?"), _PROBABILITY,
                     ("brier|log|brink_probability", "float?")],
    "reliability.csv": [("who", "str"), ("count", "int"), (".*", "float?")],
    "scores.csv": [("who", "str"), ("count", "int"), (".*", "float?")],
    "calibration/summary.csv": [("path|prior", "str"), (".*", "float")],
    "diagnostics.csv": [("generation|move_steps|evaluations|runs", "int"), (".*", "float?")],
    "posterior.csv": [("generation|particle", "int"), (".*", "float")],
    "ensemble.csv": [("parameter_set|runs", "int"), ("weight", "float"), ("|".join(OUTCOMES), "int")],
    "uncertainty.csv": [("outcome", "outcome"), ("parameter_sets", "int"), (".*", "float")],
}


def column_types_key(name: str, kind: str | None = None) -> str:
    """The COLUMN_TYPES entry for the file `name` ("summary.csv") of a folder of `kind`: a calibration
    folder's summary.csv is not a run's."""
    own = f"{kind}/{name}"
    return own if kind == CALIBRATION_KIND and own in COLUMN_TYPES else name


def column_types(name: str, columns, kind: str | None = None) -> dict[str, str]:
    """The declared type of each of `columns` of the file `name` ("runs.csv"); undeclared columns are left out."""
    rules = [(re.compile(pattern), kind_) for pattern, kind_ in COLUMN_TYPES.get(column_types_key(name, kind), [])]
    types = {}
    for col in columns:
        for pattern, kind_ in rules:
            if pattern.fullmatch(col):
                types[col] = kind_
                break
    return types


def _infer(series: pd.Series) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce")
    if values.notna().sum() != series.notna().sum() or series.isna().all():
        return series  # text
    finite = values.dropna()
    if np.all(np.isfinite(finite)) and np.all(np.equal(np.floor(finite), finite)):
        return values.astype("Int64") if values.isna().any() else values.astype("int64")
    return _exact_floats(series)


def read_typed(path, kind: str | None = None) -> pd.DataFrame:
    """Reads one CSV file Brink wrote, every column with its type (COLUMN_TYPES; others by their values)."""
    path = Path(path)
    try:
        header = pd.read_csv(path, nrows=0).columns
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError):
        header = []  # read_table says what is wrong
    declared = column_types(path.name, header, kind)
    df = read_table(path, declared)
    for col in df.columns:
        if col not in declared:
            df[col] = _infer(df[col])
        elif declared[col].startswith("outcome"):  # every outcome a level, in OUTCOMES order, even when no run had it
            df[col] = pd.Categorical(df[col], categories=OUTCOMES)
    return df


class Tables(Mapping):
    """Every CSV file of a result folder as a typed DataFrame, by file name without .csv
    ("runs", "summary", ...). A file is read when first asked for, then kept."""

    def __init__(self, folder, kind: str | None = None):
        self.folder = Path(folder)
        self.kind = kind
        self._names = sorted(p.stem for p in self.folder.glob("*.csv") if p.is_file())
        self._loaded: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(f"{self.folder} has no {name}.csv (it has {', '.join(self._names) or 'no CSV file'})")
        if name not in self._loaded:
            self._loaded[name] = read_typed(self.folder / f"{name}.csv", self.kind)
        return self._loaded[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"Tables({str(self.folder)!r}: {', '.join(self._names)})"


class FolderFiles:
    """What every loaded result has besides its own views: `manifest` (dict, {} without manifest.json),
    `tables` (every CSV file, typed) and `documents` (every other JSON file as a dict, by name
    without .json: "summary", "backtest")."""

    @cached_property
    def tables(self) -> Tables:
        return Tables(self.path, self.kind)

    @cached_property
    def documents(self) -> dict[str, dict]:
        return {p.stem: read_json(p) for p in sorted(Path(self.path).glob("*.json"))
                if p.is_file() and p.name != "manifest.json"}


ACRONYMS = {"nato": "NATO", "us": "US", "usa": "USA", "eu": "EU", "un": "UN", "uk": "UK", "gdp": "GDP"}


def pretty_name(identifier: str) -> str:
    """'ukraine_control' -> 'Ukraine control', 'nato_cohesion' -> 'NATO cohesion'."""
    words = [ACRONYMS.get(w.lower(), w) for w in identifier.replace("_", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- run folders

SUMMARY_COLUMNS = {"quantity": "str", "outcome": "str?", "tick": "int?", "rung": "str?", "value": "float?",
                   "ci_low": "float?", "ci_high": "float?", "count": "int", "runs": "int"}
RUNS_CORE_COLUMNS = {"run_id": "int", "seed": "int", "outcome": "outcome", "end_tick": "int", "end_day": "float",
                     "max_rung": "int", "final_rung": "int"}


@dataclass
class RunResult(FolderFiles):
    """A `brink run` folder. DataFrames are loaded on first use."""
    path: Path
    manifest: dict = field(default_factory=dict)
    kind: str = "run"

    # -- files
    @cached_property
    def summary_json(self) -> dict:
        p = self.path / "summary.json"
        return read_json(p) if p.is_file() else {}

    @cached_property
    def summary(self) -> pd.DataFrame:
        df = read_table(self.path / "summary.csv", SUMMARY_COLUMNS)
        df["outcome"] = df["outcome"].fillna("")
        df["rung"] = df["rung"].fillna("")
        bad = df.loc[(df["quantity"] == "probability") & ~df["outcome"].isin(OUTCOMES), "outcome"]
        if len(bad):
            _fail(self.path / "summary.csv", f"unknown outcome {bad.iloc[0]!r}")
        return df

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        df = read_table(self.path / "timeseries.csv", {"tick": "int", "day": "float", "active_runs": "int"})
        if not any(c.startswith("all_rung_") for c in df.columns):
            _fail(self.path / "timeseries.csv", "has no all_rung_<id> columns")
        for c in df.columns[3:]:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        # A tick no run has reached (a brink branch's ticks before its start) has all shares 0: no rung, not rung 0.
        shares = [c for c in df.columns if c.startswith("all_rung_")]
        df.loc[df[shares].fillna(0).sum(axis=1) == 0, shares] = np.nan
        return df

    @cached_property
    def runs(self) -> pd.DataFrame:
        """runs.csv: the core columns of every run (use runs_all for every column)."""
        return read_table(self.path / "runs.csv", RUNS_CORE_COLUMNS, usecols=list(RUNS_CORE_COLUMNS))

    @cached_property
    def runs_all(self) -> pd.DataFrame:
        return read_table(self.path / "runs.csv", RUNS_CORE_COLUMNS)

    def has(self, name: str) -> bool:
        return (self.path / name).is_file()

    # -- scenario facts
    @property
    def scenario(self) -> str:
        named = self.manifest.get("scenario")
        if isinstance(named, dict):  # a history manifest (brink branch): {"name", "hash", "files"}
            named = named.get("name")
        return str(named or self.summary_json.get("scenario") or self.path.name)

    @property
    def is_branch(self) -> bool:
        """A `brink branch` folder: its runs start from state.yaml at a mid-crisis tick."""
        return self.manifest.get("kind") == "branch"

    @property
    def tick_days(self) -> float:
        if "tick_days" in self.summary_json:
            return float(self.summary_json["tick_days"])
        m = re.search(r"^\s*tick_days:\s*([0-9.eE+-]+)", self.scenario_yaml, re.M)
        if m:
            return float(m.group(1))
        if self.has("timeseries.csv"):
            ts = self.timeseries
            later = ts[ts["tick"] > 0]
            if len(later):
                return float(later["day"].iloc[0] / later["tick"].iloc[0])
        return 1.0

    @property
    def start_date(self):
        """The scenario's run.start_date (a datetime.date), or None for an undated scenario."""
        text = self.summary_json.get("start_date")
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            _fail(self.path / "summary.json", f"start_date: expected a date YYYY-MM-DD, found {text!r}")

    @property
    def horizon(self) -> int:
        if "horizon" in self.summary_json:
            return int(self.summary_json["horizon"])
        return int(self.timeseries["tick"].max())

    @property
    def n_runs(self) -> int:
        """Runs completed."""
        if self.has("summary.csv"):
            p = self.summary[self.summary["quantity"] == "probability"]
            if len(p):
                return int(p["runs"].iloc[0])
        for key in ("runs_completed",):
            if key in self.manifest:
                return int(self.manifest[key])
        return int(self.timeseries["active_runs"].max())

    @cached_property
    def scenario_yaml(self) -> str:
        if isinstance(self.manifest.get("resolved_scenario"), str):
            return self.manifest["resolved_scenario"]
        p = self.path / "scenario.yaml"
        return p.read_text(encoding="utf-8", errors="replace") if p.is_file() else ""

    @cached_property
    def rungs(self) -> list[str]:
        """Rung ids, lowest first."""
        if self.has("timeseries.csv"):
            return [c[len("all_rung_"):] for c in self.timeseries.columns if c.startswith("all_rung_")]
        s = self.summary
        return list(s.loc[s["quantity"] == "max_rung_share", "rung"])

    @cached_property
    def rung_labels(self) -> dict[str, str]:
        """Rung id -> the ladder's label (from the resolved scenario), or a prettified id."""
        labels = {}
        text = self.scenario_yaml
        ladder = re.search(r"^ladder:\s*\n(.*?)(?=^\S)", text + "\nend:\n", re.M | re.S)
        if ladder:
            for m in re.finditer(r"-\s+id:\s*(\S+)\s*\n\s+label:\s*(.+)", ladder.group(1)):
                label = m.group(2).strip()
                if len(label) >= 2 and label[0] == label[-1] and label[0] in "\"'":
                    label = label[1:-1].replace('\\"', '"')
                labels[m.group(1).strip("\"'")] = label
        return {r: labels.get(r, pretty_name(r)) for r in self.rungs}

    def _outcome_rung(self, key: str) -> str | None:
        m = re.search(rf"^\s*{key}:\s*(\S+)", self.scenario_yaml, re.M)
        return m.group(1).strip("\"'") if m and m.group(1).strip("\"'") in self.rungs else None

    @property
    def escalation_rung(self) -> str | None:
        return self._outcome_rung("escalation_rung")

    @property
    def settlement_rung(self) -> str | None:
        return self._outcome_rung("settlement_rung")

    @property
    def war_rung(self) -> str | None:
        """The rung at or above which a run at the horizon is an ongoing war; None when not set (all frozen)."""
        return self._outcome_rung("war_rung")

    @cached_property
    def variables(self) -> list[str]:
        cols = set(self.timeseries.columns)
        return [c[:-5] for c in self.timeseries.columns
                if c.endswith("_mean") and {c[:-5] + s for s in ("_q05", "_q50", "_q95")} <= cols]

    # -- tidy views
    def probabilities(self) -> pd.DataFrame:
        """One row per outcome (in OUTCOMES order): outcome, value, ci_low, ci_high, count, runs."""
        s = self.summary
        p = s[s["quantity"] == "probability"].set_index("outcome")
        missing = [o for o in OUTCOMES if o not in p.index]
        if missing:
            _fail(self.path / "summary.csv", f"no probability row for {', '.join(missing)}")
        out = p.loc[list(OUTCOMES), ["value", "ci_low", "ci_high", "count", "runs"]].reset_index()
        if out[["value", "ci_low", "ci_high"]].isna().any().any():
            _fail(self.path / "summary.csv", "a probability row has an empty value or interval")
        return out

    def cumulative_incidence(self) -> pd.DataFrame:
        s = self.summary
        ci = s[s["quantity"] == "cumulative_incidence"][["outcome", "tick", "value", "ci_low", "ci_high", "count", "runs"]]
        if ci["tick"].isna().any():
            _fail(self.path / "summary.csv", "a cumulative_incidence row has no tick")
        return ci.astype({"tick": "int64"}).reset_index(drop=True)

    def max_rung_shares(self) -> pd.DataFrame:
        s = self.summary
        m = s[s["quantity"] == "max_rung_share"][["rung", "value", "ci_low", "ci_high", "count", "runs"]]
        return m.reset_index(drop=True)


def load_run(folder) -> RunResult:
    folder = Path(folder)
    manifest = read_manifest(folder) or {}
    r = RunResult(folder, manifest)
    present = [n for n in ("summary.csv", "timeseries.csv", "runs.csv") if r.has(n)]
    if not present:
        raise BrinkResultError(f"{folder} is not a Brink run folder (no summary.csv, timeseries.csv or runs.csv)")
    if r.has("summary.csv"):
        r.probabilities()  # checks the file early
    if r.has("timeseries.csv"):
        r.timeseries
    return r


# ---------------------------------------------------------------- sweeps

@dataclass
class SweepResult(FolderFiles):
    path: Path
    manifest: dict
    table: pd.DataFrame
    parameters: list[str]
    kind: str = "sweep"

    def is_numeric(self, parameter: str) -> bool:
        return pd.api.types.is_numeric_dtype(self.table[parameter])

    def is_grid(self) -> bool:
        """True for a full grid (each parameter takes few values, repeated across points)."""
        if len(self.parameters) == 1:
            return True
        return all(self.table[p].nunique() < len(self.table) for p in self.parameters)


def load_sweep(folder) -> SweepResult:
    folder = Path(folder)
    manifest = read_manifest(folder) or {}
    path = folder / "sweep.csv"
    cols = {"point": "int", "runs": "int"}
    for o in OUTCOMES:
        cols.update({f"p_{o}": "float", f"p_{o}_low": "float", f"p_{o}_high": "float", f"median_tick_{o}": "float?"})
    table = read_table(path, cols)
    params = manifest.get("parameters")
    if not isinstance(params, list) or not params:
        known = set(cols)
        params = [c for c in table.columns if c not in known]
    missing = [p for p in params if p not in table.columns]
    if missing:
        _fail(path, f"no column for swept parameter(s) {', '.join(missing)} named in manifest.json")
    if not params:
        _fail(path, "names no swept parameter (expected a column per parameter between point and runs)")
    if table.empty:
        _fail(path, "has no points (an interrupted sweep? resume it first)")
    _check_probabilities(path, table, "p_{}")
    for p in params:  # numbers where every value is a number, else text (categorical)
        num = pd.to_numeric(table[p], errors="coerce")
        if num.notna().all():
            table[p] = num
    return SweepResult(folder, manifest, table, list(params))


def _check_probabilities(path: Path, table: pd.DataFrame, pattern: str):
    for o in OUTCOMES:
        p, lo, hi = (table[pattern.format(o) + s] for s in ("", "_low", "_high"))
        if ((p < -1e-9) | (p > 1 + 1e-9)).any():
            _fail(path, f"{pattern.format(o)} has values outside [0, 1]")
        if ((lo > p + 1e-9) | (hi < p - 1e-9)).any():
            row = int(((lo > p + 1e-9) | (hi < p - 1e-9)).to_numpy().nonzero()[0][0])
            _fail(path, f"{pattern.format(o)} lies outside its interval in data row {row + 1}")


# ---------------------------------------------------------------- comparisons

@dataclass
class CompareResult(FolderFiles):
    path: Path
    manifest: dict
    table: pd.DataFrame  # indexed by position, rows in OUTCOMES order
    kind: str = "compare"

    @property
    def label_a(self) -> str:
        return str(self.manifest.get("label_a") or "A")

    @property
    def label_b(self) -> str:
        return str(self.manifest.get("label_b") or "B")


def load_compare(folder) -> CompareResult:
    folder = Path(folder)
    manifest = read_manifest(folder) or {}
    path = folder / "compare.csv"
    cols = {"outcome": "outcome"}
    for c in ("p_a", "p_a_low", "p_a_high", "p_b", "p_b_low", "p_b_high", "difference", "diff_low", "diff_high", "p_value"):
        cols[c] = "float"
    cols["significant"] = "bool"
    table = read_table(path, cols)
    missing = [o for o in OUTCOMES if o not in set(table["outcome"])]
    if missing:
        _fail(path, f"no row for outcome(s) {', '.join(missing)}")
    table = table.set_index("outcome").loc[list(OUTCOMES)].reset_index()
    for side in ("a", "b"):
        p, lo, hi = table[f"p_{side}"], table[f"p_{side}_low"], table[f"p_{side}_high"]
        if ((lo > p + 1e-9) | (hi < p - 1e-9)).any():
            _fail(path, f"p_{side} lies outside its interval")
    d, lo, hi = table["difference"], table["diff_low"], table["diff_high"]
    if ((lo > d + 1e-9) | (hi < d - 1e-9)).any():
        _fail(path, "difference lies outside its interval")
    if ((table["p_value"] < 0) | (table["p_value"] > 1)).any():
        _fail(path, "p_value outside [0, 1]")
    return CompareResult(folder, manifest, table)


# ---------------------------------------------------------------- sensitivity

SENSITIVITY_INDICES = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma")}


@dataclass
class SensitivityResult(FolderFiles):
    path: Path
    manifest: dict
    table: pd.DataFrame
    kind: str = "sensitivity"

    @property
    def outcome(self) -> str:
        o = self.manifest.get("outcome")
        return o if o in OUTCOMES else "escalation"

    @property
    def parameters(self) -> list[str]:
        return list(dict.fromkeys(self.table["parameter"]))

    def wide(self, method: str) -> pd.DataFrame:
        """One row per parameter: <index>, <index>_low, <index>_high for the method's indices."""
        t = self.table[self.table["method"] == method]
        if t.empty:
            return pd.DataFrame()
        out = t.pivot_table(index="parameter", columns="index", values=["value", "ci_low", "ci_high"], aggfunc="first", sort=False)
        wide = pd.DataFrame(index=pd.Index(list(dict.fromkeys(t["parameter"])), name="parameter"))
        for idx in SENSITIVITY_INDICES[method]:
            if ("value", idx) in out.columns:
                wide[idx] = out[("value", idx)]
                wide[idx + "_low"] = out[("ci_low", idx)]
                wide[idx + "_high"] = out[("ci_high", idx)]
        return wide


def load_sensitivity(folder) -> SensitivityResult:
    folder = Path(folder)
    manifest = read_manifest(folder) or {}
    path = folder / "sensitivity.csv"
    table = read_table(path, {"parameter": "str", "low": "float", "high": "float", "method": "str", "index": "str",
                              "value": "float", "ci_low": "float?", "ci_high": "float?"})
    if table.empty:
        _fail(path, "has no rows")
    for method, index in zip(table["method"], table["index"]):
        if method not in SENSITIVITY_INDICES:
            _fail(path, f"method should be sobol or morris, not {method!r}")
        if index not in SENSITIVITY_INDICES[method]:
            _fail(path, f"index {index!r} is not a {method} index ({', '.join(SENSITIVITY_INDICES[method])})")
    return SensitivityResult(folder, manifest, table)


# ---------------------------------------------------------------- statistics

Z95 = 1.959963984540054


def wilson(count, n, z: float = Z95):
    """Wilson score interval for count successes in n trials: (estimate, low, high), as arrays."""
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, count / n, np.nan)
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
