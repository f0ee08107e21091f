"""`hubspec server` end to end: a real LSP client (pytest-lsp) drives the real server process.

One server serves the module (starting one costs about half a second); each test works on
its own files, so the tests do not see each other's documents.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pytest_lsp.protocol import LanguageClientProtocol

from conftest import STORED_HUB_CREDENTIALS, codebuild_project
from hubspec.server.positions import Lines

pytestmark = pytest.mark.asyncio(loop_scope="module")

SERVER = [sys.executable, "-m", "hubspec", "server"]
HUB_PULL = """\
version: 0.2
phases:
  build:
    commands:
      - docker pull node:20
"""
BUILD = HUB_PULL.replace("docker pull node:20", "docker build -t app .")
CLEAN = """\
version: 0.2
phases:
  build:
    commands:
      - echo hello
"""
WAIT = 10.0


def make_client() -> LanguageClient:
    """pytest-lsp's client, keeping every publishDiagnostics (with its version) in order."""
    from pygls.protocol import default_converter

    client = LanguageClient(
        protocol_cls=LanguageClientProtocol, converter_factory=default_converter
    )
    published: list[types.PublishDiagnosticsParams] = []
    client.published = published  # type: ignore[attr-defined]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        published.append(params)

    registered: list[types.Registration] = []
    client.registered = registered  # type: ignore[attr-defined]

    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        registered.extend(params.registrations)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    (root / ".git").mkdir()
    return root


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client), scope="module"
)
async def client(lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    folder = types.WorkspaceFolder(uri=uri_of(workspace), name="workspace")
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        workspace_folders=[folder],
        root_uri=folder.uri,
    )
    lsp_client.initialization = await lsp_client.initialize_session(params)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def uri_of(path: Path) -> str:
    uri = from_fs_path(str(path))
    assert uri is not None
    return uri


def project(workspace: Path, name: str) -> Path:
    """A repository of its own: its top is the source root, where `docker build .` looks."""
    folder = workspace / name
    (folder / ".git").mkdir(parents=True)
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def until(
    client: LanguageClient, uri: str, check: Any, timeout: float = WAIT
) -> list[types.Diagnostic]:
    """Wait for the diagnostics of `uri` to satisfy `check`; fail with the last seen."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        current = client.diagnostics.get(uri)
        if current is not None and check(list(current)):
            return list(current)
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"diagnostics of {uri} never matched; last: {current}")
        await asyncio.sleep(0.01)


def open_document(
    client: LanguageClient, path: Path, text: str | None = None, language: str = "yaml"
) -> str:
    uri = uri_of(path)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, language, 1, path.read_text() if text is None else text)
        )
    )
    return uri


def replace_all(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text)],
        )
    )


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(diagnostic.code) for diagnostic in diagnostics)


def apply_edit(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    """Apply a WorkspaceEdit's text edits for `uri` as a client does (back to front)."""
    changes = edit.document_changes or []
    edits = [
        item
        for change in changes
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
        for item in change.edits
    ]
    assert edits, edit
    lines = Lines(text)
    spans = sorted(
        (lines.offset(e.range.start), lines.offset(e.range.end), e.new_text) for e in edits
    )
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def lint_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubspec", "lint", "--format", "concise", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


async def test_initialize_announces_the_features(client: LanguageClient) -> None:
    result: types.InitializeResult = client.initialization  # type: ignore[attr-defined]
    capabilities = result.capabilities
    assert result.server_info is not None and result.server_info.name == "hubspec"
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf16
    assert capabilities.hover_provider
    assert capabilities.completion_provider is not None
    assert set(capabilities.completion_provider.trigger_characters or []) == {"[", ","}
    assert isinstance(capabilities.code_action_provider, types.CodeActionOptions)
    kinds = capabilities.code_action_provider.code_action_kinds or []
    assert set(kinds) == {types.CodeActionKind.QuickFix, "source.fixAll.hubspec"}
    deadline = asyncio.get_running_loop().time() + WAIT
    while not client.registered:  # type: ignore[attr-defined]
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.01)
    [registration] = client.registered  # type: ignore[attr-defined]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    patterns = [watcher["globPattern"] for watcher in registration.register_options["watchers"]]
    assert "**/.hubspec.toml" in patterns and "**/*[Dd]ockerfile*" in patterns
    assert "**/{.env,*.env}" in patterns


