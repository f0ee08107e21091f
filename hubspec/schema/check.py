"""JSON Schema validation of the plain data, with each error mapped back to its YAML node.

jsonschema reports paths; users need a line and a column and a sentence. Each error is
turned into a SchemaIssue at the node the path leads to (the key for unknown or missing
keys, the value otherwise), with a message that names the path and says what is wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from hubspec.load.document import Document, Node
from hubspec.records import record

UNKNOWN_KEY = "unknown-key"
VIOLATION = "violation"

_TYPE_NOUNS = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "object": "a mapping",
    "array": "a list",
    "null": "empty",
}


@record
class SchemaIssue:
    """One schema problem: its kind, message and the character offsets it points at."""

    kind: str
    message: str
    start: int
    end: int


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The buildspec schema shipped inside the package.

    `pkgutil.get_data` reads it through the package's loader (a directory or a zipped wheel)
    at a fraction of the cost of `importlib.resources`, whose import and lookup take longer
    than linting a small buildspec.
    """
    import pkgutil

    data = pkgutil.get_data("hubspec.schemas", "buildspec.schema.json")
    if data is None:
        raise FileNotFoundError("hubspec.schemas/buildspec.schema.json is not installed")
    schema: dict[str, Any] = json.loads(data)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Any:
    """The jsonschema validator, built once per process (importing jsonschema costs ~0.1 s)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema())


def validate(document: Document) -> list[SchemaIssue]:
    """Every schema problem of the document, one per place, in document order."""
    checked = precheck(document.data)
    if checked is True:
        return []
    errors: Iterable[Any] | None = explain(document.data) if checked is False else None
    if errors is None:
        errors = _validator().iter_errors(document.data)
    issues: list[SchemaIssue] = []
    seen: set[tuple[int, str]] = set()
    for error in errors:
        for issue in _issues_for(error, document):
            key = (issue.start, issue.message)
            if key not in seen:
                seen.add(key)
                issues.append(issue)
    issues.sort(key=lambda issue: (issue.start, issue.message))
    return _drop_shadowed(issues)


def precheck(data: Any) -> bool | None:
    """True when the data is certainly valid: then jsonschema (and its import) is skipped.

    A small evaluator of the keywords the buildspec schema uses, with jsonschema's draft
    2020-12 semantics; it only ever says "valid" (True), "invalid" (False, and jsonschema
    then explains why) or "cannot tell" (None: a keyword it does not know, a non-local
    $ref). Every message still comes from jsonschema; tests/test_schema_precheck.py checks
    that both agree on every fixture and corpus file.
    """
    checker = _precheck()
    try:
        return checker.valid(data, checker.root)
    except (_Unsupported, RecursionError):
        return None


def explain(data: Any) -> list[SchemaError] | None:
    """The errors jsonschema's `iter_errors` gives for `data`, where they are all simple.

    Simple: a keyword that fails on its own (type, required, enum, pattern, an unknown key,
    a bound), found through properties, items, $ref, allOf and if/then/else, as jsonschema
    reports them, and a key that propertyNames refuses. None when a composite keyword fails
    (not, anyOf, oneOf, dependentSchemas, ...): jsonschema explains those, with the context
    they need. Most
    invalid buildspecs are explained here, so the run never imports jsonschema (a tenth of
    a second); tests/test_schema_precheck.py checks the issues are the same either way.
    """
    checker = _precheck()
    try:
        return checker.errors(data, checker.root, ())
    except (_Unsupported, RecursionError):
        return None


@record
class SchemaError:
    """The parts of a jsonschema ValidationError that `_issues_for` reads."""

    validator: str
    validator_value: Any
    instance: Any
    schema: dict[str, Any]
    absolute_path: tuple[str | int, ...]
    message: str = ""
    context: tuple[Any, ...] = ()
    absolute_schema_path: tuple[str | int, ...] = ()


class _Unsupported(Exception):
    """The schema uses something the precheck does not evaluate: ask jsonschema."""


_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "errorMessage",
        "markdownDescription",
    }
)


def _is_type(instance: Any, kind: str) -> bool:
    """jsonschema's draft 2020-12 type checker: booleans are not numbers, 1.0 is an integer."""
    if kind == "string":
        return isinstance(instance, str)
    if kind == "object":
        return isinstance(instance, dict)
    if kind == "array":
        return isinstance(instance, list)
    if kind == "boolean":
        return isinstance(instance, bool)
    if kind == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if kind == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if kind == "number":
        return isinstance(instance, (int, float))
    raise _Unsupported(kind)


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality for enum/const: True is not 1, lists and mappings compare deeply."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_equal(one[key], two[key]) for key in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


