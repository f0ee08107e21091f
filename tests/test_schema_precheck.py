"""The schema precheck agrees with jsonschema: it may skip jsonschema only on valid documents."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, FIXTURES
from hubspec.lint.pipeline import load
from hubspec.load.document import Document
from hubspec.load.source import Source, decode
from hubspec.schema.check import _validator, load_schema, precheck


def documents() -> Iterator[tuple[str, Any]]:
    paths = sorted(FIXTURES.rglob("*.y*ml"))
    if CORPUS.is_dir():
        paths += sorted(CORPUS.rglob("*.y*ml"))
    for path in paths:
        loaded = load(str(path), decode(path.read_bytes()))
        if isinstance(loaded, Document):
            yield str(path), loaded.data


def jsonschema_valid(data: Any) -> bool:
    return next(iter(_validator().iter_errors(data)), None) is None


def test_every_fixture_and_corpus_file() -> None:
    seen = {True: 0, False: 0}
    for path, data in documents():
        expected = jsonschema_valid(data)
        assert precheck(data) is expected, path
        seen[expected] += 1
    assert seen[True] > 100
    assert seen[False] > 100  # the HS002/HS003 fixtures


SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    1.5,
    "",
    "0.2",
    "yes",
    "no",
    "root",
    "x" * 300,
    "a b",
    "CODEBUILD_X",
    0.2,
    "0.1",
    float("inf"),
]


def mutate(data: Any, rng: random.Random) -> Any:
    """One random change somewhere in the data: a value replaced, a key added or removed."""
    data = copy.deepcopy(data)
    containers: list[Any] = []
    todo = [data]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            containers.append(node)
            todo.extend(node.values())
        elif isinstance(node, list):
            containers.append(node)
            todo.extend(node)
    if not containers:
        return rng.choice(SCALARS)
    target = rng.choice(containers)
    choice = rng.random()
    replacement = rng.choice([*SCALARS, [], {}, ["echo"], {"a": "b"}])
    if isinstance(target, dict):
        keys = list(target)
        if keys and choice < 0.5:
            target[rng.choice(keys)] = replacement
        elif keys and choice < 0.7:
            del target[rng.choice(keys)]
        else:
            name = rng.choice(["commands", "finally", "run-as", "on-failure", "x-key", "env"])
            target[name] = replacement
    elif target and choice < 0.7:
        target[rng.randrange(len(target))] = replacement
    else:
        target.append(replacement)
    return data


@pytest.mark.parametrize("seed", range(4))
def test_random_mutations(seed: int) -> None:
    rng = random.Random(seed)
    originals = [data for _, data in documents()]
    for _ in range(400):
        data = rng.choice(originals)
        for _ in range(rng.randint(1, 3)):
            data = mutate(data, rng)
        assert precheck(data) is jsonschema_valid(data), data


def test_unknown_keywords_defer_to_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = dict(load_schema())
    schema["uniqueItems"] = True  # a keyword the precheck does not evaluate
    from hubspec.schema.check import _Precheck

    monkeypatch.setattr("hubspec.schema.check._precheck", lambda: _Precheck(schema))
    valid = {"version": 0.2, "phases": {"build": {"commands": ["make"]}}}
    assert jsonschema_valid(valid)
    assert precheck(valid) is None
    # A failing keyword decides alone (a schema is a conjunction), so False stays sound.
    assert precheck({"version": 0.2}) is False


def test_equality_follows_jsonschema() -> None:
    from hubspec.schema.check import _equal

    assert not _equal(True, 1)
    assert not _equal(0, False)
    assert _equal(1, 1.0)
    assert _equal([1, "a"], [1.0, "a"])
    assert not _equal([True], [1])
    assert _equal({"a": [1]}, {"a": [1]})


def test_the_schema_is_in_the_package() -> None:
    assert Path(__file__).parent.parent.joinpath("schemas", "buildspec.schema.json").is_file()
    assert load_schema()["$schema"].endswith("2020-12/schema")


# --------------------------------------------------------------------------- explain


def _raw(errors: Any) -> list[tuple[str, tuple[Any, ...], str, str]]:
    """What `_issues_for` reads of each error, comparable across the two sources."""
    return sorted(
        (
            error.validator,
            tuple(error.absolute_path),
            repr(error.instance),
            error.message if error.validator == "required" else "",
        )
        for error in errors
    )


def _issues_both_ways(data: Any) -> tuple[list[Any], list[Any]] | None:
    """validate()'s issues with explained errors and with jsonschema's, on `data` written as
    JSON (which is YAML) so that every node has its own offsets; None if it cannot be."""
    import json

    from hubspec.load.document import parse
    from hubspec.schema import check as schema

    try:
        text = json.dumps(data, indent=1, allow_nan=False)
    except ValueError:
        return None
    document = parse("buildspec.yml", Source.of_text(text))
    if not isinstance(document, Document) or document.data != data:
        return None
    explained = schema.validate(document)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema, "explain", lambda data: None)
        from_jsonschema = schema.validate(document)
    return explained, from_jsonschema


def _check_explained(data: Any, counts: dict[str, int]) -> None:
    from hubspec.schema.check import explain

    errors = explain(data)
    expected = list(_validator().iter_errors(data))
    if errors is None:
        counts["jsonschema"] += 1
        return
    counts["explained"] += 1
    assert _raw(errors) == _raw(expected), data
    both = _issues_both_ways(data)
    if both is not None:
        counts["issues compared"] += 1
        assert both[0] == both[1], data


def test_explained_errors_are_jsonschemas_on_every_file() -> None:
    counts = {"explained": 0, "jsonschema": 0, "issues compared": 0}
    for _, data in documents():
        _check_explained(data, counts)
    assert counts["explained"] > 100, counts  # every valid file, and most invalid ones
    assert counts["issues compared"] > 100, counts


@pytest.mark.parametrize("seed", range(4))
def test_explained_errors_are_jsonschemas_after_random_mutations(seed: int) -> None:
    from hubspec.schema.check import precheck

    rng = random.Random(seed)
    originals = [data for _, data in documents()]
    counts = {"explained": 0, "jsonschema": 0, "issues compared": 0}
    for _ in range(300):
        data = rng.choice(originals)
        for _ in range(rng.randint(1, 3)):
            data = mutate(data, rng)
        if precheck(data) is False:
            _check_explained(data, counts)
    assert counts["explained"] > counts["jsonschema"] > 0, counts
    assert counts["issues compared"] > counts["explained"] // 2, counts


def test_corpus_files_explained_without_jsonschema() -> None:
    """The corpus's invalid files are mostly unknown keys, wrong types, missing keys."""
    from hubspec.schema.check import explain, precheck

    invalid = [data for path, data in documents() if "corpus" in path and not precheck(data)]
    if not invalid:
        pytest.skip("no corpus beside the checkout")
    explained = [data for data in invalid if explain(data)]
    assert len(explained) >= len(invalid) * 3 // 4, (len(explained), len(invalid))
