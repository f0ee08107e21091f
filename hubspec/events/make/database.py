"""What reading Makefiles leaves: rules by target, pattern rules, phony targets, the goal."""

from __future__ import annotations

import re
from pathlib import Path

from hubspec.records import field, record

_SUFFIX_RULE = re.compile(r"\.[^./%\s]+(\.[^./%\s]+)?")
_SPECIAL_TARGETS = frozenset(
    {
        ".PHONY",
        ".SUFFIXES",
        ".DEFAULT",
        ".PRECIOUS",
        ".INTERMEDIATE",
        ".NOTINTERMEDIATE",
        ".SECONDARY",
        ".SECONDEXPANSION",
        ".DELETE_ON_ERROR",
        ".IGNORE",
        ".LOW_RESOLUTION_TIME",
        ".SILENT",
        ".EXPORT_ALL_VARIABLES",
        ".NOTPARALLEL",
        ".ONESHELL",
        ".POSIX",
        ".WAIT",
    }
)


@record(slots=True)
class Recipe:
    """One recipe line as written; `uncertain` names a condition hubspec cannot evaluate."""

    text: str
    path: Path
    line: int
    uncertain: str | None = None


@record(frozen=False)
class Rule:
    """A rule for one target (a multi-target line makes one per target, sharing the recipe)."""

    target: str
    prerequisites: list[str]
    order_only: list[str]
    recipe: list[Recipe]
    path: Path
    line: int
    stem: str = ""
    has_recipe: bool = False
    uncertain: str | None = None


@record(slots=True)
class Problem:
    """Something make does that hubspec does not follow (a pull may be missed)."""

    path: Path | None
    line: int
    reason: str
    structural: bool = True
    """True when it matters only if the Makefiles mention docker (a rule hubspec cannot see);
    False when it must always be reported (the make run itself is not followed)."""


@record(frozen=False)
class Database:
    rules: dict[str, Rule] = field(default_factory=dict)
    double_colon: dict[str, list[Rule]] = field(default_factory=dict)
    patterns: list[Rule] = field(default_factory=list)
    target_variables: dict[str, list[tuple[str, str, str, bool]]] = field(default_factory=dict)
    """target -> (name, operator, value, override) assignments that apply while it is made."""
    phony: set[str] = field(default_factory=set)
    default_goal: str | None = None
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    characters: int = 0
    mentions_docker: bool = False
    one_shell: bool = False
    export_all: bool = False

    def record_rule(self, rule: Rule, double_colon: bool) -> Rule:
        """A rule line's rule for one target: special targets, patterns, or a target's rule.

        Returns the rule its recipe lines go to (an earlier rule for the same target)."""
        target = rule.target
        if target == ".PHONY":
            self.phony.update(rule.prerequisites)
        elif target == ".ONESHELL":
            self.one_shell = True
        elif target == ".EXPORT_ALL_VARIABLES":
            self.export_all = True
        elif target in _SPECIAL_TARGETS:
            pass
        elif "%" in target or (_SUFFIX_RULE.fullmatch(target) and not rule.prerequisites):
            self.patterns.append(rule)
        else:
            if self.default_goal is None and not target.startswith("."):
                self.default_goal = target
            return self._add_rule(rule, double_colon)
        return rule

    def _add_rule(self, rule: Rule, double_colon: bool) -> Rule:
        if double_colon:
            self.double_colon.setdefault(rule.target, []).append(rule)
            return rule
        old = self.rules.get(rule.target)
        if old is None:
            self.rules[rule.target] = rule
            return rule
        old.prerequisites.extend(rule.prerequisites)
        old.order_only.extend(rule.order_only)
        old.uncertain = old.uncertain or rule.uncertain
        return old
