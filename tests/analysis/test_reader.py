"""brink_results as a library: load(folder) gives every CSV file of every kind of result folder
as a typed DataFrame (tables), the manifest and the other JSON files, on folders the real
binary writes; and the Python and R examples of docs/outputs.md run as written.

Run:  BRINK=build/sim/brink /usr/bin/python3 -m pytest -q tests/analysis/test_reader.py
Without BRINK these tests skip (fail with BRINK_REQUIRE_ALL=1, as CTest sets it).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "analysis"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import brink_binary  # noqa: E402
import brink_results as br  # noqa: E402

BASELINE = REPO / "scenarios/baseline.yaml"
TIMELINE = REPO / "scenarios/history/ukraine-2021-2023.yaml"
BIGGEST_SEED = 2**64 - 1  # does not fit int64: the reader must keep it exact
PARAMETER = "leaders.putin.traits.risk_tolerance"


def brink(*args, cwd=REPO):
    r = subprocess.run([brink_binary.binary(), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)
    assert r.returncode == 0, f"brink {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """One folder of every kind, small."""
    root = tmp_path_factory.mktemp("kinds")
    f = {k: root / k for k in ("run", "sweep", "compare", "sensitivity", "given", "backtest", "calibration",
                               "ensemble", "branch")}
    brink("run", BASELINE, "--runs", 300, "--seed", BIGGEST_SEED, "--record", "events", "--record-runs", "0-9",
          "--out", f["run"], "--quiet")
    brink("sweep", BASELINE, "--runs", 100, "--vary", f"{PARAMETER}=0.2,0.8", "--out", f["sweep"], "--quiet")
    brink("compare", BASELINE, REPO / "scenarios/dovish-leaders.yaml", "--runs", 200, "--out", f["compare"], "--quiet")
    brink("sensitivity", BASELINE, "--runs", 40, "--params", f"{PARAMETER}:0.2:0.8",
          "--params", "leaders.biden.traits.risk_tolerance:0.2:0.8", "--method", "morris", "--trajectories", 2,
          "--out", f["sensitivity"], "--quiet")
    brink("run", BASELINE, "--given", TIMELINE, "--as-of", "2022-01-01,2022-03-01", "--runs", 200,
          "--out", f["given"], "--quiet")
    brink("backtest", BASELINE, TIMELINE, "--runs", 200, "--out", f["backtest"], "--quiet")
    brink("calibrate", BASELINE, TIMELINE, "--param", "ladder.tension.gain=uniform(0.05,0.3)", "--until", "2022-02-24",
          "--particles", 20, "--runs-per-particle", 20, "--out", f["calibration"], "--quiet")
    brink("run", BASELINE, "--ensemble", f["calibration"] / "posterior.csv", "--runs", 200, "--out", f["ensemble"],
          "--quiet")
    brink("branch", BASELINE, "--run", 3, "--tick", 10, "--runs", 100, "--out", f["branch"], "--quiet")
    return f


def leader_action(column: str) -> bool:
    """A runs.csv count of a leader's choices: <leader>_<action>, the leaders of the shipped baseline."""
    return re.fullmatch(r"(biden|putin)_[a-z_]+", column) is not None


def declared_types(name: str, columns, kind: str) -> dict[str, str]:
    return br.column_types(f"{name}.csv", columns, kind)


# The pandas type each declared column type reads as.
DTYPES = {"int": "int64", "int?": "Int64", "uint": "uint64", "float": "float64", "float?": "float64",
          "date": "datetime64[ns]", "date?": "datetime64[ns]", "bool": "bool", "bool?": "boolean",
          "outcome": "category", "category": "category", "str": "object", "str?": "object"}

EXPECTED_KIND = {"run": "run", "ensemble": "run", "branch": "run", "sweep": "sweep", "compare": "compare",
                 "sensitivity": "sensitivity", "given": "given", "backtest": "backtest", "calibration": "calibration"}


@pytest.mark.parametrize("name", list(EXPECTED_KIND))
def test_every_csv_file_is_a_typed_table(folders, name):
    r = br.load(folders[name])
    assert r.kind == EXPECTED_KIND[name]
    assert r.manifest == br.read_json(folders[name] / "manifest.json")
    assert set(r.tables) == {p.stem for p in folders[name].glob("*.csv")}
    assert set(r.documents) == {p.stem for p in folders[name].glob("*.json")} - {"manifest"}
    for table_name, df in r.tables.items():
        raw = pd.read_csv(folders[name] / f"{table_name}.csv", dtype=str, keep_default_na=False)
        assert list(df.columns) == list(raw.columns) and len(df) == len(raw), table_name
        declared = declared_types(table_name, df.columns, r.kind)
        for col in df.columns:
            where = f"{name}/{table_name}.csv: {col}"
            if col not in declared:
                # Only names the scenario or the command chooses may be typed by their values.
                assert "." in col or leader_action(col), f"{where} has no declared type"
                assert pd.api.types.is_numeric_dtype(df[col]), where
            else:
                assert str(df[col].dtype) == DTYPES[declared[col]], f"{where} is {df[col].dtype}, declared {declared[col]}"


