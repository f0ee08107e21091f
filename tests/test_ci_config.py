"""Configuration and the CI gate: `[tool.hubspec]` in pyproject.toml or `.hubspec.toml` nearest to
each file (stopping at the repository root), `--config`, `--isolated`, every key, strict key
checking, `--fail-on`/`--exit-zero`, severity overrides, select/ignore; and the JSON Schema for the
config table in `schemas/config.schema.json`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import ROOT
from hubspec.cli.app import app
from hubspec.run.config import _FIX_KEYS, TOP_KEYS, ConfigError, ConfigSearch, parse_config

runner = CliRunner()
ENV: dict[str, str | None] = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "CI": None}
SCHEMA_PATH = ROOT / "schemas" / "config.schema.json"
PULL = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
WARNING_ONLY = "version: 0.2\nphases:\n  prebuild:\n    commands:\n      - ls\n"  # HS003
CLEAN = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), env=ENV)


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    """A repository root (it has .git) holding these files."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return tree(root, files)


def findings(*args: str) -> tuple[int, list[tuple[str, str, str]]]:
    """Exit code and (path, rule, severity) of the active findings of `lint --format json`."""
    result = invoke("lint", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    return result.exit_code, [
        (f["path"], f["rule"], f["severity"]) for f in document["findings"] if not f["suppressed"]
    ]


# --- where config comes from ------------------------------------------------------------------


def test_pyproject_tool_hubspec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(
        tmp_path,
        {"buildspec.yml": PULL, "pyproject.toml": '[tool.hubspec]\nignore = ["HS101"]\n'},
    )
    monkeypatch.chdir(root)
    assert findings() == (0, [])


def test_hubspec_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path, {"buildspec.yml": PULL, ".hubspec.toml": 'ignore = ["HS1"]\n'})
    monkeypatch.chdir(root)
    assert findings() == (0, [])


def test_nearest_config_to_each_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(
        tmp_path,
        {
            "pyproject.toml": '[tool.hubspec]\nignore = ["HS101"]\n',
            "a/buildspec.yml": PULL,
            "b/.hubspec.toml": '[severity]\nHS101 = "warning"\n',
            "b/buildspec.yml": PULL,
            # a pyproject.toml without [tool.hubspec] is not a config: the search goes on up
            "c/pyproject.toml": '[project]\nname = "c"\n',
            "c/buildspec.yml": PULL,
        },
    )
    monkeypatch.chdir(root)
    code, found = findings()
    # b's config replaces the root one (no merging): HS101 is not ignored there, only downgraded
    assert found == [("b/buildspec.yml", "HS101", "warning")]
    assert code == 0