_Check = Callable[[Any], bool]


def _yes(instance: Any) -> bool:
    return True


def _no(instance: Any) -> bool:
    return False


def _raises(error: _Unsupported) -> _Check:
    def check(instance: Any) -> bool:
        raise error

    return check


def _type_check(kinds: list[str]) -> _Check:
    """jsonschema's type check for `kinds`, with isinstance where a kind is one Python type."""
    simple = {"string": str, "object": dict, "array": list, "boolean": bool, "null": type(None)}
    if not all(kind in simple for kind in kinds):
        return lambda i: any(_is_type(i, kind) for kind in kinds)
    types = tuple(simple[kind] for kind in kinds)
    return lambda i: isinstance(i, types)


class _Precheck:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.references: dict[str, Any] = {}
        self.compiled: dict[int, tuple[Any, _Check]] = {}

    def _resolve(self, reference: str) -> Any:
        resolved = self.references.get(reference)
        if resolved is None:
            if not reference.startswith("#"):
                raise _Unsupported(reference)
            resolved = self.references[reference] = _pointer(self.root, reference)
        return resolved

    def valid(self, instance: Any, schema: Any) -> bool:
        """Whether `instance` is valid under `schema` (a part of the root schema)."""
        return self._compiled(schema)(instance)

    def _compiled(self, schema: Any) -> _Check:
        """`schema` as one function, made once: evaluating it no longer walks the schema.

        Its keywords become functions when it is first evaluated. Kept by id with the schema
        itself, which the root holds, so an id is never reused.
        """
        entry = self.compiled.get(id(schema))
        if entry is not None and entry[0] is schema:
            return entry[1]
        if schema is True:
            return _yes
        if schema is False:
            return _no
        if not isinstance(schema, dict):
            return _raises(_Unsupported(repr(schema)))
        checks: list[_Check] | None = None

        def check(instance: Any) -> bool:
            nonlocal checks
            if checks is None:  # made when first evaluated: a run uses a part of the schema
                made = (self._keyword(keyword, value, schema) for keyword, value in schema.items())
                checks = [one for one in made if one is not None]
            for one in checks:  # noqa: SIM110 - a loop: all() of a generator is slower here
                if not one(instance):
                    return False
            return True

        self.compiled[id(schema)] = (schema, check)
        return check

    def _holds(self, keyword: str, value: Any, schema: dict[str, Any], instance: Any) -> bool:
        """Whether one keyword of `schema` holds for `instance`."""
        check = self._keyword(keyword, value, schema)
        return check is None or check(instance)

    def _keyword(self, keyword: str, value: Any, schema: dict[str, Any]) -> _Check | None:
        """One keyword of `schema` as a function with jsonschema's draft 2020-12 meaning.

        Something the evaluator does not know raises _Unsupported when it is evaluated, not
        before: a keyword that fails earlier in the same schema still decides (False).
        """
        if keyword in _ANNOTATIONS:
            if keyword == "$id" and schema is not self.root:
                return _raises(_Unsupported(keyword))  # a new base URI for $refs below
            return None
        if keyword == "$ref":
            try:
                return self._compiled(self._resolve(value))
            except _Unsupported as error:
                return _raises(error)
        if keyword == "type":
            return _type_check(value if isinstance(value, list) else [value])
        if keyword == "properties":
            named = {name: self._compiled(subschema) for name, subschema in value.items()}

            def properties(i: Any) -> bool:
                # by the instance's keys: a mapping holds few of the names a schema knows
                if not isinstance(i, dict):
                    return True
                for name, item in i.items():
                    check = named.get(name)
                    if check is not None and not check(item):
                        return False
                return True

            return properties
        if keyword == "patternProperties":
            patterned = [(re.compile(p).search, self._compiled(s)) for p, s in value.items()]
            return lambda i: (
                not isinstance(i, dict)
                or all(
                    not search(name) or check(item)
                    for search, check in patterned
                    for name, item in i.items()
                )
            )
        if keyword == "additionalProperties":
            known = schema.get("properties", {})
            searches = [re.compile(p).search for p in schema.get("patternProperties", {})]
            extra = self._compiled(value)

            def additional(i: Any) -> bool:
                if not isinstance(i, dict):
                    return True
                for name, item in i.items():
                    if name in known or any(search(name) for search in searches):
                        continue
                    if not extra(item):
                        return False
                return True

            return additional
        if keyword == "propertyNames":
            names = self._compiled(value)
            return lambda i: not isinstance(i, dict) or all(names(name) for name in i)
        if keyword == "required":
            return lambda i: not isinstance(i, dict) or all(name in i for name in value)
        if keyword == "dependentRequired":
            return lambda i: (
                not isinstance(i, dict)
                or all(
                    name not in i or all(other in i for other in needed)
                    for name, needed in value.items()
                )
            )
        if keyword == "dependentSchemas":
            dependent = [(name, self._compiled(subschema)) for name, subschema in value.items()]
            return lambda i: (
                not isinstance(i, dict)
                or all(name not in i or check(i) for name, check in dependent)
            )
        if keyword in ("minProperties", "maxProperties"):
            return lambda i: not isinstance(i, dict) or _within(len(i), keyword, value)
        if keyword == "items":
            if not isinstance(value, (dict, bool)):
                unsupported = _raises(_Unsupported(keyword))
                return lambda i: not isinstance(i, list) or unsupported(i)
            skip = len(schema.get("prefixItems", ()))
            each = self._compiled(value)

            def items(i: Any) -> bool:
                if not isinstance(i, list):
                    return True
                for item in i[skip:] if skip else i:  # noqa: SIM110 - faster than all()
                    if not each(item):
                        return False
                return True

            return items
        if keyword == "prefixItems":
            leading = [self._compiled(subschema) for subschema in value]
            return lambda i: (
                not isinstance(i, list)
                or all(check(item) for item, check in zip(i, leading, strict=False))
            )
        if keyword in ("minItems", "maxItems"):
            return lambda i: not isinstance(i, list) or _within(len(i), keyword, value)
        if keyword in ("minLength", "maxLength"):
            return lambda i: not isinstance(i, str) or _within(len(i), keyword, value)
        if keyword == "pattern":
            search = re.compile(value).search
            return lambda i: not isinstance(i, str) or search(i) is not None
        if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            return lambda i: not _is_type(i, "number") or _within(i, keyword, value)
        if keyword == "enum":
            if all(isinstance(item, str) for item in value):
                strings = frozenset(value)  # only a string equals a string (`_equal`)
                return lambda i: isinstance(i, str) and i in strings
            return lambda i: any(_equal(i, item) for item in value)
        if keyword == "const":
            return lambda i: _equal(i, value)
        if keyword == "not":
            negated = self._compiled(value)
            return lambda i: not negated(i)
        if keyword in ("allOf", "anyOf", "oneOf"):
            parts = [self._compiled(subschema) for subschema in value]
            if keyword == "allOf":
                return lambda i: all(check(i) for check in parts)
            if keyword == "anyOf":
                return lambda i: any(check(i) for check in parts)
            return lambda i: sum(1 for check in parts if check(i)) == 1
        if keyword == "if":
            condition = self._compiled(value)
            then = self._compiled(schema["then"]) if "then" in schema else _yes
            otherwise = self._compiled(schema["else"]) if "else" in schema else _yes
            return lambda i: then(i) if condition(i) else otherwise(i)
        if keyword in ("then", "else"):
            return None  # evaluated with "if" (and ignored without it, as jsonschema does)
        return _raises(_Unsupported(keyword))

    def errors(
        self, instance: Any, schema: Any, path: tuple[str | int, ...], *, names: bool = False
    ) -> list[SchemaError]:
        """jsonschema's errors for `instance` under `schema`, in its order (see `explain`).

        `names`: `instance` is a key checked by propertyNames; there a failing `not` is
        simple too, as `_issues_for` words it from the schema's description alone.
        """
        if schema is True:
            return []
        if not isinstance(schema, dict):
            raise _Unsupported(repr(schema))  # `false`: jsonschema words that message
        found: list[SchemaError] = []
        is_object = isinstance(instance, dict)

        where: tuple[str | int, ...] = ("propertyNames",) if names else ()

        def fails(keyword: str, message: str = "") -> None:
            found.append(
                SchemaError(keyword, schema[keyword], instance, schema, path, message, (), where)
            )

        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                if keyword == "$id" and schema is not self.root:
                    raise _Unsupported(keyword)
            elif keyword == "$ref":
                found += self.errors(instance, self._resolve(value), path, names=names)
            elif keyword == "allOf":
                for subschema in value:
                    found += self.errors(instance, subschema, path, names=names)
            elif keyword == "if":
                branch = "then" if self.valid(instance, value) else "else"
                if branch in schema:
                    found += self.errors(instance, schema[branch], path, names=names)
            elif keyword == "propertyNames":
                if is_object:
                    for name in instance:
                        found += self.errors(name, value, path, names=True)
            elif keyword in ("then", "else"):
                continue
            elif keyword == "properties":
                if is_object:
                    for name, subschema in value.items():
                        if name in instance:
                            found += self.errors(instance[name], subschema, (*path, name))
            elif keyword == "patternProperties":
                if is_object:
                    for pattern, subschema in value.items():
                        for name, item in instance.items():
                            if re.search(pattern, name):
                                found += self.errors(item, subschema, (*path, name))
            elif keyword == "additionalProperties":
                if is_object:
                    known = schema.get("properties", {})
                    patterns = schema.get("patternProperties", {})
                    extras = [
                        name
                        for name in instance
                        if name not in known and not any(re.search(p, name) for p in patterns)
                    ]
                    if value is False and extras:
                        fails(keyword)
                    elif isinstance(value, dict):
                        for name in extras:
                            found += self.errors(instance[name], value, (*path, name))
                    elif value is not True and extras:
                        raise _Unsupported(keyword)
            elif keyword == "items":
                if isinstance(instance, list):
                    if not isinstance(value, (dict, bool)) or "prefixItems" in schema:
                        raise _Unsupported(keyword)
                    for index, item in enumerate(instance):
                        found += self.errors(item, value, (*path, index))
            elif keyword == "required":
                if is_object:
                    for name in value:
                        if name not in instance:
                            fails(keyword, f"{name!r} is a required property")
            elif keyword in _SIMPLE or (names and keyword == "not"):
                if not self._holds(keyword, value, schema, instance):
                    fails(keyword)
            elif not self._holds(keyword, value, schema, instance):
                raise _Unsupported(keyword)  # a composite that fails: jsonschema explains
        return found