async def test_open_publishes_exact_diagnostics_with_docs_and_related_lines(
    client: LanguageClient, workspace: Path
) -> None:
    folder = project(workspace, "open")
    write(folder / "Dockerfile", "# base\nFROM node:20\n")
    path = write(folder / "buildspec.yml", BUILD)
    uri = open_document(client, path)
    diagnostics = await until(client, uri, lambda found: len(found) == 1)
    diagnostic = diagnostics[0]
    # `      - docker build -t app .`: the command starts at character 8 of line 5 (index 4)
    assert diagnostic.range == types.Range(types.Position(4, 8), types.Position(4, 29))
    assert diagnostic.code == "HS101"
    assert diagnostic.source == "hubspec"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.startswith("https://")
    assert diagnostic.message.startswith(
        "node:20 is pulled from Docker Hub without a Docker Hub login"
    )
    related = diagnostic.related_information or []
    dockerfile = [item for item in related if item.location.uri == uri_of(folder / "Dockerfile")]
    assert len(dockerfile) == 1
    assert dockerfile[0].location.range.start == types.Position(1, 0)  # FROM is line 2
    assert dockerfile[0].message == "FROM pulls node:20"
    assert any("hubspec fix" in item.message and item.location.uri == uri for item in related)


async def test_columns_are_utf16_code_units(client: LanguageClient, workspace: Path) -> None:
    text = 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "🐳 é" && docker pull node:20\n'
    path = write(workspace / "unicode" / "buildspec.yml", text)
    uri = open_document(client, path)
    diagnostics = await until(client, uri, lambda found: len(found) == 1)
    # 22 characters come before `docker`; the whale is one character but two UTF-16 units
    assert diagnostics[0].range == types.Range(types.Position(4, 23), types.Position(4, 42))


async def test_change_relints_the_latest_text_and_close_clears(
    client: LanguageClient, workspace: Path
) -> None:
    path = write(workspace / "change" / "buildspec.yml", HUB_PULL)
    uri = open_document(client, path)
    await until(client, uri, lambda found: codes(found) == ["HS101"])
    client.text_document_did_change(  # an incremental edit: the command becomes an echo
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(4, 8), types.Position(4, 27)),
                    text="echo hello",
                )
            ],
        )
    )
    await until(client, uri, lambda found: found == [])
    last = [p for p in client.published if p.uri == uri][-1]  # type: ignore[attr-defined]
    assert last.version == 2
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    replace_all(client, uri, 3, HUB_PULL)
    await until(client, uri, lambda found: codes(found) == ["HS101"])
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    await until(client, uri, lambda found: found == [])


async def test_a_burst_of_changes_never_publishes_stale_diagnostics(
    client: LanguageClient, workspace: Path
) -> None:
    path = write(workspace / "burst" / "buildspec.yml", CLEAN)
    uri = open_document(client, path)
    await until(client, uri, lambda found: found == [])
    for version in range(2, 43):  # odd versions pull from Docker Hub, even ones do not
        replace_all(client, uri, version, HUB_PULL if version % 2 else CLEAN)
    deadline = asyncio.get_running_loop().time() + WAIT
    while client.published[-1].version != 42:  # type: ignore[attr-defined]
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.01)
    mine = [p for p in client.published if p.uri == uri]  # type: ignore[attr-defined]
    versions = [p.version for p in mine]
    assert versions == sorted(versions)
    for params in mine[1:]:  # each publish belongs to the text of its version
        assert params.version is not None
        expected = ["HS101"] if params.version % 2 else []
        assert codes(list(params.diagnostics)) == expected, params.version


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1e"])
async def test_edits_below_a_character_python_splits_lines_at_land_on_their_line(
    client: LanguageClient, workspace: Path, separator: str
) -> None:
    """LSP breaks lines at CR LF, CR and LF only; `str.splitlines` also at these (the
    control characters make the YAML invalid until the second edit removes them)."""
    text = (
        "version: 0.2\n"
        "env:\n"
        "  variables:\n"
        f'    NOTE: "a{separator}b"\n'
        "phases:\n"
        "  build:\n"
        "    commands:\n"
        "      - docker pull nod:20\n"
    )
    name = f"separator-{ord(separator):04x}"
    uri = open_document(client, write(workspace / name / "buildspec.yml", text))
    await until(client, uri, lambda found: bool(found))

    def edit(line: int, start: int, end: int, new: str) -> types.TextDocumentContentChangePartial:
        where = types.Range(types.Position(line, start), types.Position(line, end))
        return types.TextDocumentContentChangePartial(range=where, text=new)

    client.text_document_did_change(  # `nod` becomes `node`, then the separator a '-'
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [edit(7, 23, 23, "e"), edit(3, 12, 13, "-")],
        )
    )
    found = await until(client, uri, lambda found: "node:20" in " ".join(d.message for d in found))
    assert codes(found) == ["HS101"]
    assert found[0].range.start == types.Position(7, 8)


