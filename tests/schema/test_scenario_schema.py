"""The editor schema (`brink schema`, docs/scenario.schema.json) against the loader.

- The committed schema is exactly what `brink schema` prints, and is valid draft-07.
- Every shipped scenario carries the yaml-language-server modeline and passes the schema,
  read as an editor reads it (YAML 1.2: `2021-12-17` is text, `on` is text).
- The schema and the loader's field table (sim/scenario/schema.cpp, read here from the
  source) name the same fields, with the same types and ranges.
- On every bounded number the table declares, a value just outside the range is refused
  by both the schema and `brink validate` (exit 2, a message naming the field), and the
  bounds themselves are accepted by both; an unknown key in every closed map is refused
  by both.

Needs BRINK (the binary; CTest sets it) and python3-jsonschema, python3-yaml.
"""
from __future__ import annotations

import copy
import json
import math
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "scenario.schema.json"
FIELD_TABLE = ROOT / "sim" / "scenario" / "schema.cpp"
SHIPPED_DIRS = [ROOT / "scenarios", ROOT / "benchmarks" / "scenarios"]
MODELINE = "# yaml-language-server: $schema="
BASES = [ROOT / "scenarios" / "baseline.yaml", ROOT / "benchmarks" / "scenarios" / "baseline-v1.yaml"]


# --- YAML as an editor reads it (YAML 1.2 core schema), not PyYAML's YAML 1.1 -----------------

