"""Make variables and `$(...)` expansion, with unknown parts kept apart from known text.

A part hubspec cannot compute ($(shell ...), a variable set under a condition it cannot
evaluate, an unknown environment variable) becomes a marker in the expanded text; the
marker names the make text it stands for, so callers can say what was not expanded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hubspec.events.make.functions import (
    ARGUMENT_COUNT,
    FUNCTIONS,
    KNOWN_UNKNOWABLE,
    patsubst,
)
from hubspec.records import record

MARK = "\x00"
"""Delimits an unknown part: MARK + its index + MARK. Makefiles holding NUL are refused."""
MAX_EXPANDED = 1_000_000
MAX_DEPTH = 64
MAX_PRODUCED = 4_000_000
"""Characters all expansions of one make run may produce together."""
MAX_REFERENCES = 200_000
"""References one make run may expand: bounds `A = $(B)$(B)`, `B = $(C)$(C)`, ... chains."""

_FUNCTION_NAME = re.compile(r"([a-z][a-z-]*)[ \t]")
UNKNOWN_STAND_IN = "$(make-unknown)"
_PLAIN_REFERENCE = re.compile(r"\$[({]([A-Za-z0-9_.@<^*%?+|][^()${}'\"`\\;&|<>]*)[)}]")
_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MARKED = re.compile(MARK + r"(\d+)" + MARK)

FILE = "file"
COMMAND_LINE = "command line"
OVERRIDE = "override"
ENVIRONMENT = "environment"
DEFAULT = "default"


@record(slots=True)
class Variable:
    """A make variable: `recursive` ones (`=`) are expanded each time they are used."""

    value: str
    recursive: bool
    origin: str
    exported: bool = False


class Unexpandable(Exception):
    """Expansion went past a bound; the whole text is unknown."""


class Expander:
    """Expands make text against the variables of one make run."""

    def __init__(self, variables: dict[str, Variable], environment_overrides: bool) -> None:
        self.variables = variables
        self.environment_overrides = environment_overrides
        self.unknowns: list[tuple[str, str]] = []
        """(the make text that is not known, the shell text standing for it in a recipe)"""
        self._expanding: list[str] = []
        self._references = 0
        self._depth = 0
        self._produced = 0
        self._cache: dict[str, str] = {}
        """Values of global variables expanded since the last assignment (make's read phase
        expands the same long lists for many rules)."""
        self.looked_up: set[str] | None = None
        """While reading Makefiles: every name whose value was asked for (a read phase
        depends on the environment through these only)."""
        self.shell_fallback = False
        """In recipes: a variable no Makefile defines stays `${NAME}` for the recipe's shell,
        which gets it from the environment as make would."""

    # ---------------------------------------------------------------- unknown parts

    def unknown(self, source: str, reference: str | None = None) -> str:
        """A marker standing for `source`, the make text whose value is not known.

        In a recipe it becomes `reference` (the make reference it comes from, when that is
        a plain `$(...)`): bash reads it as a command substitution, a value it cannot know,
        and messages show what the Makefile wrote."""
        self.unknowns.append((source, _stand_in(reference or source)))
        return f"{MARK}{len(self.unknowns) - 1}{MARK}"

    def unknown_sources(self, text: str) -> list[str]:
        """The make texts of the unknown parts in an expanded text."""
        return [self.unknowns[int(index)][0] for index in _MARKED.findall(text)]

    def replace_unknown(self, text: str) -> str:
        """An expanded text for the shell: each unknown part as its stand-in."""
        if MARK not in text:
            return text
        return _MARKED.sub(lambda match: self.unknowns[int(match.group(1))][1], text)

    # ---------------------------------------------------------------- variables

    def assign(
        self, name: str, operator: str, value: str, origin: str, *, scope: dict[str, Variable]
    ) -> None:
        """`name OP value` as a Makefile line or a command line assigns it."""
        self._cache.clear()
        old = scope.get(name)
        if self.looked_up is not None and old is not None and old.origin == ENVIRONMENT:
            self.looked_up.add(name)
        if old is not None and not self._may_replace(old, origin):
            return
        if operator == "?=":
            if old is None:
                scope[name] = Variable(value, True, origin)
            return
        exported = old.exported if old is not None else False
        if operator == "+=":
            if old is None:
                scope[name] = Variable(value, True, origin, exported)
            elif old.recursive:
                joined = f"{old.value} {value}" if old.value else value
                scope[name] = Variable(joined, True, origin, exported)
            else:
                tail = self.expand(value)
                joined = f"{old.value} {tail}" if old.value else tail
                scope[name] = Variable(joined, False, origin, exported)
        elif operator in (":=", "::="):
            scope[name] = Variable(self.expand(value), False, origin, exported)
        elif operator == ":::=":
            expanded = self.expand(value).replace("$", "$$")
            scope[name] = Variable(expanded, True, origin, exported)
        elif operator == "!=":
            scope[name] = Variable(self.unknown(f"$(shell {value})"), False, origin, exported)
        else:
            scope[name] = Variable(value, True, origin, exported)

    def _may_replace(self, old: Variable, origin: str) -> bool:
        if old.origin in (COMMAND_LINE, OVERRIDE):
            return origin in (COMMAND_LINE, OVERRIDE)
        if old.origin == ENVIRONMENT and self.environment_overrides:
            return origin != FILE
        return True

    def mark_unknown(
        self, name: str, source: str, scope: dict[str, Variable], reference: str
    ) -> None:
        """The variable may or may not have been set by `source` (a line under a condition)."""
        self._cache.clear()
        old = scope.get(name)
        if old is not None and not self._may_replace(old, FILE):
            return
        exported = old.exported if old is not None else False
        scope[name] = Variable(self.unknown(source, reference), False, FILE, exported)

    def value_of(self, name: str, scope: Mapping[str, Variable] | None = None) -> str:
        """The expanded value of a variable ('' when undefined, as make has it)."""
        if self.looked_up is not None:
            self.looked_up.add(name)
        if scope is None and not self.shell_fallback:
            cached = self._cache.get(name)
            if cached is None:
                cached = self._cache[name] = self._value_of(name, None)
            return cached
        return self._value_of(name, scope)

    def _value_of(self, name: str, scope: Mapping[str, Variable] | None) -> str:
        variable = scope.get(name) if scope is not None else None
        if variable is None:
            variable = self.variables.get(name)
        if variable is None:
            return "${" + name + "}" if self.shell_fallback and _SHELL_NAME.fullmatch(name) else ""
        if not variable.value:
            return ""
        if not variable.recursive:
            return variable.value
        if name in self._expanding:
            return self.unknown(f"$({name}) (a variable that refers to itself)", f"$({name})")
        self._expanding.append(name)
        try:
            return self.expand(variable.value, scope)
        finally:
            self._expanding.pop()

    # ---------------------------------------------------------------- expansion

    def expand(self, text: str, scope: Mapping[str, Variable] | None = None) -> str:
        """`text` with its references replaced by their values (unknown parts marked)."""
        if "$" not in text:
            return text
        if self._depth > MAX_DEPTH:
            raise Unexpandable(f"references nest deeper than {MAX_DEPTH} levels")
        self._depth += 1
        try:
            return self._expand(text, scope)
        finally:
            self._depth -= 1

    def _expand(self, text: str, scope: Mapping[str, Variable] | None) -> str:
        out: list[str] = []
        size = 0
        index = 0
        while True:
            dollar = text.find("$", index)
            if dollar < 0 or dollar + 1 >= len(text):
                out.append(text[index:] if dollar < 0 else text[index:dollar])
                break
            out.append(text[index:dollar])
            char = text[dollar + 1]
            if char == "$":
                out.append("$")
                index = dollar + 2
            elif char in "({":
                close = ")" if char == "(" else "}"
                end = _matching(text, dollar + 2, char, close)
                if end < 0:
                    out.append(self.unknown(text[dollar:]))
                    break
                out.append(self._reference(text[dollar + 2 : end], text[dollar : end + 1], scope))
                index = end + 1
            else:
                out.append(self._variable(char, scope))
                index = dollar + 2
            size += len(out[-1])
            self._produced += len(out[-1])
            if size > MAX_EXPANDED or self._produced > MAX_PRODUCED:
                raise Unexpandable(f"an expansion grows past {MAX_EXPANDED:,} characters")
        return "".join(out)

    def _variable(self, name: str, scope: Mapping[str, Variable] | None) -> str:
        self._references += 1
        if self._references > MAX_REFERENCES:
            raise Unexpandable(f"more than {MAX_REFERENCES:,} variable references")
        return self.value_of(name, scope)

    def _reference(self, inner: str, source: str, scope: Mapping[str, Variable] | None) -> str:
        function = _FUNCTION_NAME.match(inner)
        if function is not None:
            name = function.group(1)
            if name in FUNCTIONS or name == "if":
                return self._function(name, inner[function.end() :], source, scope)
            if name in KNOWN_UNKNOWABLE:
                return self.unknown(source)
        name_part, substitution = _split_substitution(inner)
        name = self.expand(name_part, scope)
        if MARK in name:
            return self.unknown(source)
        value = self._variable(name, scope)
        if substitution is None:
            return value
        if MARK in value:
            return self.unknown(source)
        before, after = (self.expand(part, scope) for part in substitution)
        if "%" not in before:
            before, after = "%" + before, "%" + after
        return patsubst(before, after, value)

    def _function(
        self, name: str, arguments: str, source: str, scope: Mapping[str, Variable] | None
    ) -> str:
        parts = _split_arguments(arguments, ARGUMENT_COUNT.get(name, 3 if name == "if" else 1))
        if name == "if":
            condition = self.expand(parts[0].strip(), scope)
            if MARK in condition:
                return self.unknown(source)
            chosen = parts[1] if condition else (parts[2] if len(parts) > 2 else "")
            return self.expand(chosen, scope)
        values = [self.expand(part, scope) for part in parts]
        if any(MARK in value for value in values):
            return self.unknown(source)
        while len(values) < ARGUMENT_COUNT.get(name, 1):
            values.append("")
        try:
            return FUNCTIONS[name](values)
        except ValueError:
            return self.unknown(source)


def _stand_in(reference: str) -> str:
    """`$(NAME)` or `$(func plain words)` as a bash command substitution, an environment
    variable's `${NAME}` as it is; anything bash could read otherwise (quotes, nesting,
    operators) as UNKNOWN_STAND_IN."""
    if reference.startswith("${") and _SHELL_NAME.fullmatch(reference[2:-1]):
        return reference  # an environment variable: the recipe's shell has it too
    match = _PLAIN_REFERENCE.fullmatch(reference)
    return f"$({match.group(1)})" if match is not None else UNKNOWN_STAND_IN


def _matching(text: str, start: int, opener: str, closer: str) -> int:
    """Index of the `closer` that ends a reference opened just before `start`, or -1."""
    depth = 1
    for index in range(start, len(text)):
        char = text[index]
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return index
    return -1


def top_level_index(text: str, separator: str, start: int = 0) -> int:
    """Where `separator` first stands outside any `(...)`/`{...}` from `start`; -1 if nowhere."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        elif char == separator and depth == 0:
            return index
    return -1


def _split_arguments(text: str, count: int) -> list[str]:
    """Split at top-level commas into at most `count` parts (the last keeps its commas)."""
    parts: list[str] = []
    start = 0
    while len(parts) < count - 1:
        comma = top_level_index(text, ",", start)
        if comma < 0:
            break
        parts.append(text[start:comma])
        start = comma + 1
    parts.append(text[start:])
    return parts


def _split_substitution(inner: str) -> tuple[str, tuple[str, str] | None]:
    """`VAR:a=b` -> ("VAR", ("a", "b")); a plain name -> (name, None)."""
    colon = top_level_index(inner, ":")
    rest = inner[colon + 1 :]
    if colon < 0 or "=" not in rest:
        return inner, None
    before, after = rest.split("=", 1)
    return inner[:colon], (before, after)
