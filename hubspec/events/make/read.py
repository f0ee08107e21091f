"""Reading Makefiles into a `Database`, as make's first phase does.

Variables are assigned in order, rule targets and prerequisites expanded at once, recipes
kept as written (they are expanded when their target is made), conditionals evaluated when
their operands are known. A condition that cannot be evaluated makes what it guards
uncertain: the variables it sets become unknown, its recipe lines are not run as facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from hubspec.events.make.conditions import Conditions
from hubspec.events.make.database import Database, Problem, Recipe, Rule
from hubspec.events.make.expand import FILE, MARK, OVERRIDE, Expander, Variable
from hubspec.events.make.functions import pattern_match
from hubspec.events.make.lines import Line, join_continued, logical_lines, strip_comment

Locate = Callable[[str], "tuple[Path, str | None] | None"]
"""A file name as an include or -f writes it -> (its path, its text or None), or None when
it is outside the source root."""

MAX_FILES = 32
MAX_INCLUDE_DEPTH = 16
MAX_CHARACTERS = 2_000_000
_ASSIGNMENT = re.compile(r"(:::=|::=|:=|\+=|\?=|!=|=)")
_MODIFIERS = frozenset({"override", "export", "private", "unexport"})


class MakefileReader:
    """Reads one make run's Makefiles (and what they include) into `database`."""

    def __init__(self, expander: Expander, database: Database, locate: Locate) -> None:
        self.expander = expander
        self.database = database
        self.locate = locate
        self._reading: list[Path] = []
        self._rules: list[Rule] | None = None
        self._recipe_lines: list[Recipe] | None = None
        self._conditions = Conditions(expander)
        self._path = Path()

    def read(self, name: str, *, optional: bool = False, line: int = 0) -> bool:
        """Read the Makefile `name` (as written); False when it cannot be read."""
        where = self._path if self._reading else None
        found = self.locate(name)
        if found is None:
            if not optional:
                self._problem(where, line, f"the Makefile {name} is outside the source root")
            return False
        path, text = found
        if path in self._reading:
            self._problem(path, line, f"{name} includes itself; make would loop, hubspec stops")
            return True
        if text is None:
            if not optional:
                self._problem(where, line, f"the Makefile {name} was not found or is unreadable")
            return False
        return self._read_text(path, name, text, line)

    def _read_text(self, path: Path, name: str, text: str, line: int) -> bool:
        database = self.database
        where = self._path if self._reading else None
        if len(self._reading) >= MAX_INCLUDE_DEPTH or len(database.files) >= MAX_FILES:
            reason = f"{name} is not read: more than {MAX_FILES} Makefiles or includes too deep"
            self._problem(where, line, reason, structural=False)
            return True
        database.characters += len(text)
        if database.characters > MAX_CHARACTERS:
            self._problem(
                path,
                0,
                f"the Makefiles add up to more than {MAX_CHARACTERS:,} characters",
                structural=False,
            )
            return True
        if MARK in text or "\ufffd" in text[:4096]:
            self._problem(path, 0, f"{name} is not a text file", structural=False)
            return True
        database.files.append(path)
        database.mentions_docker = database.mentions_docker or "docker" in text
        saved = (self._path, self._rules)
        self._path = path
        self._reading.append(path)
        self._rules = None
        depth = self._conditions.depth()
        try:
            self._lines(iter(logical_lines(text)))
        finally:
            self._reading.pop()
            self._conditions.close_to(depth)
            self._path = saved[0]
            self._rules = saved[1] if len(self._reading) else None
        return True

    def _problem(
        self, path: Path | None, line: int, reason: str, *, structural: bool = True
    ) -> None:
        self.database.problems.append(Problem(path, line, reason, structural))

    # ---------------------------------------------------------------- lines

    def _lines(self, lines: Iterator[Line]) -> None:
        for line in lines:
            if line.recipe and self._rules is not None:
                self._recipe(line)
                continue
            text = strip_comment(
                join_continued(line.raw.split("\n")) if line.recipe else line.text
            ).strip()
            if not text:
                continue
            if self._conditions.directive(text, self._path, line.number):
                continue
            if not self._conditions.active():
                if text.split(None, 1)[0] == "define":
                    _skip_define(lines)
                continue
            self._statement(text, line, lines)

    def _recipe(self, line: Line) -> None:
        if not self._conditions.active():
            return
        uncertain = self._conditions.uncertain()
        assert self._rules is not None
        if self._recipe_lines is None:
            # The first recipe line of a rule line: its recipe replaces an earlier one
            # for the same targets (make keeps the last, with a warning).
            self._recipe_lines = []
            for rule in self._rules:
                rule.recipe = self._recipe_lines
                rule.has_recipe = True
                rule.path, rule.line = self._path, line.number
        self._recipe_lines.append(Recipe(line.text, self._path, line.number, uncertain))

    def _statement(self, text: str, line: Line, lines: Iterator[Line]) -> None:
        keywords: set[str] = set()
        while True:
            head, _, tail = _first_word(text)
            if head not in _MODIFIERS or (not tail and head in ("override", "private")):
                break
            keywords.add(head)
            text = tail
            if not text:
                break
        head, _, tail = _first_word(text)
        exported = "export" in keywords
        override = "override" in keywords
        if not keywords and head in ("include", "-include", "sinclude"):
            self._rules = None
            self._include(tail, optional=head != "include", line=line.number)
            return
        if head == "define":
            self._rules = None
            self._define(tail, lines, line.number, exported, override)
            return
        if not text:
            self.database.export_all = self.database.export_all or "export" in keywords
            return
        if not keywords and head in ("vpath", "undefine", "load"):
            return
        operator = _operator(text)
        if operator is not None:
            self._rules = None
            self._assignment(text, operator, line.number, exported=exported, override=override)
        elif keywords & {"export", "unexport"}:
            if exported:
                for name in self.expander.expand(text).split():
                    self._export(name)
        elif _rule_colon(text) >= 0:
            self._rule(text, line)
        else:
            self._other(text, line.number)

    def _other(self, text: str, number: int) -> None:
        """A line that is neither rule nor assignment: fine when it expands to nothing."""
        if self._conditions.uncertain() is not None:
            return
        if text.startswith(("$(eval", "${eval", "$(call", "${call", "$(foreach")):
            self._problem(self._path, number, "rules made by $(eval ...) are not followed")
        elif self.expander.expand(text).strip():
            self._problem(self._path, number, "a line make cannot read (missing separator)")

    def _export(self, name: str) -> None:
        variables = self.expander.variables
        old = variables.get(name)
        if old is None:
            variables[name] = Variable("", True, FILE, True)
        else:
            variables[name] = Variable(old.value, old.recursive, old.origin, True)

    def _assignment(
        self, text: str, match: re.Match[str], number: int, *, exported: bool, override: bool
    ) -> None:
        name = self.expander.expand(text[: match.start()].strip())
        value = text[match.end() :].lstrip()
        self._assign(name, match.group(1), value, number, exported=exported, override=override)

    def _assign(
        self, name: str, operator: str, value: str, number: int, *, exported: bool, override: bool
    ) -> None:
        if MARK in name or not name:
            self._problem(self._path, number, "a variable whose name is not known is assigned")
            return
        variables = self.expander.variables
        origin = OVERRIDE if override else FILE
        uncertain = self._conditions.uncertain()
        if uncertain is not None:
            source = f"$({name}), set under `{uncertain}` ({self._path.name} line {number})"
            self.expander.mark_unknown(name, source, variables)
        else:
            self.expander.assign(name, operator, value, origin, scope=variables)
        if name == ".DEFAULT_GOAL":
            self.database.default_goal = self.expander.value_of(name).strip() or None
        if name == ".RECIPEPREFIX":
            self._problem(self._path, number, ".RECIPEPREFIX is not followed", structural=False)
        if exported:
            self._export(name)

    def _define(
        self, header: str, lines: Iterator[Line], number: int, exported: bool, override: bool
    ) -> None:
        body = _define_body(lines)
        parts = header.split()
        operator = "="
        if parts and parts[-1] in ("=", ":=", "::=", ":::=", "+=", "?=", "!="):
            operator = parts.pop()
        elif parts and parts[-1][-1:] == "=":
            match = _ASSIGNMENT.search(parts[-1])
            if match is not None:
                operator = match.group(1)
                parts[-1] = parts[-1][: match.start()]
        name = self.expander.expand(" ".join(parts))
        self._assign(name, operator, body, number, exported=exported, override=override)

    def _include(self, rest: str, *, optional: bool, line: int) -> None:
        names = self.expander.expand(rest)
        for name in names.split():
            if MARK in name:
                self._problem(self._path, line, f"an included Makefile is not known ({rest})")
                continue
            self.read(name, optional=optional, line=line)

    # ---------------------------------------------------------------- rules

    def _rule(self, text: str, line: Line) -> None:
        colon = _rule_colon(text)
        double = text[colon : colon + 2] == "::"
        targets_text = text[:colon]
        rest = text[colon + (2 if double else 1) :]
        recipe_text: str | None = None
        semicolon = _top_level(rest, ";")
        if semicolon >= 0:
            rest, recipe_text = rest[:semicolon], rest[semicolon + 1 :]
        targets = self.expander.expand(targets_text).split()
        if any(MARK in target for target in targets):
            self._problem(
                self._path, line.number, f"a rule's target is not known ({targets_text.strip()})"
            )
            targets = [t for t in targets if MARK not in t]
        operator = _operator(rest)
        if operator is not None and _rule_colon(rest[: operator.start()]) < 0:
            self._target_variable(targets, rest, operator)
            self._rules = None
            return
        static = _rule_colon(rest)
        pattern = ""
        if static >= 0:
            pattern = self.expander.expand(rest[:static]).strip()
            rest = rest[static + 1 :]
        normal, _, order = rest.partition("|")
        prerequisites = self.expander.expand(normal).split()
        order_only = self.expander.expand(order).split()
        rules: list[Rule] = []
        uncertain = self._conditions.uncertain()
        for target in targets:
            rule = _new_rule(target, pattern, prerequisites, order_only, line, uncertain)
            if rule is not None:
                rule.path = self._path
                rules.append(self.database.record_rule(rule, double))
        self._rules = rules
        self._recipe_lines = None
        if recipe_text is not None and recipe_text.strip():
            self._recipe(Line(recipe_text.strip(), line.number, True, recipe_text))

    def _target_variable(self, targets: list[str], text: str, match: re.Match[str]) -> None:
        name_part = text[: match.start()].split()
        override = "override" in name_part
        name_part = [w for w in name_part if w not in ("override", "export", "private")]
        name = self.expander.expand(" ".join(name_part))
        value = text[match.end() :].lstrip()
        for target in targets:
            assignments = self.database.target_variables.setdefault(target, [])
            assignments.append((name, match.group(1), value, override))


