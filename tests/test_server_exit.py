"""The language server's exit: it never waits for a search of the repository to end.

Driven over raw JSON-RPC (not pytest-lsp, which manages the server's life itself), the
server started by the test on stdin/stdout as an editor starts it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from test_server import LOGIN_AND_PULL, SLOW_SEARCH_SERVER, uri_of, write


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def test_exit_does_not_wait_for_a_template_search(tmp_path: Path) -> None:
    """An editor closing while a large repository is searched for templates: the server
    leaves at once (the search thread only reads), not when the walk ends."""
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    buildspec = write(top / "buildspec.yml", LOGIN_AND_PULL)
    command = [
        sys.executable,
        "-c",
        SLOW_SEARCH_SERVER[2].replace("time.sleep(1.5)", "time.sleep(60)"),
    ]
    server = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert server.stdin is not None and server.stdout is not None
    folder = {"uri": uri_of(top), "name": "repo"}
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "capabilities": {}, "workspaceFolders": [folder]}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen",
         "params": {"textDocument": {"uri": uri_of(buildspec), "languageId": "yaml",
                                     "version": 1, "text": LOGIN_AND_PULL}}},
    ]  # fmt: skip
    for message in messages:
        server.stdin.write(_frame(message))
    server.stdin.flush()
    time.sleep(1.0)  # the search has started (and sleeps for a minute)
    server.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    server.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
    server.stdin.flush()
    start = time.monotonic()
    try:
        code = server.wait(timeout=20)
    finally:
        server.kill()
        server.communicate()
    assert code == 0
    assert time.monotonic() - start < 10