_SIMPLE = frozenset(
    {"type", "enum", "const", "pattern", "minLength", "minItems", "maxItems"}
    | {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
)
"""Keywords whose failure is one error that `_violation` words without jsonschema's message."""


@lru_cache(maxsize=1)
def _precheck() -> _Precheck:
    """One checker per process, so that `$ref`s are looked up once."""
    return _Precheck(load_schema())


def _within(size: Any, keyword: str, bound: Any) -> bool:
    if keyword.startswith("min"):
        return bool(size >= bound)
    if keyword.startswith("max"):
        return bool(size <= bound)
    if keyword == "exclusiveMinimum":
        return bool(size > bound)
    return bool(size < bound)


def _pointer(root: Any, reference: str) -> Any:
    node = root
    for raw in reference[1:].split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise _Unsupported(reference)
    return node


def _drop_shadowed(issues: list[SchemaIssue]) -> list[SchemaIssue]:
    """Keep one violation per start offset: the first, most specific, message."""
    kept: list[SchemaIssue] = []
    starts: set[tuple[int, str]] = set()
    for issue in issues:
        marker = (issue.start, issue.kind)
        if issue.kind == VIOLATION and marker in starts:
            continue
        starts.add(marker)
        kept.append(issue)
    return kept


def _issues_for(error: Any, document: Document) -> Iterator[SchemaIssue]:
    if error.validator in ("if", "then", "else", "allOf") and error.context:
        for sub in error.context:
            yield from _issues_for(sub, document)
        return
    if error.validator in ("oneOf", "anyOf") and error.context:
        if all(sub.validator == "required" for sub in error.context):
            yield _missing_one_of(error, document)
            return
        best = _most_relevant(error)
        if best is not None:
            yield from _issues_for(best, document)
            return
    path = list(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        yield from _unknown_keys(error, path, document)
        return
    if error.validator == "propertyNames" or "propertyNames" in error.absolute_schema_path:
        parent = _node_at(document.root, path)
        key = parent.key_node(str(error.instance)) if parent is not None else None
        node = key or parent or document.root
        reason = _last_sentence(_subschema_hint(error, full=True) or "the name is not allowed here")
        yield SchemaIssue(
            VIOLATION,
            f"{_join(path, str(error.instance))}: {reason}",
            node.start,
            node.end,
        )
        return
    yield _violation(error, path, document)


def _missing_one_of(error: Any, document: Document) -> SchemaIssue:
    path = list(error.absolute_path)
    names = list(dict.fromkeys(_missing_key(sub) for sub in error.context))
    owner = _key_of(document.root, path) or _node_at(document.root, path) or document.root
    where = _join(path) or "the buildspec"
    wanted = " or ".join(f"'{name}'" for name in names)
    return SchemaIssue(VIOLATION, f"{where} needs {wanted}", owner.start, owner.end)


def _most_relevant(error: Any) -> Any:
    """Pick the sub-error of a oneOf/anyOf that best explains the failure.

    Prefer branches whose type matches the instance (the user meant that branch) and, among
    them, the deepest error; otherwise fall back to the first type error.
    """
    from jsonschema.exceptions import best_match, relevance

    candidates = list(error.context)
    same_type = [
        sub for sub in candidates if sub.validator != "type" and len(sub.relative_schema_path) > 0
    ]
    if same_type:
        return best_match(same_type, key=relevance)
    if error.validator == "oneOf" and not candidates:
        return None
    return None


def _unknown_keys(error: Any, path: list[Any], document: Document) -> Iterator[SchemaIssue]:
    parent = _node_at(document.root, path)
    schema = error.schema
    known = list(schema.get("properties", {}))
    patterns = list(schema.get("patternProperties", {}))
    instance = error.instance if isinstance(error.instance, dict) else {}
    for name in instance:
        if name in known or any(re.search(pattern, name) for pattern in patterns):
            continue
        key = parent.key_node(name) if parent is not None else None
        node = key or parent or document.root
        where = _join(path)
        hint = _suggest(name, known)
        if path and path[-1] == "phases":
            message = f"unknown phase '{name}'"
            message += f" (did you mean '{hint}'?)" if hint else ""
            message += "; CodeBuild runs only install, pre_build, build and post_build"
        else:
            message = f"unknown key '{name}'" + (f" in {where}" if where else " at the top level")
            message += f" (did you mean '{hint}'?)" if hint else ""
        yield SchemaIssue(UNKNOWN_KEY, message, node.start, node.end)


def _suggest(name: str, known: Sequence[str]) -> str | None:
    normal = name.replace("-", "_").lower()
    for candidate in known:
        if candidate.replace("-", "_").lower() == normal:
            return candidate
    import difflib

    matches = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    return matches[0] if matches else None


def _violation(error: Any, path: list[Any], document: Document) -> SchemaIssue:
    node = _node_at(document.root, path) or document.root
    if node.kind == "scalar" and node.value is None and node.start == node.end:
        # An empty value has no text of its own: point at its key.
        node = _key_of(document.root, path) or node
    where = _join(path) or "the buildspec"
    validator = error.validator
    instance = error.instance
    if validator == "required":
        missing = _missing_key(error)
        owner = _key_of(document.root, path)
        anchor = owner or (node if path else None)
        start = anchor.start if anchor is not None else 0
        end = anchor.end if anchor is not None else 1
        return SchemaIssue(
            VIOLATION, f"{where} is missing the required key '{missing}'", start, end
        )
    if validator in _WHOLE_MAPPING and isinstance(instance, dict):
        owner = _key_of(document.root, path)
        anchor = owner or node
        conflict = _conflict(error, instance)
        hint = _subschema_hint(error) or _plain_message(error)
        message = f"{where} {conflict}" if conflict else f"{where}: {hint}"
        return SchemaIssue(VIOLATION, message, anchor.start, anchor.end)
    message = f"{where}: {_plain_message(error)}"
    if validator == "type":
        message = _type_message(where, path, instance, error.validator_value, error)
    elif validator in ("enum", "const"):
        allowed = error.validator_value if validator == "enum" else [error.validator_value]
        if True in allowed and "yes" in allowed:
            message = f"{where} is {_show(instance)}; expected yes or no (or true/false)"
        else:
            shown = ", ".join(dict.fromkeys(str(item) for item in allowed[:12]))
            message = f"{where} is {_show(instance)}; allowed: {shown}"
    elif validator == "pattern":
        hint = error.schema.get("description")
        message = f"{where} is {_show(instance)}, which is not a valid value"
        if hint:
            message += f" ({_first_sentence(hint)})"
    elif validator in ("maxItems", "minItems"):
        size = len(instance) if isinstance(instance, list) else 0
        bound = "at most" if validator == "maxItems" else "at least"
        message = f"{where} has {size} items; {bound} {error.validator_value} are allowed"
    elif validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        message = f"{where} is {_show(instance)}; {_bound_text(validator, error.validator_value)}"
    elif validator == "minLength":
        message = f"{where} is empty"
    elif validator in ("not", "oneOf", "anyOf"):
        subschema_hint = _subschema_hint(error)
        if subschema_hint:
            message = f"{where}: {subschema_hint}"
    return SchemaIssue(VIOLATION, message, node.start, node.end)


_WHOLE_MAPPING = frozenset(
    {"not", "oneOf", "dependentRequired", "dependentSchemas", "maxProperties", "minProperties"}
)
_EXCLUSIVE = (
    ("commands", "steps"),
    ("finally", "steps"),
    ("fleet", "compute-type"),
)
_BATCH_KINDS = ("build-graph", "build-list", "build-matrix", "build-fanout")


def _conflict(error: Any, instance: dict[str, Any]) -> str | None:
    """Name the keys that may not be used together, for `not`/`oneOf` failures on a mapping."""
    present = [kind for kind in _BATCH_KINDS if kind in instance]
    if error.validator == "oneOf" and len(present) > 1:
        return f"sets {' and '.join(present)}; a batch uses exactly one of them"
    for first, second in _EXCLUSIVE:
        if first in instance and second in instance:
            return f"sets both '{first}' and '{second}'; use one of them"
    return None


def _type_message(where: str, path: list[Any], instance: Any, expected: Any, error: Any) -> str:
    kinds = [
        kind for kind in (expected if isinstance(expected, list) else [expected]) if kind != "null"
    ]
    nouns = [_TYPE_NOUNS.get(kind, kind) for kind in kinds] or ["a value"]
    wanted = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " or " + nouns[-1]
    actual = _noun_of(instance)
    parent = path[-2] if len(path) >= 2 else None
    if isinstance(instance, dict) and parent in ("commands", "finally"):
        return f"{where} is a mapping, not a command: a command that contains ': ' must be quoted"
    if instance is None:
        return f"{where} is empty; expected {wanted}"
    return f"{where} is {actual}, not {wanted}"


def _noun_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty"


def _bound_text(validator: str, value: Any) -> str:
    return {
        "minimum": f"it must be at least {value}",
        "maximum": f"it must be at most {value}",
        "exclusiveMinimum": f"it must be greater than {value}",
        "exclusiveMaximum": f"it must be less than {value}",
    }[validator]


def _show(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"'{shown}'"
    if isinstance(value, (dict, list)):
        return _noun_of(value)
    return json.dumps(value)


def _plain_message(error: Any) -> str:
    message = str(error.message)
    return message if len(message) <= 160 else message[:157] + "..."


def _subschema_hint(error: Any, *, full: bool = False) -> str | None:
    schema = error.schema if isinstance(error.schema, dict) else {}
    for key in ("errorMessage", "$comment", "description"):
        value = schema.get(key)
        if isinstance(value, str) and value:
            return value if full else _first_sentence(value)
    return None


def _last_sentence(text: str) -> str:
    parts = [
        part.strip().rstrip(".") for part in text.replace("; ", ". ").split(". ") if part.strip()
    ]
    return parts[-1] if parts else text


def _first_sentence(text: str) -> str:
    sentence = text.strip().split(". ")[0].rstrip(".")
    return sentence[:1].lower() + sentence[1:] if sentence[:2] != sentence[:2].upper() else sentence


def _missing_key(error: Any) -> str:
    text = str(error.message)
    if text.startswith("'") and "' is a required property" in text:
        return text[1 : text.index("' is a required property")]
    return text


def _join(path: Sequence[Any], extra: str | None = None) -> str:
    out = ""
    for part in [*path, *([extra] if extra is not None else [])]:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _node_at(root: Node, path: Sequence[Any]) -> Node | None:
    node: Node | None = root
    for part in path:
        if node is None:
            return None
        if isinstance(part, int):
            node = node.items[part] if node.kind == "sequence" and part < len(node.items) else None
        else:
            node = node.get(str(part)) if node.kind == "mapping" else None
    return node


def _key_of(root: Node, path: Sequence[Any]) -> Node | None:
    """The key node whose value sits at `path` (None for the root or list items)."""
    if not path or isinstance(path[-1], int):
        return _node_at(root, path) if path else None
    parent = _node_at(root, path[:-1])
    return (
        parent.key_node(str(path[-1])) if parent is not None and parent.kind == "mapping" else None
    )