def test_pyproject_tables_are_found_in_every_toml_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick `hubspec` byte check before parsing TOML misses no way to write the table."""
    spellings = [
        '[tool.hubspec]\nignore = ["HS101"]\n',
        '[ tool . "hubspec" ]\nignore = ["HS101"]\n',
        'tool.hubspec.ignore = ["HS101"]\n',
        '[tool]\nhubspec = { ignore = ["HS101"] }\n',
    ]
    for number, text in enumerate(spellings):
        root = repo(tmp_path / str(number), {"buildspec.yml": PULL, "pyproject.toml": text})
        monkeypatch.chdir(root)
        assert findings() == (0, []), text


def test_a_broken_pyproject_that_is_not_about_hubspec_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(
        tmp_path,
        {
            ".hubspec.toml": 'ignore = ["HS101"]\n',
            "app/pyproject.toml": "[project\nname = \n",
            "app/buildspec.yml": PULL,
        },
    )
    monkeypatch.chdir(root)
    assert findings() == (0, [])


def test_a_broken_pyproject_that_mentions_hubspec_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(tmp_path, {"buildspec.yml": PULL, "pyproject.toml": "[tool.hubspec\n"})
    monkeypatch.chdir(root)
    result = invoke("lint")
    assert result.exit_code == 2
    assert "invalid TOML" in result.stderr


def test_search_stops_at_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path, {".hubspec.toml": 'ignore = ["HS101"]\n'})
    root = repo(tmp_path, {"ci/buildspec.yml": PULL})
    monkeypatch.chdir(root)
    code, found = findings()
    assert found == [("ci/buildspec.yml", "HS101", "error")]
    assert code == 1
    # control: without the repository marker the config above does apply
    (root / ".git").rmdir()
    assert findings() == (0, [])


def test_config_option_replaces_the_nearest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(
        tmp_path,
        {
            "buildspec.yml": PULL,
            ".hubspec.toml": 'ignore = ["HS101"]\n',
            "ci/strict.toml": '[severity]\nHS101 = "info"\n',
            "ci/pyproject.toml": '[tool.hubspec]\nselect = ["HS0"]\n',
        },
    )
    monkeypatch.chdir(root)
    assert findings() == (0, [])
    assert findings("--config", "ci/strict.toml") == (0, [("buildspec.yml", "HS101", "info")])
    assert findings("--config", "ci/pyproject.toml") == (0, [])


def test_config_option_with_a_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path, {"buildspec.yml": PULL})
    monkeypatch.chdir(root)
    result = invoke("lint", "--config", "nope.toml")
    assert result.exit_code == 2
    assert "nope.toml" in result.stderr


def test_isolated_ignores_every_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(
        tmp_path,
        {"buildspec.yml": PULL, ".hubspec.toml": 'ignore = ["HS101"]\nselekt = 1\n'},
    )
    monkeypatch.chdir(root)
    assert findings("--isolated") == (1, [("buildspec.yml", "HS101", "error")])


# --- strict checking: errors name the file and the key -----------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "named"),
    [
        (".hubspec.toml", 'selekt = ["HS1"]\n', "selekt"),
        ("pyproject.toml", '[tool.hubspec]\nselekt = ["HS1"]\n', "[tool.hubspec].selekt"),
        (".hubspec.toml", '[fix]\nuser = "x"\n', "fix.user"),
        (".hubspec.toml", '[severity]\nHS101 = "fatal"\n', "HS101"),
        (".hubspec.toml", 'fail-on = "never"\n', "fail-on"),
        (".hubspec.toml", 'select = "HS1"\n', "select"),
        (".hubspec.toml", "[per-file-ignores]\n'a/*' = 'HS101'\n", "per-file-ignores"),
        (".hubspec.toml", '[fix]\nstore = "vault"\n', "fix.store"),
        (".hubspec.toml", "mirrors = [1]\n", "mirrors"),
        (".hubspec.toml", "source-root = 3\n", "source-root"),
        (".hubspec.toml", "select = [\n", ".hubspec.toml"),  # not TOML
    ],
)
def test_bad_config_is_a_usage_error_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, named: str
) -> None:
    root = repo(tmp_path, {"buildspec.yml": CLEAN, name: text})
    monkeypatch.chdir(root)
    for args in (("lint",), ("fix", "--diff"), ("lint", "--config", name)):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert str(root / name) in result.stderr or name in result.stderr
        assert named in result.stderr, result.stderr
        assert "Traceback" not in result.output


def test_a_severity_for_an_unknown_rule_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `[severity]` key is a config key: a typo (HS10l) must not be silently ignored."""
    root = repo(tmp_path, {"buildspec.yml": PULL, ".hubspec.toml": '[severity]\nHS10l = "info"\n'})
    monkeypatch.chdir(root)
    result = invoke("lint")
    assert result.exit_code == 2, result.output
    assert "HS10l" in result.stderr or "HS10L" in result.stderr
    assert ".hubspec.toml" in result.stderr