async def test_open_dockerfile_buffer_is_read_before_the_disk(
    client: LanguageClient, workspace: Path
) -> None:
    folder = project(workspace, "buffer")
    dockerfile = write(folder / "Dockerfile", "FROM node:20\n")
    uri = open_document(client, write(folder / "buildspec.yml", BUILD))
    await until(client, uri, lambda found: codes(found) == ["HS101"])
    docker_uri = open_document(client, dockerfile, language="dockerfile")
    replace_all(client, docker_uri, 2, "FROM public.ecr.aws/docker/library/node:20\n")  # unsaved
    await until(client, uri, lambda found: found == [])
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(docker_uri))
    )
    await until(client, uri, lambda found: codes(found) == ["HS101"])  # the disk again


async def test_a_file_changed_on_disk_relints_its_users(
    client: LanguageClient, workspace: Path
) -> None:
    folder = project(workspace, "watched")
    dockerfile = write(folder / "Dockerfile", "FROM node:20\n")
    uri = open_document(client, write(folder / "buildspec.yml", BUILD))
    await until(client, uri, lambda found: codes(found) == ["HS101"])
    dockerfile.write_text("FROM public.ecr.aws/docker/library/node:20\n")
    event = types.FileEvent(uri=uri_of(dockerfile), type=types.FileChangeType.Changed)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([event]))
    await until(client, uri, lambda found: found == [])


async def test_a_compose_env_file_changed_on_disk_relints_its_users(
    client: LanguageClient, workspace: Path
) -> None:
    """Compose's `.env` decides `${REGISTRY:-docker.io}`: emptied on disk, the pull is
    Docker Hub's, and the open buildspec says so."""
    folder = project(workspace, "dotenv")
    write(folder / "compose.yaml", "services:\n  app:\n    image: ${REGISTRY:-docker.io}/app:1\n")
    env = write(folder / ".env", "REGISTRY=123456789012.dkr.ecr.us-east-1.amazonaws.com\n")
    buildspec = BUILD.replace("docker build -t app .", "docker compose pull")
    uri = open_document(client, write(folder / "buildspec.yml", buildspec))
    await until(client, uri, lambda found: found == [])
    env.write_text("REGISTRY=\n")
    event = types.FileEvent(uri=uri_of(env), type=types.FileChangeType.Changed)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([event]))
    await until(client, uri, lambda found: codes(found) == ["HS101"])


async def test_a_workspace_package_created_on_disk_relints_the_buildspecs(
    client: LanguageClient, workspace: Path
) -> None:
    """`npm run build --workspaces` runs in packages no lint has read yet: one created on
    disk is followed at once (its package.json was never asked for, so no buildspec uses
    it)."""
    folder = project(workspace, "workspaces")
    write(folder / "package.json", '{"workspaces": ["apps/*"]}')
    write(folder / "apps" / "api" / "package.json", '{"scripts": {"build": "docker pull redis"}}')
    buildspec = BUILD.replace("docker build -t app .", "npm run build --workspaces")
    uri = open_document(client, write(folder / "buildspec.yml", buildspec))
    await until(client, uri, lambda found: len(found) == 1)  # linted: redis, from apps/api
    package = write(
        folder / "apps" / "web" / "package.json",
        '{"name": "web", "scripts": {"build": "docker pull node:20"}}',
    )
    event = types.FileEvent(uri=uri_of(package), type=types.FileChangeType.Created)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([event]))
    await until(client, uri, lambda found: codes(found) == ["HS101", "HS101"])


async def code_actions(
    client: LanguageClient, uri: str, at: types.Range, only: list[str] | None = None
) -> list[types.CodeAction]:
    context = types.CodeActionContext(diagnostics=[], only=only)
    found = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), at, context)
    )
    return [action for action in found or [] if isinstance(action, types.CodeAction)]


