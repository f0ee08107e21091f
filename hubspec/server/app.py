"""The LSP handlers: each turns a request into a call on the session, actions or help."""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from hubspec.run.config import ConfigError
from hubspec.server.actions import FIX_ALL, Actions, code_actions
from hubspec.server.help import completions, hover
from hubspec.server.positions import Lines
from hubspec.server.session import Session, path_of


def build() -> Session:
    """A server with every feature registered (a new one for each stdio session)."""
    server = Session()

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        server.configure(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        await watch_files(server)
        await pull_configuration(server)
        server.relint_all()  # documents opened while the answer was on its way

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        server.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        server.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        server.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.closed(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        if params.settings is not None:
            server.configure(params.settings)
        await pull_configuration(server)
        server.relint_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(params: types.DidChangeWorkspaceFoldersParams) -> None:
        for folder in params.event.removed:
            path = path_of(folder.uri)
            if path is not None:
                server.store.folders.pop(path, None)
        await pull_configuration(server)
        server.relint_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            server.changed_on_disk(change.uri, change.type)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False
        ),
    )
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        document = server.workspace.text_documents.get(uri)
        if document is None or uri not in server.buildspecs:
            return None
        try:
            target = server.target(uri, document)
        except ConfigError:
            return None
        found: list[types.CodeAction] = []
        actions = Actions(target, server.buffers, document.version)
        for action in code_actions(actions, params.range, params.context.only):
            await asyncio.sleep(0)  # a $/cancelRequest read meanwhile stops the work here
            if action is not None:
                found.append(action)
        return found

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        lines = Lines(document.source, _encoding(server))
        return hover(lines, params.position, server.published.get(uri, []))

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["[", ","])
    )
    def on_completion(params: types.CompletionParams) -> types.CompletionList | None:
        document = server.workspace.get_text_document(params.text_document.uri)
        return completions(Lines(document.source, _encoding(server)), params.position)

    return server


WATCHED = (
    "**/.hubspec.toml",
    "**/pyproject.toml",
    "**/*[Dd]ockerfile*",
    "**/*.{yml,yaml,json,template,tf}",
    "**/*.sh",
    "**/{Makefile,makefile,GNUmakefile,*.mk}",
    "**/package.json",
    "**/{.env,*.env}",
)
"""Files on disk that change what a buildspec lints to: config files, what builds use and
run (compose's env files too), and templates or Terraform files whose projects may name the
buildspec."""


async def watch_files(server: Session) -> None:
    """Ask the client to report changes on disk to these files, if it can."""
    workspace = server.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
    )
    registration = types.Registration(
        id="hubspec-watched-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=options,
    )
    try:
        await server.client_register_capability_async(types.RegistrationParams([registration]))
    except Exception as error:  # the client said no: edits in the editor still count
        server.log(types.MessageType.Info, f"hubspec: no file watching ({error})")


async def pull_configuration(server: Session) -> None:
    """Ask the client for the `hubspec` section per workspace folder, if it can answer."""
    workspace = server.client_capabilities.workspace
    if workspace is None or not workspace.configuration:
        return
    folders = [folder.uri for folder in server.workspace.folders.values()]
    items = [types.ConfigurationItem(section="hubspec")]
    items.extend(types.ConfigurationItem(scope_uri=uri, section="hubspec") for uri in folders)
    try:
        answers = await server.workspace_configuration_async(types.ConfigurationParams(items))
    except Exception as error:  # a client that cannot answer keeps the settings it gave
        server.log(types.MessageType.Warning, f"workspace/configuration failed: {error}")
        return
    if not answers:
        return
    if answers[0] is not None:
        server.configure(answers[0])
    for uri, answer in zip(folders, answers[1:], strict=False):
        path = path_of(uri)
        if path is not None and answer is not None:
            server.configure(answer, folder=path)


def _encoding(server: Session) -> str:
    return str(server.workspace.position_encoding or types.PositionEncodingKind.Utf16)


class _OneLine(logging.Formatter):
    """Log records as one line each: an exception shows as its type and message, so that
    invalid input from a client leaves no traceback in the editor's server log."""

    def format(self, record: logging.LogRecord) -> str:
        error = record.exc_info[1] if record.exc_info else None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        line = super().format(record)
        return f"{line}: {type(error).__name__}: {error}" if error is not None else line


def serve() -> int:
    """Speak LSP over stdin and stdout until the client says exit; the LSP exit code."""
    handler = logging.StreamHandler()
    handler.setFormatter(_OneLine("hubspec server: %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    server = build()
    server.start_io()
    return 0 if getattr(server.protocol, "_shutdown", False) else 1