class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars: no timestamps, only true/false booleans, 1e3 a float."""


_DROPPED = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:float", "tag:yaml.org,2002:int"}
Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def read_yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)


def as_json(value):
    """What a JSON validator sees: mapping keys are strings."""
    if isinstance(value, dict):
        return {str(k).lower() if isinstance(k, bool) else str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


# --- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def brink() -> str:
    path = os.environ.get("BRINK")
    if not path:
        if os.environ.get("BRINK_REQUIRE_ALL") == "1":
            pytest.fail("BRINK is not set (BRINK_REQUIRE_ALL=1: a missing binary is a failure)")
        pytest.skip("BRINK is not set: no brink binary to compare the schema with")
    assert Path(path).is_file() and os.access(path, os.X_OK), f"BRINK={path} is not an executable file"
    return str(Path(path).resolve())


@pytest.fixture(scope="module")
def schema_text(brink) -> str:
    r = subprocess.run([brink, "schema"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"brink schema failed ({r.returncode}):\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def schema(schema_text) -> dict:
    return json.loads(schema_text)


@pytest.fixture(scope="module")
def validator(schema):
    return jsonschema.Draft7Validator(schema)


def shipped_files() -> list[Path]:
    return sorted(p for d in SHIPPED_DIRS for p in d.rglob("*.yaml"))


def is_timeline(path: Path) -> bool:
    """Timelines (docs/timelines.md) live beside the scenarios but are another format."""
    data = read_yaml(path)
    return isinstance(data, dict) and "observations" in data


def shipped_scenarios() -> list[Path]:
    return [p for p in shipped_files() if not is_timeline(p)]


# --- the committed file, the command -----------------------------------------------------------

def test_committed_schema_is_what_brink_schema_prints(schema_text):
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text, (
        "docs/scenario.schema.json is stale: regenerate it with `brink schema --out docs/scenario.schema.json`")


def test_schema_is_valid_draft_07(schema):
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)


def test_out_writes_the_same_text_and_a_bad_out_is_exit_2(brink, schema_text, tmp_path):
    out = tmp_path / "s.json"
    r = subprocess.run([brink, "schema", "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "", r.stderr
    assert out.read_text(encoding="utf-8") == schema_text
    missing = tmp_path / "no-such-folder" / "s.json"
    r = subprocess.run([brink, "schema", "--out", str(missing)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "brink schema:" in r.stderr and str(missing.parent) in r.stderr, (r.returncode, r.stderr)
    assert not missing.parent.exists()
    r = subprocess.run([brink, "schema", "extra"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, (r.returncode, r.stderr)


# --- shipped scenarios ------------------------------------------------------------------------

def test_shipped_scenarios_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in shipped_scenarios()}
    assert {"scenarios/baseline.yaml", "scenarios/classroom/hotline-cut.yaml", "benchmarks/scenarios/tick-heavy.yaml"} <= names


def test_every_shipped_scenario_starts_with_the_modeline():
    wrong = []
    for path in shipped_files():
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        if is_timeline(path):
            if first.startswith(MODELINE):
                wrong.append(f"{path.relative_to(ROOT)}: a timeline, but its modeline names the scenario schema")
            continue
        if not first.startswith(MODELINE):
            wrong.append(f"{path.relative_to(ROOT)}: first line is {first!r}, not the modeline")
        elif (path.parent / first[len(MODELINE):]).resolve() != SCHEMA_FILE:
            wrong.append(f"{path.relative_to(ROOT)}: the modeline's path {first[len(MODELINE):]} is not docs/scenario.schema.json")
    assert not wrong, "\n".join(wrong)


def test_every_shipped_scenario_passes_the_schema(validator):
    problems = []
    for path in shipped_scenarios():
        for e in validator.iter_errors(as_json(read_yaml(path))):
            problems.append(f"{path.relative_to(ROOT)}: {'.'.join(map(str, e.absolute_path))}: {e.message}")
    assert not problems, "\n".join(problems)


# --- the schema and the loader's field table name the same fields -------------------------------

FIELD_ROW = re.compile(r'^\s*\{"([^"]+)",\s*"([^"]+)",\s*"[^"]*",\s*([^,]+),\s*([^,]+),')


def field_table() -> dict[str, tuple[str, float, float]]:
    """path -> (type, min, max), read from the C++ declarations the loader uses."""
    number = {"kInf": math.inf, "-kInf": -math.inf}
    fields = {}
    for line in FIELD_TABLE.read_text(encoding="utf-8").splitlines():
        m = FIELD_ROW.match(line)
        if m:
            lo, hi = (number.get(v.strip(), None) for v in (m.group(3), m.group(4)))
            fields[m.group(1)] = (m.group(2), lo if lo is not None else float(m.group(3)),
                                  hi if hi is not None else float(m.group(4)))
    assert len(fields) > 100, f"read only {len(fields)} fields from {FIELD_TABLE}: has its layout changed?"
    return fields


def schema_fields(schema: dict) -> dict[str, list[dict]]:
    """path -> the schemas declared for it. A field's schema has a description; helper
    schemas (anyOf branches, a list of names' items) have none. A named property beside
    additionalProperties is an instance of the `*` (the `rung` key of a requires map)."""
    found: dict[str, list[dict]] = {}

    def walk(s: dict, path: str):
        if path and "description" in s:
            found.setdefault(path, []).append(s)
        for branch in s.get("anyOf", []):
            walk(branch, path)
        extra = s.get("additionalProperties")
        for key, sub in s.get("properties", {}).items():
            walk(sub, f"{path}.*" if isinstance(extra, dict) else (f"{path}.{key}" if path else key))
        if isinstance(extra, dict):
            walk(extra, f"{path}.*")
        if isinstance(s.get("items"), dict) and "description" in s["items"]:
            walk(s["items"], f"{path}[]")

    walk(schema, "")
    return found


def json_types(s: dict) -> set[str]:
    t = s.get("type", [])
    return {t} if isinstance(t, str) else set(t)


EXPECTED_TYPES = {
    "number": {"number"}, "integer": {"integer"}, "boolean": {"boolean"}, "string": {"string", "number", "boolean"},
    "date": {"string"}, "rung": {"string", "integer"}, "level": {"string", "integer"}, "list": {"array"},
    "list or string": {"array", "string", "number"},
}


def test_schema_and_field_table_name_the_same_fields(schema):
    table, found = field_table(), schema_fields(schema)
    assert sorted(set(table) - set(found)) == [], "fields the loader reads but the schema lacks"
    assert sorted(set(found) - set(table)) == [], "fields in the schema the loader does not declare"


def test_schema_types_and_ranges_are_the_field_table(schema):
    found, wrong = schema_fields(schema), []
    for path, (kind, lo, hi) in field_table().items():
        schemas = found[path]
        if kind == "map":
            ok = all(json_types(s) - {"null"} == {"object"} for s in schemas)
        elif kind == "number or map":
            branches = [b for s in schemas for b in s.get("anyOf", [])]
            ok = sorted(t for b in branches for t in json_types(b)) == ["number", "object"]
            schemas = [b for b in branches if json_types(b) == {"number"}]
        elif kind == "number or rung":  # a number under a variable, a rung under `rung`
            ok = sorted(tuple(sorted(json_types(s))) for s in schemas) == [("integer", "string"), ("number",)]
            schemas = [s for s in schemas if json_types(s) == {"number"}]
        else:
            ok = all(json_types(s) == EXPECTED_TYPES[kind] for s in schemas)
        if not ok:
            wrong.append(f"{path}: {kind} declared, schema types {[sorted(json_types(s)) for s in schemas]}")
        if kind in ("number", "integer", "number or map", "number or rung", "rung", "level"):
            for s in schemas:
                # float(): run.seed's 2^64 - 1 is written exactly in the schema, as 2^64 in the table.
                if float(s.get("minimum", -math.inf)) != lo or float(s.get("maximum", math.inf)) != hi:
                    wrong.append(f"{path}: range [{lo}, {hi}] declared, schema [{s.get('minimum')}, {s.get('maximum')}]")
        for s in schemas:
            d = s.get("default")
            if isinstance(d, (int, float)) and not isinstance(d, bool) and not lo <= d <= hi:
                wrong.append(f"{path}: default {d} outside [{lo}, {hi}]")
    assert not wrong, "\n".join(wrong)


# --- values: the schema and `brink validate` refuse and accept the same ------------------------

def instances(node, keys: list[str], concrete: str = ""):
    """Concrete places for a field: (parent container, key, concrete path), following
    existing keys (`*`: each existing key but `rung`, whose requires bounds are rungs;
    `[]`: the last item first, as the lowest rung takes no firebreak). Only the last key
    may be missing."""
    key, rest = keys[0], keys[1:]
    join = (lambda k: f"{concrete}.{k}" if concrete else str(k))
    if key == "[]":
        if isinstance(node, list) and node:
            index = len(node) - 1
            if rest:
                yield from instances(node[index], rest, f"{concrete}[{index}]")
            else:
                yield node, index, f"{concrete}[{index}]"
        return
    if not isinstance(node, dict):
        return
    names = [k for k in node if str(k) != "rung"] if key == "*" else [key]
    for name in names:
        if not rest:
            yield node, name, join(name)
            continue
        if name not in node and not concrete:
            node[name] = {}  # a top-level section no base has (experiment): created, on a copy
        if name in node:
            yield from instances(node[name], rest, join(name))


def instance(data: dict, path: str):
    return next(instances(data, re.sub(r"\[\]", ".[]", path).split(".")), None)


def bounded_numbers(table, schema):
    """Numbers with their bounds; an integer's as the schema writes it (run.seed's 2^64 - 1 is
    exact there, 2^64 as a double in the table; the two are compared above)."""
    found = schema_fields(schema)
    for path, (kind, lo, hi) in table.items():
        if kind == "integer":
            (s,) = found[path]
            yield path, kind, s.get("minimum", lo), s.get("maximum", hi)
        elif kind in ("number", "number or map", "number or rung"):
            yield path, kind, lo, hi


def step(bound: float, kind: str):
    if kind == "integer":
        return 1
    return 1e-6 * max(1.0, abs(bound))


class Cases:
    """Modified copies of the base scenarios, written to files for one `brink validate` call."""

    def __init__(self, folder: Path):
        self.folder, self.cases = folder, []
        self.bases = [(b, read_yaml(b)) for b in BASES]

    def add(self, label: str, concrete_of, mutate) -> bool:
        for base, data in self.bases:
            data = copy.deepcopy(data)
            where = concrete_of(data)
            if where is None:
                continue
            concrete = mutate(data, where)
            file = self.folder / f"case{len(self.cases):03d}.yaml"
            file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10000), encoding="utf-8")
            self.cases.append((label, concrete, file, data))
            return True
        return False

    def validate(self, brink: str):
        r = subprocess.run([brink, "validate", *[str(c[2]) for c in self.cases]], capture_output=True, text=True, timeout=300)
        accepted = {line.split(": ok", 1)[0] for line in r.stdout.splitlines() if ": ok — " in line}
        messages: dict[str, list[str]] = {}
        for line in r.stderr.splitlines():
            file = line.split(":", 1)[0]
            messages.setdefault(file, []).append(line)
        return r.returncode, accepted, messages


def set_value(value):
    def mutate(data, where):
        parent, key, concrete = where
        parent[key] = value
        return concrete
    return mutate


def test_out_of_range_values_are_refused_by_both_and_bounds_accepted(brink, schema, validator, tmp_path):
    table = field_table()
    outside, inside = Cases(tmp_path / "outside"), Cases(tmp_path / "inside")
    (tmp_path / "outside").mkdir()
    (tmp_path / "inside").mkdir()
    missing = []
    for path, kind, lo, hi in bounded_numbers(table, schema):
        for bound, sign in ((lo, -1), (hi, +1)):
            if math.isinf(bound):
                continue
            wrong = (int(bound) + sign) if kind == "integer" else bound + sign * step(bound, kind)
            if not outside.add(f"{path} = {wrong}", lambda d, p=path: instance(d, p), set_value(wrong)):
                missing.append(path)
                break
            good = int(bound) if kind == "integer" else bound
            inside.add(f"{path} = {good}", lambda d, p=path: instance(d, p), set_value(good))
        if kind == "integer":
            outside.add(f"{path} = {lo + 0.5}", lambda d, p=path: instance(d, p), set_value(lo + 0.5))
    code, accepted, messages = outside.validate(brink)
    assert code == 2
    problems = []
    for label, concrete, file, data in outside.cases:
        if not list(validator.iter_errors(as_json(data))):
            problems.append(f"schema accepts {label} (at {concrete})")
        named = [m for m in messages.get(str(file), []) if f": {concrete}: expected " in m]
        if str(file) in accepted or not named:
            problems.append(f"brink validate does not refuse {label} at {concrete}: {messages.get(str(file), 'ok')}")
    print(f"{len(outside.cases)} out-of-range cases; not placed: {missing}")
    assert not problems, "\n".join(problems)
    code, accepted, messages = inside.validate(brink)
    problems = []
    for label, concrete, file, data in inside.cases:
        for e in validator.iter_errors(as_json(data)):
            problems.append(f"schema refuses {label}: {e.message}")
        # The loader may refuse a bound for a rule across fields (down below up); never for its range.
        if str(file) not in accepted and any(f": {concrete}: expected " in m for m in messages.get(str(file), [])):
            problems.append(f"brink validate refuses the bound {label}: {messages[str(file)]}")
    refused_elsewhere = sum(str(c[2]) not in accepted for c in inside.cases)
    print(f"{len(inside.cases)} bound cases, {refused_elsewhere} refused by a rule across fields:")
    for label, concrete, file, data in inside.cases:
        if str(file) not in accepted:
            print(f"  {label}: {messages.get(str(file), ['?'])[0].split(': ', 1)[-1]}")
    assert not problems, "\n".join(problems)
    assert refused_elsewhere <= len(inside.cases) // 4, "most bounds should be accepted outright"
    assert missing == [], f"bounded fields with no place in the base scenarios: {missing}"


def closed_maps(table) -> list[str]:
    """The maps the loader closes, from its field table: every map (and an effect's map form)
    with no `*` field under it, and the top level ("")."""
    return [""] + [p for p, (kind, _, _) in table.items() if kind in ("map", "number or map") and f"{p}.*" not in table]


def test_unknown_keys_are_refused_by_both(brink, schema, validator, tmp_path):
    cases, missing = Cases(tmp_path), []
    for path in closed_maps(field_table()):
        def add_key(data, where):
            parent, key, concrete = where
            if isinstance(parent, dict) and parent.get(key) is None:
                parent[key] = {}
            parent[key]["no_such_field"] = 1
            return f"{concrete}.no_such_field" if concrete else "no_such_field"
        def at(data, p=path):
            if not p:
                return ({"": data}, "", "")
            # A map (or an absent section), not the short form of an effect.
            return next((w for w in instances(data, re.sub(r"\[\]", ".[]", p).split("."))
                         if (isinstance(w[0], dict) and w[1] not in w[0]) or isinstance(w[0][w[1]], (dict, type(None)))), None)
        if not cases.add(f"{path or '(top level)'}.no_such_field", at, add_key):
            missing.append(path)
    code, accepted, messages = cases.validate(brink)
    assert code == 2
    problems = []
    for label, concrete, file, data in cases.cases:
        if not any("no_such_field" in e.message or "no_such_field" in str(list(e.absolute_path)) for e in validator.iter_errors(as_json(data))):
            problems.append(f"schema accepts {label}")
        if str(file) in accepted or not any(f"{concrete}: unknown key 'no_such_field'" in m for m in messages.get(str(file), [])):
            problems.append(f"brink validate does not refuse {label}: {messages.get(str(file), 'ok')}")
    print(f"{len(cases.cases)} closed maps tried; not placed: {missing}")
    assert not problems, "\n".join(problems)
    assert missing == [], f"closed maps with no place in the base scenarios: {missing}"