async def test_login_quick_fix_is_the_cli_fix_and_lints_clean(
    client: LanguageClient, workspace: Path
) -> None:
    folder = project(workspace, "quickfix")
    write(folder / "Dockerfile", "FROM node:20\n")
    path = write(folder / "buildspec.yml", HUB_PULL)
    uri = open_document(client, path)
    diagnostics = await until(client, uri, lambda found: len(found) == 1)
    actions = await code_actions(client, uri, diagnostics[0].range)
    titles = [action.title for action in actions]
    assert titles == [
        "Log in to Docker Hub before the pulls (hubspec fix)",
        "Fix all hubspec problems",
        "Ignore HS101 on this line",
    ]
    login = actions[0]
    assert login.kind == types.CodeActionKind.QuickFix and login.is_preferred
    assert login.edit is not None
    fixed = apply_edit(HUB_PULL, login.edit, uri)
    cli = subprocess.run(
        [sys.executable, "-m", "hubspec", "fix", "--diff", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 1  # the CLI would change the file ...
    write(folder / "cli" / "Dockerfile", "FROM node:20\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "hubspec",
            "fix",
            str(write(folder / "cli" / "buildspec.yml", HUB_PULL)),
        ],
        check=True,
        capture_output=True,
    )
    assert fixed == (folder / "cli" / "buildspec.yml").read_text()  # ... exactly so
    replace_all(client, uri, 2, fixed)
    await until(client, uri, lambda found: found == [])
    path.write_text(fixed)
    assert lint_cli(path).returncode == 0


async def test_fix_all_is_offered_on_request(client: LanguageClient, workspace: Path) -> None:
    folder = project(workspace, "fixall")
    write(folder / "Dockerfile", "FROM node:20\n")
    path = write(folder / "buildspec.yml", HUB_PULL)
    uri = open_document(client, path)
    await until(client, uri, lambda found: len(found) == 1)
    anywhere = types.Range(types.Position(0, 0), types.Position(0, 0))
    actions = await code_actions(client, uri, anywhere, only=["source.fixAll"])
    assert [action.kind for action in actions] == ["source.fixAll.hubspec"]
    assert actions[0].edit is not None
    path.write_text(apply_edit(HUB_PULL, actions[0].edit, uri))
    assert lint_cli(path).returncode == 0


async def test_ignore_action_adds_a_comment_that_silences_only_that_finding(
    client: LanguageClient, workspace: Path
) -> None:
    folder = project(workspace, "ignore")
    write(folder / "Dockerfile", "FROM node:20\n")
    path = write(folder / "buildspec.yml", HUB_PULL)
    uri = open_document(client, path)
    diagnostics = await until(client, uri, lambda found: len(found) == 1)
    actions = await code_actions(client, uri, diagnostics[0].range)
    ignore = next(action for action in actions if action.title == "Ignore HS101 on this line")
    assert ignore.edit is not None
    ignored = apply_edit(HUB_PULL, ignore.edit, uri)
    assert ignored == HUB_PULL.replace("node:20\n", "node:20  # hubspec: ignore[HS101]\n")
    replace_all(client, uri, 2, ignored)
    await until(client, uri, lambda found: found == [])
    path.write_text(ignored)
    assert lint_cli(path).returncode == 0


async def test_ignore_inside_a_block_scalar_goes_above_the_item(
    client: LanguageClient, workspace: Path
) -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - |\n        echo one\n        docker pull node:20\n"
    )
    path = write(workspace / "block" / "buildspec.yml", text)
    uri = open_document(client, path)
    diagnostics = await until(client, uri, lambda found: len(found) == 1)
    actions = await code_actions(client, uri, diagnostics[0].range)
    ignore = next(action for action in actions if action.title == "Ignore HS101 on this line")
    assert ignore.edit is not None
    # a comment inside the block would be part of the command: it goes above the item
    expected = text.replace("      - |\n", "      # hubspec: ignore[HS101]\n      - |\n")
    assert apply_edit(text, ignore.edit, uri) == expected
    replace_all(client, uri, 2, expected)
    await until(client, uri, lambda found: found == [])


async def test_unused_suppression_is_removed_by_its_action(
    client: LanguageClient, workspace: Path
) -> None:
    text = CLEAN.replace("echo hello\n", "echo hello  # hubspec: ignore[HS101]\n")
    path = write(workspace / "unused" / "buildspec.yml", text)
    uri = open_document(client, path)
    diagnostics = await until(client, uri, lambda found: codes(found) == ["HS004"])
    actions = await code_actions(client, uri, diagnostics[0].range)
    assert [action.title for action in actions] == [
        "Fix all hubspec problems",
        "Remove the unused suppression [HS101]",
    ]
    assert actions[1].edit is not None
    assert apply_edit(text, actions[1].edit, uri) == CLEAN