def test_a_fix_variable_must_be_a_shell_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `--user-variable MY-USER` is refused, so is the same name in the config file."""
    root = repo(
        tmp_path, {"buildspec.yml": PULL, ".hubspec.toml": '[fix]\nuser-variable = "MY-USER"\n'}
    )
    monkeypatch.chdir(root)
    result = invoke("fix")
    assert result.exit_code == 2, result.output
    assert "fix.user-variable" in result.stderr
    assert (root / "buildspec.yml").read_text(encoding="utf-8") == PULL


# --- the keys --------------------------------------------------------------------------------


def test_severity_override_changes_reports_and_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(
        tmp_path,
        {
            "buildspec.yml": WARNING_ONLY,
            ".hubspec.toml": '[severity]\nhs003 = "error"\n',
            "pull/buildspec.yml": PULL,
            "pull/.hubspec.toml": '[severity]\nHS101 = "info"\n',
        },
    )
    monkeypatch.chdir(root)
    assert findings("buildspec.yml") == (1, [("buildspec.yml", "HS003", "error")])
    sarif = json.loads(invoke("lint", "-f", "sarif", "buildspec.yml").stdout)
    assert sarif["runs"][0]["results"][0]["level"] == "error"
    github = invoke("lint", "-f", "github", "buildspec.yml").stdout
    assert github.startswith("::error ")
    assert findings("pull/buildspec.yml") == (0, [("pull/buildspec.yml", "HS101", "info")])
    assert findings("--fail-on", "info", "pull/buildspec.yml")[0] == 1


def test_fail_on_and_exit_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path, {"warn/buildspec.yml": WARNING_ONLY, "err/buildspec.yml": PULL})
    monkeypatch.chdir(root)
    assert invoke("lint", "warn").exit_code == 0
    assert invoke("lint", "--fail-on", "warning", "warn").exit_code == 1
    assert invoke("lint", "--fail-on", "info", "warn").exit_code == 1
    assert invoke("lint", "--fail-on", "error", "warn").exit_code == 0
    assert invoke("lint", "err").exit_code == 1
    assert invoke("lint", "--exit-zero", "err").exit_code == 0
    assert invoke("lint", "--exit-zero", "--fail-on", "info", ".").exit_code == 0
    bad = invoke("lint", "--fail-on", "never", "warn")
    assert bad.exit_code == 2


def test_fail_on_in_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(
        tmp_path,
        {"buildspec.yml": WARNING_ONLY, "pyproject.toml": '[tool.hubspec]\nfail-on = "warning"\n'},
    )
    monkeypatch.chdir(root)
    assert invoke("lint").exit_code == 1
    assert invoke("lint", "--fail-on", "error").exit_code == 0, "the option wins over the file"
    assert invoke("lint", "--isolated").exit_code == 0


def test_the_config_is_searched_once_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fail-on is a setting of each file: the exit code needs no second search after the lint."""
    root = repo(
        tmp_path,
        {
            "a/buildspec.yml": WARNING_ONLY,
            "a/.hubspec.toml": 'fail-on = "warning"\n',
            "b/buildspec.yml": WARNING_ONLY,
        },
    )
    searched: list[Path] = []
    real = ConfigSearch.nearest

    def counted(self: ConfigSearch, start: Path, **kwargs: Any) -> Path | None:
        searched.append(start)
        return real(self, start, **kwargs)

    monkeypatch.setattr(ConfigSearch, "nearest", counted)
    monkeypatch.chdir(root)
    assert invoke("lint", "b").exit_code == 0
    assert invoke("lint", "a", "b").exit_code == 1
    assert sorted(path.as_posix() for path in searched) == [
        "a/buildspec.yml",
        "b/buildspec.yml",
        "b/buildspec.yml",
    ]