def test_run_folder_types(folders):
    runs = br.load(folders["run"]).tables["runs"]
    dtypes = runs.dtypes.astype(str)
    assert dtypes["run_id"] == "int64" and dtypes["end_tick"] == "int64" and dtypes["max_rung"] == "int64"
    assert dtypes["seed"] == "uint64" and (runs["seed"] == np.uint64(BIGGEST_SEED)).all()
    assert list(runs["outcome"].cat.categories) == list(br.OUTCOMES)
    firsts = [c for c in runs.columns if c.startswith("first_tick_") or c.startswith("last_tick_")]
    assert firsts and all(dtypes[c] == "Int64" for c in firsts)
    # <NA> exactly where the file's cell is empty
    raw = pd.read_csv(folders["run"] / "runs.csv", dtype=str, keep_default_na=False)
    for c in firsts:
        assert (runs[c].isna().to_numpy() == (raw[c] == "").to_numpy()).all(), c
        filled = raw[c] != ""
        assert (runs.loc[filled, c].astype("int64").to_numpy() == raw.loc[filled, c].astype("int64").to_numpy()).all()
    finals = [c for c in runs.columns if c.startswith("final_") and c not in ("final_rung", "final_level")]
    assert finals and all(dtypes[c] == "float64" for c in finals)
    np.testing.assert_array_equal(runs[finals].to_numpy(), raw[finals].astype(float).to_numpy())
    assert all(dtypes[c] == "datetime64[ns]" for c in runs.columns if c == "end_date" or c.startswith("first_date_"))
    assert (runs["end_date"].dt.strftime("%Y-%m-%d") == raw["end_date"]).all()
    actions = [c for c in runs.columns if leader_action(c)]
    assert actions and all(dtypes[c] == "int64" for c in actions)
    # A leader's action counts add up to the ticks played (the values survive the typing)
    biden = [c for c in actions if c.startswith("biden_")]
    assert (runs[biden].sum(axis=1) == runs["end_tick"]).all()

    t = br.load(folders["run"]).tables
    assert t["events"]["date"].dtype == "datetime64[ns]" and t["events"]["kind"].dtype == "category"
    assert set(t["events"]["run_id"]) <= set(range(10))
    assert t["summary"]["tick"].dtype == "Int64" and t["summary"]["count"].dtype == "int64"
    assert t["timeseries"]["date"].dtype == "datetime64[ns]" and t["timeseries"]["active_runs"].dtype == "int64"
    assert t["errors"]["seed"].dtype == "uint64"
    assert br.load(folders["run"]).documents["summary"]["horizon"] == 104


def test_history_calibration_and_ensemble_types(folders):
    bt = br.load(folders["backtest"]).tables
    assert bt["backtest"]["resolution"].dtype == "boolean" and bt["forecasts"]["date"].dtype == "datetime64[ns]"
    assert bt["forecasts"]["resolution"].dtype == "boolean"
    resolved = pd.read_csv(folders["backtest"] / "forecasts.csv", dtype=str)["resolution"] == "true"
    assert (bt["forecasts"]["resolution"].to_numpy(dtype=bool) == resolved.to_numpy()).all()
    assert bt["odds"]["as_of"].dtype == "datetime64[ns]" and bt["stages"]["survivors"].dtype == "int64"
    assert bt["scores"]["count"].dtype == "int64"
    cal = br.load(folders["calibration"]).tables
    assert cal["summary"]["path"].tolist() == ["ladder.tension.gain"]  # calibration's summary.csv, not a run's
    assert cal["summary"]["median"].dtype == "float64" and cal["posterior"]["particle"].dtype == "int64"
    assert cal["posterior"]["ladder.tension.gain"].dtype == "float64"
    ens = br.load(folders["ensemble"]).tables
    assert ens["ensemble"]["escalation"].dtype == "int64"
    assert (ens["ensemble"][list(br.OUTCOMES)].sum(axis=1) == ens["ensemble"]["runs"]).all()
    assert ens["uncertainty"]["outcome"].tolist() == list(br.OUTCOMES)
    assert ens["runs"]["parameter_set"].dtype == "int64"
    sweep = br.load(folders["sweep"]).tables["sweep"]
    assert sweep[PARAMETER].tolist() == [0.2, 0.8] and sweep["runs"].dtype == "int64"
    assert br.load(folders["compare"]).tables["compare"]["significant"].dtype == bool
    assert br.load(folders["sensitivity"]).tables["design"]["design"].dtype == "category"


def test_every_declared_rule_names_a_column_brink_writes(folders):
    """A rule no real file uses is a typo or a column Brink no longer writes."""
    used = set()
    for name in folders:
        r = br.load(folders[name])
        for table_name, df in r.tables.items():
            key = br.column_types_key(f"{table_name}.csv", r.kind)
            for pattern, _ in br.COLUMN_TYPES[key]:
                if any(re.fullmatch(pattern, c) for c in df.columns):
                    used.add((key, pattern))
    unused = [(k, p) for k, rules in br.COLUMN_TYPES.items() for p, _ in rules if (k, p) not in used]
    assert not unused