async def test_hover_shows_rule_docs(client: LanguageClient, workspace: Path) -> None:
    text = CLEAN.replace("echo hello\n", "echo hello  # hubspec: ignore[HS101]\n")
    path = write(workspace / "hover" / "buildspec.yml", text)
    uri = open_document(client, path)
    diagnostics = await until(client, uri, lambda found: codes(found) == ["HS004"])
    column = text.splitlines()[4].index("HS101") + 2
    found = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(4, column))
    )
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    assert found.contents.value.startswith("**HS101** `hub-pull-without-login` (error)")
    assert "## What it does" in found.contents.value
    assert found.range == types.Range(types.Position(4, column - 2), types.Position(4, column + 3))
    on_diagnostic = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), diagnostics[0].range.start)
    )
    assert on_diagnostic is not None and isinstance(on_diagnostic.contents, types.MarkupContent)
    assert on_diagnostic.contents.value.startswith("**HS004** `unused-suppression`")
    nothing = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 1))
    )
    assert nothing is None


async def test_completion_offers_rule_codes_inside_ignore_brackets(
    client: LanguageClient, workspace: Path
) -> None:
    text = CLEAN.replace("echo hello\n", "echo hello  # hubspec: ignore[HS101, HS1\n")
    path = write(workspace / "complete" / "buildspec.yml", text)
    uri = open_document(client, path)
    line = text.splitlines()[4]
    found = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(4, len(line)))
    )
    assert isinstance(found, types.CompletionList)
    labels = [item.label for item in found.items]
    assert labels and all(label.startswith("HS1") for label in labels)
    assert "HS101" not in labels  # already in the list
    assert "HS102" in labels
    item = found.items[0]
    assert isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.range == types.Range(
        types.Position(4, len(line) - 3), types.Position(4, len(line))
    )
    outside = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(4, 10))
    )
    assert outside is None


async def test_nearest_config_file_applies_per_document(
    client: LanguageClient, workspace: Path
) -> None:
    folder = project(workspace, "configured")
    write(folder / ".hubspec.toml", 'ignore = ["HS101"]\n')
    write(folder / "Dockerfile", "FROM node:20\n")
    uri = open_document(client, write(folder / "buildspec.yml", HUB_PULL))
    await until(client, uri, lambda found: found == [])
    bad = workspace / "badconfig"
    write(bad / ".hubspec.toml", "selectt = []\n")
    bad_uri = open_document(client, write(bad / "buildspec.yml", HUB_PULL))
    found = await until(client, bad_uri, lambda found: len(found) == 1)
    assert found[0].code == "config" and "selectt" in found[0].message