def test_fail_on_from_the_config_nearest_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same file and config give the same exit code from any directory (pre-commit runs
    from the repository root with file names)."""
    root = repo(
        tmp_path,
        {"sub/buildspec.yml": WARNING_ONLY, "sub/.hubspec.toml": 'fail-on = "warning"\n'},
    )
    monkeypatch.chdir(root / "sub")
    assert invoke("lint").exit_code == 1
    monkeypatch.chdir(root)
    assert invoke("lint", "sub").exit_code == 1
    assert invoke("lint", "sub/buildspec.yml").exit_code == 1


def test_select_and_ignore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    both = PULL.replace("  build:", "  prebuild:\n    commands:\n      - ls\n  build:")
    root = repo(tmp_path, {"buildspec.yml": both})
    monkeypatch.chdir(root)
    assert sorted(rule for _, rule, _ in findings()[1]) == ["HS003", "HS101"]
    (root / ".hubspec.toml").write_text('select = ["HS0"]\n')
    assert findings() == (0, [("buildspec.yml", "HS003", "warning")])
    assert [rule for _, rule, _ in findings("--select", "HS101")[1]] == ["HS101"]
    (root / ".hubspec.toml").write_text('ignore = ["hs003"]\n')
    assert [rule for _, rule, _ in findings()[1]] == ["HS101"]
    assert findings("--ignore", "HS1") == (0, []), "--ignore adds to the config's ignore"
    (root / ".hubspec.toml").write_text('select = ["ALL"]\nignore = ["HS101"]\n')
    assert [rule for _, rule, _ in findings()[1]] == ["HS003"]


def test_per_file_ignores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(
        tmp_path,
        {
            ".hubspec.toml": '[per-file-ignores]\n"legacy/*" = ["HS101"]\n"buildspec-old.yml" = ["HS1"]\n',
            "legacy/buildspec.yml": PULL,
            "new/buildspec.yml": PULL,
            "new/buildspec-old.yml": PULL,
        },
    )
    monkeypatch.chdir(root)
    assert findings() == (1, [("new/buildspec.yml", "HS101", "error")])
    assert findings("legacy/buildspec.yml") == (0, [])


def test_include_and_exclude_apply_to_discovered_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = repo(
        tmp_path,
        {
            ".hubspec.toml": 'include = ["ci/*", "vendor/*"]\nexclude = ["vendor/*"]\n',
            "ci/buildspec.yml": PULL,
            "vendor/buildspec.yml": PULL,
            "other/buildspec.yml": PULL,
        },
    )
    monkeypatch.chdir(root)
    assert findings() == (1, [("ci/buildspec.yml", "HS101", "error")])
    # a file named on the command line is linted whatever the globs say
    assert findings("vendor/buildspec.yml") == (1, [("vendor/buildspec.yml", "HS101", "error")])
    # also when its folder is named too; and it is linted once
    assert findings(".", "vendor/buildspec.yml") == (
        1,
        [("ci/buildspec.yml", "HS101", "error"), ("vendor/buildspec.yml", "HS101", "error")],
    )
    # the globs are relative to the config's folder, also when linting from elsewhere
    monkeypatch.chdir(root / "ci")
    assert findings("..") == (1, [("../ci/buildspec.yml", "HS101", "error")])


def test_mirrors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = PULL + "      - docker pull myorg/app:1\n"
    root = repo(tmp_path, {"buildspec.yml": text})
    monkeypatch.chdir(root)
    assert len(findings()[1]) == 2
    (root / ".hubspec.toml").write_text('mirrors = ["docker.io/myorg"]\n')
    assert findings() == (1, [("buildspec.yml", "HS101", "error")])
    result = invoke("lint", "-f", "json")
    assert "myorg/app" not in result.stdout


def test_source_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t app .\n"
    root = repo(
        tmp_path,
        {
            "ci/buildspec.yml": build,
            "Dockerfile": "FROM python:3.12\n",
            "ci/.hubspec.toml": 'source-root = ".."\n',
        },
    )
    monkeypatch.chdir(root)
    result = invoke("lint", "-f", "json", "ci/buildspec.yml")
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["rule"] == "HS101"
    assert "python:3.12" in finding["message"]


def test_fix_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(
        tmp_path,
        {
            "buildspec.yml": PULL,
            "pyproject.toml": (
                "[tool.hubspec.fix]\n"
                'user-variable = "HUB_USER"\n'
                'token-variable = "HUB_TOKEN"\n'
                'user-parameter = "/ci/hub/user"\n'
                'token-parameter = "/ci/hub/token"\n'
            ),
        },
    )
    monkeypatch.chdir(root)
    result = invoke("fix")
    assert result.exit_code == 0, result.output
    text = (root / "buildspec.yml").read_text(encoding="utf-8")
    assert "    HUB_USER: /ci/hub/user\n    HUB_TOKEN: /ci/hub/token\n" in text
    assert 'echo "$HUB_TOKEN" | docker login --username "$HUB_USER" --password-stdin' in text
    assert invoke("lint").exit_code == 0
    # options win over the file
    (root / "buildspec.yml").write_text(PULL)
    assert invoke("fix", "--user-variable", "CLI_USER").exit_code == 0
    assert "CLI_USER: /ci/hub/user" in (root / "buildspec.yml").read_text(encoding="utf-8")


def test_fix_defaults_secrets_manager(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(
        tmp_path,
        {
            "buildspec.yml": PULL,
            ".hubspec.toml": '[fix]\nstore = "secrets-manager"\nsecret = "ci/dockerhub"\n',
        },
    )
    monkeypatch.chdir(root)
    result = invoke("fix")
    assert result.exit_code == 0, result.output
    text = (root / "buildspec.yml").read_text(encoding="utf-8")
    assert "  secrets-manager:\n    DOCKER_USER: ci/dockerhub:username\n" in text


# --- the JSON Schema of the config table ------------------------------------------------------


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_schema_is_draft_2020_12() -> None:
    document = schema()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


def test_schema_has_every_key_config_accepts() -> None:
    document = schema()
    assert set(document["properties"]) == set(TOP_KEYS)
    assert document["additionalProperties"] is False
    fix = document["properties"]["fix"]
    assert set(fix["properties"]) == set(_FIX_KEYS)
    assert fix["additionalProperties"] is False
    for key, value in document["properties"].items():
        assert value.get("description"), f"{key} has no description"


VALID = {
    "empty": "",
    "everything": """
