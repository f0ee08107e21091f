"""Every rule carries complete docs, and the CLI renders them."""

from __future__ import annotations

import inspect
import json
import re
from types import ModuleType

import pytest
from typer.testing import CliRunner

from hubspec import rules as rules_package
from hubspec.cli.app import app
from hubspec.rules import RULES, find
from hubspec.rules.base import REQUIRED_SECTIONS, Rule

runner = CliRunner()


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_docs_have_every_section(rule) -> None:  # type: ignore[no-untyped-def]
    for title in REQUIRED_SECTIONS:
        assert rule.section(title), f"{rule.code} lacks '## {title}'"
    assert re.fullmatch(r"HS\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)


RULE_MODULES = [
    module
    for module in vars(rules_package).values()
    if isinstance(module, ModuleType) and isinstance(getattr(module, "RULE", None), Rule)
]


@pytest.mark.parametrize("module", RULE_MODULES, ids=[m.RULE.code for m in RULE_MODULES])
def test_rule_docs_are_what_inspect_cleandoc_gives(module: ModuleType) -> None:
    """`docs_of` only strips; that equals cleandoc for docstrings that start at column 0."""
    assert module.RULE.docs == inspect.cleandoc(module.__doc__ or "")


def test_every_rule_module_is_checked() -> None:
    assert len(RULE_MODULES) == len(RULES)


def test_codes_and_names_are_unique() -> None:
    assert len({rule.code for rule in RULES}) == len(RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)


def test_find_by_code_or_name() -> None:
    assert find("hs101") is find("hub-pull-without-login") is not None
    assert find("HS999") is None


def test_explain_prints_the_docs() -> None:
    result = runner.invoke(app, ["explain", "HS101"])
    assert result.exit_code == 0
    assert "# HS101 hub-pull-without-login (error)" in result.output
    assert "## Why is this bad?" in result.output
    assert "toomanyrequests" in result.output


def test_explain_unknown_rule_is_usage_error() -> None:
    result = runner.invoke(app, ["explain", "HS999"])
    assert result.exit_code == 2


def test_rules_json_lists_every_rule() -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [row["code"] for row in rows] == [rule.code for rule in RULES]
    assert {row["code"] for row in rows if row["fixable"]} == {"HS004", "HS101"}