def broken_copy(folders, tmp_path, name: str, file: str, pattern: str, new: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(folders[name], folder)
    text = (folder / file).read_text()
    changed = re.sub(pattern, new, text, count=1, flags=re.M)
    assert changed != text
    (folder / file).write_text(changed)
    return folder


@pytest.mark.parametrize("name,file,pattern,new,message", [
    ("run", "runs.csv", r"^(0,\d+,\w+,\d+,[\d.]+,\d+,\d+,)", r"\1x", "first_tick_normal should hold numbers; data row 1"),
    ("run", "runs.csv", r"^0,\d+,", "0,-5,", "seed should hold whole numbers 0 to 2^64-1"),
    ("run", "events.csv", r"^(0,1,)2021-12-24", r"\g<1>2021-13-24", "column date should hold dates YYYY-MM-DD; data row 1"),
    ("backtest", "backtest.csv", r",(true|false),", ",maybe,", "resolution should be true or false"),
])
def test_a_broken_file_is_named_with_its_column_and_row(folders, tmp_path, name, file, pattern, new, message):
    folder = broken_copy(folders, tmp_path, name, file, pattern, new)
    with pytest.raises(br.BrinkResultError) as e:
        br.load(folder).tables[Path(file).stem]
    assert str(folder / file) in str(e.value) and message in str(e.value)


def test_asking_for_a_file_that_is_not_there(folders):
    with pytest.raises(KeyError, match="has no odds.csv .it has errors, events, runs, summary, timeseries"):
        br.load(folders["run"]).tables["odds"]


def code_block(doc: Path, marker: str, language: str) -> str:
    text = doc.read_text()
    m = re.search(re.escape(marker) + rf"\s*```{language}\n(.*?)```", text, re.S)
    assert m, f"{doc} has no ```{language} block after {marker!r}"
    return m.group(1)


@pytest.fixture(scope="module")
def latest(tmp_path_factory):
    """A working folder where `brink run` left results/latest, as a user's would be."""
    work = tmp_path_factory.mktemp("user")
    brink("run", BASELINE, "--runs", 500, "--quiet", cwd=work)
    assert (work / "results/latest").is_symlink()
    return work


def test_the_python_example_in_outputs_md_runs_as_written(latest):
    block = code_block(REPO / "docs/outputs.md", "<!-- tested: tests/analysis/test_reader.py runs this block as written -->",
                       "python")
    env = dict(os.environ, PYTHONPATH=str(REPO / "analysis"))
    r = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=latest, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == "run 2"  # kind, the model version
    assert out[1] == "['errors', 'runs', 'summary', 'timeseries']"
    assert "Int64" in r.stdout and "uint64" in r.stdout and "category" in r.stdout
    assert out[-1] == "104"


def test_the_r_example_in_outputs_md_runs_as_written(latest):
    rscript = shutil.which("Rscript")
    if rscript is None:
        brink_binary.missing("Rscript is not installed (scripts/setup installs r-base-core)")
    block = code_block(REPO / "docs/outputs.md",
                       "<!-- tested: tests/analysis/test_reader.py runs this block with Rscript when R is installed -->", "r")
    # print() what the interactive lines would show
    script = "\n".join(f"print({line.split('#')[0].strip()})"
                       if re.match(r"^(table|tapply|mean|subset)\(", line) else line for line in block.splitlines())
    r = subprocess.run([rscript, "-e", script], capture_output=True, text=True, cwd=latest, timeout=300)
    assert r.returncode == 0, r.stderr
    # The odds R computes are those summary.csv holds.
    summary = br.load(latest / "results/latest").probabilities().set_index("outcome")["value"]
    shares = re.search(r"escalation\s+deescalation\s+frozen_conflict\s+ongoing_war\s*\n\s*([\d.\s]+)\n", r.stdout)
    assert shares, r.stdout
    np.testing.assert_allclose([float(x) for x in shares.group(1).split()], summary.loc[list(br.OUTCOMES)].to_numpy(),
                               atol=1e-12)


@pytest.mark.parametrize("name", list(EXPECTED_KIND))
def test_the_examples_first_lines_work_on_every_kind(folders, name):
    """The block says its first lines read "any result folder": they must, on every kind."""
    block = code_block(REPO / "docs/outputs.md", "<!-- tested: tests/analysis/test_reader.py runs this block as written -->",
                       "python")
    general = block.split("# The rest is for a run folder")[0]
    assert general != block, "the example no longer marks where its run-folder part begins"
    env = dict(os.environ, PYTHONPATH=str(REPO / "analysis"))
    r = subprocess.run([sys.executable, "-c", general.replace('"results/latest"', repr(str(folders[name])))],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == f"{EXPECTED_KIND[name]} 2"