async def test_broken_yaml_is_one_hs001(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(
        client, write(workspace / "broken" / "buildspec.yml", "version: 0.2\nphases: [\n")
    )
    found = await until(client, uri, lambda found: len(found) == 1)
    assert found[0].code == "HS001"


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        Image: node:20
      Source:
        Type: CODEPIPELINE
        BuildSpec: |
          version: 0.2
          phases:
            build:
              commands:
                - docker pull python:3.12
"""


async def test_a_template_gets_the_diagnostics_of_its_projects(
    client: LanguageClient, workspace: Path
) -> None:
    uri = open_document(client, write(project(workspace, "iac") / "template.yaml", TEMPLATE))
    found = await until(client, uri, lambda found: len(found) == 3)
    by_code = {str(diagnostic.code): diagnostic.range for diagnostic in found}
    pull = types.Range(types.Position(14, 18), types.Position(14, 41))  # the inline command
    assert by_code == {
        "HS104": types.Range(types.Position(6, 15), types.Position(6, 22)),  # Image: node:20
        "HS101": pull,
        "HS105": pull,
    }


def named_template(privileged: bool) -> str:
    """A project that keeps Docker Hub credentials in Parameter Store and names its buildspec
    file by path."""
    project = codebuild_project(
        "Build", "ci/buildspec.yml", privileged=privileged, variables=STORED_HUB_CREDENTIALS
    )
    return "Resources:\n" + project


LOGIN_AND_PULL = HUB_PULL.replace(
    "      - docker pull",
    '      - echo "$DOCKERHUB_TOKEN" | docker login -u "$DOCKERHUB_USERNAME" --password-stdin\n'
    "      - docker pull",
)


def cli_findings(folder: Path) -> list[tuple[str, int, int]]:
    """(rule, line, column) of ci/buildspec.yml in `hubspec lint .` run from the folder."""
    done = subprocess.run(
        [sys.executable, "-m", "hubspec", "lint", "--format", "json"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    return sorted(
        (f["rule"], f["line"], f["column"])
        for f in json.loads(done.stdout)["findings"]
        if f["path"] == str(Path("ci") / "buildspec.yml")
    )


def positions(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int, int]]:
    return sorted(
        (str(d.code), d.range.start.line + 1, d.range.start.character + 1) for d in diagnostics
    )


async def test_a_buildspec_a_template_names_is_linted_in_the_projects_context(
    client: LanguageClient, workspace: Path
) -> None:
    """As `hubspec lint .`: the project's secret makes the login no HS203, and the project's
    privileged mode decides HS105; the template changing or going on disk re-lints it."""
    folder = project(workspace, "named")
    template = write(folder / "template.yaml", named_template(privileged=False))
    uri = open_document(client, write(folder / "ci" / "buildspec.yml", LOGIN_AND_PULL))
    found = await until(client, uri, lambda found: codes(found) == ["HS105"])
    assert positions(found) == cli_findings(folder) == [("HS105", 6, 9)]
    template.write_text(named_template(privileged=True), encoding="utf-8")
    changed = types.FileEvent(uri=uri_of(template), type=types.FileChangeType.Changed)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([changed]))
    await until(client, uri, lambda found: found == [])
    assert cli_findings(folder) == []
    template.unlink()
    deleted = types.FileEvent(uri=uri_of(template), type=types.FileChangeType.Deleted)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([deleted]))
    alone = await until(client, uri, lambda found: codes(found) == ["HS203"])
    assert positions(alone) == cli_findings(folder)


async def test_the_quick_fix_of_a_named_buildspec_is_its_projects_fix(
    client: LanguageClient, workspace: Path
) -> None:
    """The login alone (the project keeps the credentials), as `hubspec fix .` writes it."""
    folder = project(workspace, "namedfix")
    write(folder / "template.yaml", named_template(privileged=True))
    path = write(folder / "ci" / "buildspec.yml", HUB_PULL)
    uri = open_document(client, path)
    diagnostics = await until(client, uri, lambda found: codes(found) == ["HS101"])
    actions = await code_actions(client, uri, diagnostics[0].range)
    login = actions[0]
    assert login.title == "Log in to Docker Hub before the pulls (hubspec fix)"
    assert login.edit is not None
    fixed = apply_edit(HUB_PULL, login.edit, uri)
    assert "parameter-store" not in fixed and '--username "$DOCKERHUB_USERNAME"' in fixed
    subprocess.run([sys.executable, "-m", "hubspec", "fix"], cwd=folder, check=True)
    assert fixed == path.read_text(encoding="utf-8")
    replace_all(client, uri, 2, fixed)
    await until(client, uri, lambda found: found == [])


async def test_a_templates_quick_fix_is_the_cli_fix(
    client: LanguageClient, workspace: Path
) -> None:
    """The login spliced into the inline buildspec, exactly as `hubspec fix template.yaml`."""
    folder = project(workspace, "iacfix")
    path = write(folder / "template.yaml", TEMPLATE)
    uri = open_document(client, path)
    found = await until(client, uri, lambda found: len(found) == 3)
    pull = next(d for d in found if d.code == "HS101")
    actions = await code_actions(client, uri, pull.range)
    assert [action.title for action in actions][:2] == [
        "Log in to Docker Hub before the pulls (hubspec fix)",
        "Fix all hubspec problems",
    ]
    assert actions[0].edit is not None
    fixed = apply_edit(TEMPLATE, actions[0].edit, uri)
    subprocess.run([sys.executable, "-m", "hubspec", "fix", "template.yaml"], cwd=folder)
    assert fixed == path.read_text(encoding="utf-8") != TEMPLATE
    replace_all(client, uri, 2, fixed)
    await until(client, uri, lambda found: codes(found) == ["HS104", "HS105"])


async def test_fix_all_on_a_template_edits_the_buildspec_file_a_project_names(
    client: LanguageClient, workspace: Path
) -> None:
    folder = project(workspace, "iacfixall")
    template = write(folder / "template.yaml", named_template(privileged=True))
    buildspec = write(folder / "ci" / "buildspec.yml", HUB_PULL)
    uri = open_document(client, template)
    await until(client, uri, lambda found: found == [])  # its findings are the file's
    anywhere = types.Range(types.Position(0, 0), types.Position(0, 0))
    actions = await code_actions(client, uri, anywhere, only=["source.fixAll"])
    assert [action.kind for action in actions] == ["source.fixAll.hubspec"]
    edit = actions[0].edit
    assert edit is not None
    changed = [c.text_document.uri for c in edit.document_changes or []]
    assert changed == [uri_of(buildspec)]  # the template itself is unchanged
    fixed = apply_edit(HUB_PULL, edit, uri_of(buildspec))
    subprocess.run([sys.executable, "-m", "hubspec", "fix"], cwd=folder, check=True)
    assert fixed == buildspec.read_text(encoding="utf-8") != HUB_PULL


async def test_non_buildspec_yaml_gets_no_diagnostics(
    client: LanguageClient, workspace: Path
) -> None:
    uri = open_document(client, write(workspace / "other" / "docker-compose.yml", "services: {}\n"))
    probe = open_document(client, write(workspace / "other" / "buildspec.yml", HUB_PULL))
    await until(client, probe, lambda found: len(found) == 1)
    assert uri not in client.diagnostics


async def test_configuration_change_relints(client: LanguageClient, workspace: Path) -> None:
    folder = project(workspace, "settings")
    write(folder / "Dockerfile", "FROM node:20\n")
    uri = open_document(client, write(folder / "buildspec.yml", HUB_PULL))
    await until(client, uri, lambda found: codes(found) == ["HS101"])
    client.set_configuration({"ignore": ["HS1"]}, section="hubspec")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await until(client, uri, lambda found: found == [])
    client.set_configuration({}, section="hubspec")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"hubspec": {"select": ["HS101"]}})
    )
    await until(client, uri, lambda found: codes(found) == ["HS101"])


async def test_raw_client_garbage_cancellation_shutdown_and_exit(workspace: Path) -> None:
    """The raw protocol: a client that sends invalid JSON-RPC, cancels a request, then
    shuts the server down; the server answers what it can, keeps serving, and exits 0."""
    process = await asyncio.create_subprocess_exec(
        *SERVER,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None

    def send(body: bytes | dict[str, Any]) -> None:
        assert process.stdin is not None
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)

    async def answer(number: int) -> dict[str, Any]:
        """The response to request `number` (notifications before it are skipped)."""
        assert process.stdout is not None
        while True:
            header = await asyncio.wait_for(process.stdout.readuntil(b"\r\n\r\n"), WAIT)
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            message = json.loads(await process.stdout.readexactly(length))
            if message.get("id") == number and "method" not in message:
                return dict(message)

    send(b"{this is not json")
    send(b"[1, 2, 3]")
    send({"jsonrpc": "2.0", "id": 7, "method": "no/such/method", "params": {}})
    assert (await answer(7))["error"]["code"] == -32601  # method not found
    init = {"capabilities": {}, "processId": None, "rootUri": uri_of(workspace)}
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init})
    assert "capabilities" in (await answer(1))["result"]
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    path = write(workspace / "raw" / "buildspec.yml", HUB_PULL)
    item = {"uri": uri_of(path), "languageId": "yaml", "version": 1, "text": HUB_PULL}
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}})
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 5, "character": 0}}
    action = {"textDocument": {"uri": item["uri"]}, "range": whole, "context": {"diagnostics": []}}
    send({"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction", "params": action})
    send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 3}})
    cancelled = await answer(3)  # answered either way: cancelled, or done before the cancel
    assert cancelled.get("error", {}).get("code") == -32800 or isinstance(cancelled["result"], list)
    hover = {"textDocument": {"uri": item["uri"]}, "position": {"line": 4, "character": 10}}
    send({"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover", "params": hover})
    assert "HS101" in (await answer(4))["result"]["contents"]["value"]
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    assert (await answer(2))["result"] is None
    send({"jsonrpc": "2.0", "method": "exit"})
    await process.stdin.drain()
    assert await asyncio.wait_for(process.wait(), WAIT) == 0
    assert process.stderr is not None
    log = (await process.stderr.read()).decode()
    assert "Traceback" not in log
    assert "hubspec server: ERROR" in log  # one line for the invalid message


CRASHING_SERVER = [
    sys.executable,
    "-c",
    "import sys\n"
    "import hubspec.server.analysis as analysis\n"
    "real = analysis.lint_bytes\n"
    "def lint_bytes(display, data, **options):\n"
    "    if b'CRASH-ME' in data:\n"
    "        raise KeyError('a bug in hubspec')\n"
    "    return real(display, data, **options)\n"
    "analysis.lint_bytes = lint_bytes\n"
    "sys.argv = ['hubspec', 'server']\n"
    "from hubspec.entry import main\n"
    "main()\n",
]


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("multiroot")
    return project(base, "first"), project(base, "second")


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=CRASHING_SERVER, client_factory=make_client),
    scope="module",
)
async def multiroot(lsp_client: LanguageClient, roots: tuple[Path, Path]) -> AsyncIterator[None]:
    """A server with one function made to fail on a marker (a stand-in for a hubspec bug),
    over two workspace folders whose client settings differ."""
    first, second = roots
    lsp_client.set_configuration({"ignore": ["HS101"]}, section="hubspec", scope_uri=uri_of(second))
    folders = [
        types.WorkspaceFolder(uri=uri_of(first), name="first"),
        types.WorkspaceFolder(uri=uri_of(second), name="second"),
    ]
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        workspace_folders=folders,
        initialization_options={"select": ["HS1", "HS004"]},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def test_settings_per_workspace_folder(
    multiroot: LanguageClient, roots: tuple[Path, Path]
) -> None:
    first, second = roots
    one = open_document(multiroot, write(first / "buildspec.yml", HUB_PULL))
    two = open_document(multiroot, write(second / "buildspec.yml", HUB_PULL))
    await until(multiroot, one, lambda found: codes(found) == ["HS101"])
    await until(multiroot, two, lambda found: found == [])


async def test_a_crash_is_one_diagnostic_and_a_log_and_the_server_goes_on(
    multiroot: LanguageClient, roots: tuple[Path, Path]
) -> None:
    first, _ = roots
    crash = HUB_PULL.replace("docker pull node:20", "echo CRASH-ME; docker pull node:20")
    uri = open_document(multiroot, write(first / "crash" / "buildspec.yml", crash))
    found = await until(multiroot, uri, lambda found: len(found) == 1)
    assert found[0].code == "internal-error"
    assert found[0].severity == types.DiagnosticSeverity.Error
    assert "KeyError" in found[0].message
    errors = [log for log in multiroot.log_messages if log.type == types.MessageType.Error]
    assert any("KeyError: 'a bug in hubspec'" in log.message for log in errors)
    replace_all(multiroot, uri, 2, HUB_PULL)  # the same document, fixed: served again
    await until(multiroot, uri, lambda found: codes(found) == ["HS101"])


SLOW_SEARCH_SERVER = [
    sys.executable,
    "-c",
    "import sys, time\n"
    "import hubspec.run.files as files\n"
    "real = files.discover\n"
    "def discover(*args, **kwargs):\n"
    "    time.sleep(1.5)  # a large repository's walk\n"
    "    return real(*args, **kwargs)\n"
    "files.discover = discover\n"
    "sys.argv = ['hubspec', 'server']\n"
    "from hubspec.entry import main\n"
    "main()\n",
]


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SLOW_SEARCH_SERVER, client_factory=make_client),
    scope="module",
)
async def slow_search(lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    folder = types.WorkspaceFolder(uri=uri_of(workspace), name="workspace")
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), workspace_folders=[folder]
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def test_searching_a_repository_for_templates_holds_up_no_request(
    slow_search: LanguageClient, workspace: Path
) -> None:
    """The host files are found on a worker thread: a request sent while the search runs is
    answered before the diagnostics, which come when it ends, in the template's context."""
    top = project(workspace, "slow")
    write(top / "template.yaml", named_template(privileged=False))
    uri = open_document(slow_search, write(top / "ci" / "buildspec.yml", LOGIN_AND_PULL))
    hover = await slow_search.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 1))
    )
    assert hover is None
    assert uri not in slow_search.diagnostics  # the search is still running
    found = await until(slow_search, uri, lambda found: bool(found))
    assert codes(found) == ["HS105"]  # alone it would be HS203: the project stores the token
