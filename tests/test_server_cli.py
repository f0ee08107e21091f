"""`hubspec server` from the command line, and the position arithmetic it relies on."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types

from hubspec.model import Position
from hubspec.server.edits import text_edits
from hubspec.server.positions import Lines
from hubspec.server.protocol import lsp_lines


def test_without_the_extra_server_says_how_to_install_it() -> None:
    blocked = (
        "import sys\n"
        "sys.modules['pygls'] = None\n"  # what an install without the extra looks like
        "sys.argv = ['hubspec', 'server']\n"
        "from hubspec.entry import main\n"
        "main()\n"
    )
    for argv in ([sys.executable, "-c", blocked],):
        done = subprocess.run(
            argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
        )
        assert done.returncode == 2
        assert done.stdout == ""
        assert (
            done.stderr
            == "hubspec: error: `hubspec server` needs the lsp extra: pip install 'hubspec[lsp]'\n"
        )


def test_server_is_in_the_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hubspec", "--help"], capture_output=True, text=True, check=True
    )
    assert "server" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "hubspec", "server", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "language server" in done.stdout


TEXT = 'a: 1\nb: "🐳é" x\n'


@pytest.mark.parametrize(
    ("encoding", "character"),
    [
        (types.PositionEncodingKind.Utf16, 7),  # b, :, space, quote, whale (2), é
        (types.PositionEncodingKind.Utf32, 6),
        (types.PositionEncodingKind.Utf8, 10),  # the whale is 4 bytes, é 2
    ],
)
def test_columns_in_each_encoding(encoding: str, character: int) -> None:
    lines = Lines(TEXT, encoding)
    after_e = TEXT.index("é") + 1
    assert lines.at_offset(after_e) == types.Position(1, character)
    assert lines.at(Position(2, 7)) == types.Position(1, character)  # hubspec: 1-based chars
    assert lines.offset(types.Position(1, character)) == after_e


def test_a_position_past_the_line_is_clamped_to_its_end() -> None:
    lines = Lines(TEXT)
    assert lines.offset(types.Position(0, 99)) == 4
    assert lines.offset(types.Position(9, 0)) == len(TEXT)


def test_a_bom_in_the_buffer_shifts_the_first_line() -> None:
    lines = Lines("\ufeffa: 1\n")
    assert lines.at(Position(1, 1)) == types.Position(0, 1)


def test_text_edits_replace_only_changed_lines() -> None:
    old = "a\nb\nc"
    edits = text_edits(Lines(old), "a\nB\nc\nd\n")
    assert [
        (e.range.start.line, e.range.end.line, e.range.end.character, e.new_text) for e in edits
    ] == [(1, 2, 1, "B\nc\nd\n")]


def test_the_fast_parser_starts_the_server_without_typer() -> None:
    from hubspec.cli.commands import ServerRequest
    from hubspec.cli.quickargs import parse

    assert parse(["server"]) == ServerRequest()
    assert parse(["server", "--help"]) is None  # typer prints the help
    assert parse(["server", "extra"]) is None  # and the usage error


def test_an_argument_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hubspec", "server", "extra"],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "Got unexpected extra argument" in done.stderr


def test_finished_notification_futures_are_let_go() -> None:
    """pygls alone keeps one future per notification forever (see server/protocol.py)."""
    from pygls.lsp.server import LanguageServer

    from hubspec.server.app import build

    trace = types.SetTraceParams(types.TraceValue.Off)
    plain, ours = LanguageServer("plain", "0"), build()
    for _ in range(20):
        plain.protocol._handle_notification(types.SET_TRACE, trace)
        ours.protocol._handle_notification(types.SET_TRACE, trace)
    assert len(plain.protocol._request_futures) == 20  # the leak this guards against
    assert len(ours.protocol._request_futures) == 0


@given(st.text(alphabet="ab\r\n\x0b\x0c\x1c\x85\u2028\u2029"))
def test_document_lines_break_where_lsp_breaks_them(text: str) -> None:
    """Lines end at CR LF, CR or LF, nowhere else; together they are the text."""
    lines = lsp_lines(text)
    assert "".join(lines) == text
    expected = text.replace("\r\n", "\n").replace("\r", "\n").count("\n")
    assert len(lines) == expected + (0 if text.endswith(("\n", "\r")) or not text else 1)
    for line in lines[:-1]:
        body = line.removesuffix("\r\n").removesuffix("\n").removesuffix("\r")
        assert len(body) < len(line) and "\r" not in body and "\n" not in body
