"""Making goals: which rules run, in which order, and their recipe lines as the shell sees them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from hubspec.events.make.args import MakeArgs
from hubspec.events.make.database import Database, Problem, Recipe, Rule
from hubspec.events.make.expand import COMMAND_LINE, MARK, Expander, Variable
from hubspec.events.make.functions import pattern_match
from hubspec.records import record

MAX_TARGETS = 5_000
MAX_RECIPE_LINES = 5_000
UNKNOWN_VARIABLE = "HUBSPEC_MAKE_UNKNOWN"
UNKNOWN_STAND_IN = "${" + UNKNOWN_VARIABLE + "}"
"""What a part make cannot expand becomes in a recipe's shell text: a variable the caller
marks unknown, so the shell analysis treats the part as a value it cannot know."""
_PREFIXES = "@-+"
_RECURSIVE_MAKE = ("$(MAKE)", "${MAKE}")

Exists = Callable[[str], bool]
"""Whether a target names a file that exists (relative to make's directory)."""


@record(slots=True)
class RecipeLine:
    """One recipe line make runs, as its shell sees it, with where it is written."""

    command: str
    path: Path
    line: int
    target: str
    unknown: tuple[str, ...] = ()
    """The make texts of parts that could not be expanded (shown as UNKNOWN_STAND_IN)."""


class _Stop(Exception):
    """A bound was reached: make is followed no further."""


class Maker:
    def __init__(
        self, database: Database, expander: Expander, args: MakeArgs, exists: Exists
    ) -> None:
        self.database = database
        self.expander = expander
        self.args = args
        self.exists = exists
        self.lines: list[RecipeLine] = []
        self._done: set[str] = set()
        self._made = 0

    def make_goals(self) -> None:
        database = self.database
        goal = database.default_goal
        goals = self.args.goals or ([goal] if goal else [])
        try:
            for name in goals:
                self._make(name)
        except _Stop as stop:
            database.problems.append(Problem(None, 0, str(stop), False))

    def _problem(self, rule: Rule | Recipe, reason: str) -> None:
        self.database.problems.append(Problem(rule.path, rule.line, reason, False))

    def _make(self, goal: str) -> None:
        """Depth first, prerequisites before their target, with an explicit stack."""
        in_progress: set[str] = set()
        stack: list[tuple[str, dict[str, Variable], list[Rule] | None]] = [(goal, {}, None)]
        while stack:
            target, scope, rules = stack.pop()
            if rules is not None:
                in_progress.discard(target)
                self._done.add(target)
                for rule in rules:
                    self._recipe(rule, scope)
                continue
            if target in self._done or target in in_progress:
                continue  # made already, or a circular dependency (make drops it too)
            found = self._rules_of(target)
            if not found:
                self._done.add(target)
                self._without_rule(target)
                continue
            self._made += 1
            if self._made > MAX_TARGETS:
                raise _Stop(f"make is followed for {MAX_TARGETS:,} targets only")
            in_progress.add(target)
            own = self._scope(target, scope)
            stack.append((target, own, found))
            for rule in reversed(found):
                for prerequisite in reversed(rule.prerequisites + rule.order_only):
                    if MARK in prerequisite:
                        self._unknown_prerequisite(rule, prerequisite)
                    else:
                        stack.append((prerequisite, own, None))

    def _rules_of(self, target: str) -> list[Rule]:
        database = self.database
        rule = database.rules.get(target)
        if rule is not None:
            return [rule]
        return list(database.double_colon.get(target, ()))

    def _without_rule(self, target: str) -> None:
        for rule in self.database.patterns:
            pattern = _pattern_of(rule.target)
            if pattern_match(pattern, target) is None:
                continue
            if any("docker" in line.text for line in rule.recipe):
                reason = (
                    f"{target} would be made by the pattern rule {rule.target}, which hubspec"
                    " does not follow"
                )
                self._problem(rule, reason)
            return

    def _unknown_prerequisite(self, rule: Rule, prerequisite: str) -> None:
        if self.database.mentions_docker:
            shown = ", ".join(self.expander.unknown_sources(prerequisite))
            self._problem(rule, f"a prerequisite of {rule.target} is not known ({shown})")

    def _scope(self, target: str, parent: dict[str, Variable]) -> dict[str, Variable]:
        assignments = self.database.target_variables.get(target)
        if not assignments:
            return parent
        scope = dict(parent)
        for name, operator, value, override in assignments:
            if name not in scope and name in self.expander.variables:
                scope[name] = self.expander.variables[name]
            origin = "override" if override else "file"
            self.expander.assign(name, operator, value, origin, scope=scope)
        return scope

    def _recipe(self, rule: Rule, scope: dict[str, Variable]) -> None:
        if not rule.recipe:
            return
        if (
            rule.target not in self.database.phony
            and not rule.prerequisites
            and self.exists(rule.target)
        ):
            return  # the file exists and depends on nothing: make says it is up to date
        automatic = dict(scope)
        automatic.update(_automatic(rule, self.expander))
        recipes = rule.recipe
        if self.database.one_shell:
            first = recipes[0]
            joined = "\n".join(recipe.text for recipe in recipes)
            uncertain = next((r.uncertain for r in recipes if r.uncertain), None)
            recipes = [Recipe(joined, first.path, first.line, uncertain)]
        for recipe in recipes:
            self._line(rule, recipe, automatic)

    def _line(self, rule: Rule, recipe: Recipe, scope: dict[str, Variable]) -> None:
        uncertain = recipe.uncertain or rule.uncertain
        if uncertain is not None:
            if "docker" in recipe.text:
                self._problem(
                    recipe,
                    f"this recipe line runs only if `{uncertain}`, which hubspec cannot evaluate",
                )
            return
        text = recipe.text
        recursive = any(mark in text for mark in _RECURSIVE_MAKE)
        self.expander.shell_fallback = True
        try:
            expanded = self.expander.expand(text, scope)
        finally:
            self.expander.shell_fallback = False
        command, forced = _strip_prefixes(expanded)
        if self.args.dry_run and not (forced or recursive):
            return
        if not command.strip():
            return
        if len(self.lines) >= MAX_RECIPE_LINES:
            raise _Stop(f"make is followed for {MAX_RECIPE_LINES:,} recipe lines only")
        unknown = tuple(self.expander.unknown_sources(command))
        shown = self.expander.replace_unknown(command, UNKNOWN_STAND_IN)
        self.lines.append(RecipeLine(shown, recipe.path, recipe.line, rule.target, unknown))

    def environment(self) -> dict[str, str | None]:
        """The variables make exports to its recipes (None: value unknown)."""
        exported: dict[str, str | None] = {}
        for name, variable in self.expander.variables.items():
            if not (variable.exported or self.database.export_all) or variable.origin == "default":
                continue
            if variable.origin != COMMAND_LINE and not name.replace("_", "a").isalnum():
                continue
            value = self.expander.value_of(name)
            exported[name] = None if MARK in value else value
        return exported


def _automatic(rule: Rule, expander: Expander) -> Iterator[tuple[str, Variable]]:
    prerequisites = rule.prerequisites
    unique = list(dict.fromkeys(prerequisites))
    values = {
        "@": rule.target,
        "<": prerequisites[0] if prerequisites else "",
        "^": " ".join(unique),
        "+": " ".join(prerequisites),
        "|": " ".join(dict.fromkeys(rule.order_only)),
        "*": rule.stem,
    }
    for name, value in values.items():
        yield name, Variable(value, False, "automatic")
        words = value.split()
        directories = " ".join(w.rpartition("/")[0] or "." for w in words)
        yield name + "D", Variable(directories, False, "automatic")
        yield (
            name + "F",
            Variable(" ".join(w.rpartition("/")[2] for w in words), False, "automatic"),
        )
    yield (
        "?",
        Variable(
            expander.unknown("$? (the prerequisites newer than the target)"), False, "automatic"
        ),
    )


def _pattern_of(target: str) -> str:
    """A pattern rule's target; an old suffix rule `.c.o` is `%.o`, `.sh` is `%`."""
    if "%" in target:
        return target
    suffixes = target.split(".")[1:]
    return "%." + suffixes[1] if len(suffixes) == 2 else "%"


def _strip_prefixes(text: str) -> tuple[str, bool]:
    """A recipe line without its leading `@`, `-`, `+`; and whether `+` forced it to run."""
    forced = False
    stripped = text.lstrip(" \t")
    while stripped[:1] and stripped[0] in _PREFIXES:
        forced = forced or stripped[0] == "+"
        stripped = stripped[1:].lstrip(" \t")
    return stripped, forced
