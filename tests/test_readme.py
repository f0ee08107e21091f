"""The README's rule table is generated from the rules' own metadata and must be current."""

from __future__ import annotations

from conftest import ROOT
from hubspec.rules import markdown_table


def test_readme_rule_table_is_current() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("<!-- rules-table:start -->\n") + len("<!-- rules-table:start -->\n")
    end = text.index("<!-- rules-table:end -->")
    assert text[start:end] == markdown_table(), "run `hubspec rules --format markdown` and paste it"


def test_readme_quick_start_is_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "fixtures/examples/node-app/buildspec.yml" in commands[0]
    assert commands[1].endswith("python -m pytest")
    assert (ROOT / "fixtures/examples/node-app/buildspec.yml").is_file()


def test_readme_config_example_is_valid() -> None:
    import tomllib
    from pathlib import Path

    from hubspec.run.config import parse_config

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("### Configuration", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    table = tomllib.loads(block)["tool"]["hubspec"]
    config = parse_config(table, Path("pyproject.toml"), "[tool.hubspec]")
    assert config.fix["store"] == "parameter-store"
    assert config.per_file_ignores == (("legacy/*.yml", frozenset({"HS101"})),)