select = ["HS1", "hs003"]
ignore = ["HS104"]
fail-on = "warning"
mirrors = ["docker.io/myorg", "mirror.example.com"]
source-root = ".."
include = ["ci/*"]
exclude = ["ci/old-*"]
budget-share = 0.25
[severity]
HS103 = "error"
hs004 = "info"
[per-file-ignores]
"legacy/*" = ["HS101", "HS2"]
[fix]
user-variable = "HUB_USER"
token-variable = "_TOKEN2"
user-parameter = "/ci/hub/user"
token-parameter = "/ci/hub/token"
""",
    "secrets-manager": '[fix]\nstore = "secrets-manager"\nsecret = "ci/dockerhub"\n',
    "select-all": 'select = ["ALL"]\n',
}
INVALID = {
    "unknown-key": 'selekt = ["HS1"]\n',
    "unknown-fix-key": '[fix]\nuser = "x"\n',
    "bad-level": '[severity]\nHS101 = "fatal"\n',
    "bad-fail-on": 'fail-on = "never"\n',
    "select-not-a-list": 'select = "HS1"\n',
    "ignore-numbers": "ignore = [101]\n",
    "mirrors-not-strings": "mirrors = [1]\n",
    "source-root-number": "source-root = 3\n",
    "per-file-not-a-list": '[per-file-ignores]\n"a/*" = "HS101"\n',
    "bad-store": '[fix]\nstore = "vault"\n',
    "fix-not-a-table": 'fix = "yes"\n',
    "budget-share-zero": "budget-share = 0\n",
    "budget-share-over-one": "budget-share = 1.5\n",
    "variable-with-dash": '[fix]\nuser-variable = "MY-USER"\n',
    "variable-leading-digit": '[fix]\ntoken-variable = "1TOKEN"\n',
}
# What only the schema can say (an editor's help); hubspec reports these later or not at all.
SCHEMA_ONLY_INVALID = {
    "secrets-manager-without-secret": '[fix]\nstore = "secrets-manager"\n',
    "not-a-code": 'select = ["E501"]\n',
}


def _schema_errors(text: str) -> list[str]:
    table = tomllib.loads(text)
    return [error.message for error in jsonschema.Draft202012Validator(schema()).iter_errors(table)]


def _config_error(text: str) -> str | None:
    try:
        parse_config(tomllib.loads(text), Path(".hubspec.toml"))
    except ConfigError as error:
        return str(error)
    return None


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_examples(name: str) -> None:
    assert _schema_errors(VALID[name]) == []
    assert _config_error(VALID[name]) is None


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_examples(name: str) -> None:
    assert _schema_errors(INVALID[name]), f"the schema accepts {name}"
    assert _config_error(INVALID[name]) is not None, f"hubspec accepts {name}"


@pytest.mark.parametrize("name", sorted(SCHEMA_ONLY_INVALID))
def test_schema_only_invalid_examples(name: str) -> None:
    assert _schema_errors(SCHEMA_ONLY_INVALID[name])


def test_schema_examples_are_valid() -> None:
    document = schema()
    validator = jsonschema.Draft202012Validator(document)
    for example in document["examples"]:
        validator.validate(example)
        parse_config(example, Path(".hubspec.toml"))


# --- the quick look before parsing pyproject.toml ---------------------------------------------

TOML_LINES = [
    "[tool.hubspec]",
    "[ tool . 'hubspec' ]",
    '[tool."hubspec".severity]',
    "[[tool.hubspec.list]]",
    "[tool]",
    "[tool.ruff]",
    "[project]",
    "[project.scripts]",
    "[tool.setuptools.package-dir]",
    "hubspec = 'hubspec.cli.app:main'",
    'hubspec = { ignore = ["HS101"] }',
    'hubspec.ignore = ["HS101"]',
    '"hubspec" = {}',
    'tool.hubspec.select = ["HS1"]',
    'tool = { hubspec = { select = ["HS1"] } }',
    'name = "hubspec"',
    'dependencies = ["hubspec>=0.1"]',
    '"hubspec.schemas" = "schemas"',
    "x = 1",
    "# hubspec",
    "",
]


@given(st.lists(st.sampled_from(TOML_LINES), max_size=8))
@settings(max_examples=1500, deadline=None)
def test_the_quick_look_never_misses_a_tool_hubspec_table(lines: list[str]) -> None:
    from hubspec.run.config import _may_hold_table

    text = "\n".join(lines) + "\n"
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    tool = document.get("tool", {})
    if isinstance(tool, dict) and "hubspec" in tool:
        assert _may_hold_table(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        '[project]\nname = "hubspec"\ndependencies = ["hubspec>=0.1"]\n',
        '[project.scripts]\nhubspec = "hubspec.entry:main"\n',
        '[tool.setuptools.package-dir]\n"hubspec.schemas" = "schemas"\n',
        "[tool.ruff]\n# hubspec is linted too\nline-length = 100\n",
    ],
)
def test_the_quick_look_rules_out_pyprojects_that_only_mention_hubspec(text: str) -> None:
    from hubspec.run.config import _may_hold_table

    assert not _may_hold_table(text.encode())
    assert not _may_hold_table((ROOT / "pyproject.toml").read_bytes())


@pytest.mark.parametrize(
    "text",
    [
        '[tool]\nx = """\n[tool.hubspec]\n"""\n',  # multi-line strings: let the parser decide
        'a = [\n  ["hubspec"],\n]\n',  # a `[` line that is no header
        '[tool]\n"hub\\u0073pec" = {}\n# hubspec\n',  # an escaped key
        "\ufeff[tool.hubspec]\n",
    ],
)
def test_the_quick_look_defers_to_the_parser_when_unsure(text: str) -> None:
    from hubspec.run.config import _may_hold_table

    assert _may_hold_table(text.encode())
