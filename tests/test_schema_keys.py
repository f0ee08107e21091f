"""The buildspec JSON schema against the schema fixtures.

Checks that the schema is a valid draft 2020-12 schema, that every `fixtures/valid` case passes and
every `fixtures/HS002` / `fixtures/HS003` case fails with exactly one error of the right kind, that
every property carries a description, and that every property path of the schema appears in at least
one valid and one invalid fixture.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

ROOT = Path(__file__).parent.parent
SCHEMA_PATH = ROOT / "schemas" / "buildspec.schema.json"
FIXTURES = ROOT / "fixtures"
INVALID_CODES = ("HS002", "HS003")

# Property paths that cannot appear in a fixture, with the reason. Keep empty if at all possible.
EXEMPT_PATHS: dict[str, str] = {}

KeyPath = tuple[str, ...]


def load_schema() -> dict[str, Any]:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def cases(kind: str) -> list[Path]:
    return sorted(p.parent for p in (FIXTURES / kind).glob("*/buildspec.yml"))


VALID = cases("valid")
INVALID = [case for code in INVALID_CODES for case in cases(code)]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


def test_schema_is_valid_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_fixture_sets_are_not_empty() -> None:
    assert VALID
    for code in INVALID_CODES:
        assert cases(code), code


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_fixture_passes(case: Path, validator: Draft202012Validator) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(load_yaml(case / "buildspec.yml"))
    ]
    assert errors == []
    assert (case / "expected.txt").read_text(encoding="utf-8") == ""


@pytest.mark.parametrize("case", INVALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invalid_fixture_fails(case: Path, validator: Draft202012Validator) -> None:
    code = case.parent.name
    errors = list(validator.iter_errors(load_yaml(case / "buildspec.yml")))
    # One problem per case, and the schema reports it once.
    assert len(errors) == 1, [e.message for e in errors]
    unknown_key = errors[0].validator == "additionalProperties"
    assert unknown_key == (code == "HS003"), errors[0].message
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert re.fullmatch(rf"{code} [1-9][0-9]*:[1-9][0-9]*", lines[0]), lines[0]


# ------------------------------------------------------------------ descriptions


def iter_property_schemas(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    """Every subschema that sits under a `properties` keyword, anywhere in the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    yield f"{where}/properties/{name}", sub
            yield from iter_property_schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from iter_property_schemas(item, f"{where}/{i}")


def test_every_property_has_a_description() -> None:
    found = list(iter_property_schemas(load_schema()))
    assert len(found) > 50
    missing = [
        where
        for where, sub in found
        if not (isinstance(sub, dict) and str(sub.get("description", "")).strip())
    ]
    assert missing == []


# ------------------------------------------------------------------ coverage


def schema_property_paths(schema: dict[str, Any]) -> set[KeyPath]:
    """Instance paths of every named property: `phases.build.on-failure` is
    ("phases", "build", "on-failure"); "*" stands for any mapping key, "[]" for a list item."""
    defs: dict[str, Any] = schema.get("$defs", {})
    paths: set[KeyPath] = set()
    seen: set[tuple[int, KeyPath]] = set()

    def walk(node: Any, prefix: KeyPath) -> None:
        if not isinstance(node, dict) or (id(node), prefix) in seen:
            return
        seen.add((id(node), prefix))
        ref = node.get("$ref")
        if isinstance(ref, str):
            assert ref.startswith("#/$defs/"), ref
            walk(defs[ref.removeprefix("#/$defs/")], prefix)
        for name, sub in node.get("properties", {}).items():
            paths.add((*prefix, name))
            walk(sub, (*prefix, name))
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], (*prefix, "*"))
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*prefix, "[]"))
        # Applicators that describe the same instance; `if`, `not` and `propertyNames` only
        # test the instance and name no property of their own.
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, []):
                walk(sub, prefix)
        for key in ("then", "else"):
            walk(node.get(key), prefix)
        for sub in node.get("dependentSchemas", {}).values():
            walk(sub, prefix)

    walk(schema, ())
    return paths


def instance_paths(data: Any, prefix: KeyPath = ()) -> Iterator[KeyPath]:
    if isinstance(data, dict):
        for key, value in data.items():
            path = (*prefix, str(key))
            yield path
            yield from instance_paths(value, path)
    elif isinstance(data, list):
        for item in data:
            yield from instance_paths(item, (*prefix, "[]"))


def fixture_paths(case_dirs: list[Path]) -> set[KeyPath]:
    found: set[KeyPath] = set()
    for case in case_dirs:
        found.update(instance_paths(load_yaml(case / "buildspec.yml")))
    return found


def matches(pattern: KeyPath, path: KeyPath) -> bool:
    if len(pattern) != len(path):
        return False
    return all(p in ("*", q) for p, q in zip(pattern, path, strict=True))


def dotted(path: KeyPath) -> str:
    return ".".join(path).replace(".[]", "[]")


def test_schema_paths_are_collected() -> None:
    paths = {dotted(p) for p in schema_property_paths(load_schema())}
    for expected in (
        "version",
        "phases.build.on-failure",
        "phases.install.runtime-versions",
        "phases.post_build.steps[].timeout-minutes",
        "batch.build-graph[].env.fleet",
        "batch.build-matrix.dynamic.env.variables",
        "artifacts.secondary-artifacts.*.enable-symlinks",
        "reports.*.file-format",
        "environment_variables.plaintext",
        "env.git-credential-helper",
    ):
        assert expected in paths
    assert "phases.build.runtime-versions" not in paths


@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_every_schema_path_appears_in_a_fixture(kind: str) -> None:
    present = fixture_paths(VALID if kind == "valid" else INVALID)
    missing = sorted(
        dotted(pattern)
        for pattern in schema_property_paths(load_schema())
        if dotted(pattern) not in EXEMPT_PATHS
        and not any(matches(pattern, path) for path in present)
    )
    assert missing == []


def test_exemptions_are_still_needed() -> None:
    paths = {dotted(p) for p in schema_property_paths(load_schema())}
    assert set(EXEMPT_PATHS) <= paths