def _new_rule(
    target: str,
    pattern: str,
    prerequisites: list[str],
    order_only: list[str],
    line: Line,
    uncertain: str | None,
) -> Rule | None:
    """The rule for one target of a rule line; a static pattern rule fills in its stem."""
    stem = ""
    if pattern:
        found = pattern_match(pattern, target)
        if found is None:
            return None
        stem = found
        prerequisites = [p.replace("%", found, 1) for p in prerequisites]
        order_only = [p.replace("%", found, 1) for p in order_only]
    return Rule(
        target,
        list(prerequisites),
        list(order_only),
        [],
        Path(),
        line.number,
        stem,
        uncertain=uncertain,
    )


def _operator(text: str) -> re.Match[str] | None:
    """The assignment operator of a line, when it comes before any rule colon."""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "$" and index + 1 < len(text) and text[index + 1] in "({":
            index = _skip_reference(text, index)
            continue
        if char == "=":
            start = index - 1 if index > 0 and text[index - 1] in "+?!" else index
            return _ASSIGNMENT.match(text, start)
        if char == ":":
            return _ASSIGNMENT.match(text, index)  # `:=`, `::=`, `:::=`; a rule's `:` is not
        index += 1
    return None


def _rule_colon(text: str) -> int:
    """Index of the colon that separates targets from prerequisites, or -1."""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "$" and index + 1 < len(text) and text[index + 1] in "({":
            index = _skip_reference(text, index)
            continue
        if char == ":" and not (index + 1 < len(text) and text[index + 1] in "\\/"):
            return index
        if char == "=":
            return -1
        index += 1
    return -1


def _top_level(text: str, wanted: str) -> int:
    index = 0
    while index < len(text):
        if text[index] == "$" and index + 1 < len(text) and text[index + 1] in "({":
            index = _skip_reference(text, index)
            continue
        if text[index] == wanted:
            return index
        index += 1
    return -1


def _skip_reference(text: str, index: int) -> int:
    opener = text[index + 1]
    closer = ")" if opener == "(" else "}"
    depth = 0
    for position in range(index + 1, len(text)):
        if text[position] == opener:
            depth += 1
        elif text[position] == closer:
            depth -= 1
            if depth == 0:
                return position + 1
    return len(text)


def _define_body(lines: Iterator[Line]) -> str:
    body: list[str] = []
    depth = 1
    for line in lines:
        word = line.raw.strip().split(None, 1)[0] if line.raw.strip() else ""
        if word == "define" or (word in ("override", "export") and " define" in line.raw):
            depth += 1
        elif word == "endef":
            depth -= 1
            if depth == 0:
                break
        body.append(line.raw)
    return "\n".join(body)


def _skip_define(lines: Iterator[Line]) -> None:
    _define_body(lines)


def _first_word(text: str) -> tuple[str, str, str]:
    parts = text.split(None, 1)
    if not parts:
        return "", "", ""
    return parts[0], " ", parts[1].strip() if len(parts) > 1 else ""
