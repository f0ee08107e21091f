"""Static analysis of one buildspec command string.

CodeBuild hands every entry of a `commands:` list to a shell, so the rules need to
know which simple commands a string runs, what their words are after quoting and
expansion, and which shell state (variables, working directory) carries over to the
next entry. The string is parsed with tree-sitter-bash, never with regexes, and
every construct the linter can see through (pipelines, lists, substitutions,
compound commands, `bash -c` bodies) is walked in source order.
"""

from __future__ import annotations

import gc
import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from types import FrameType

import tree_sitter

from hubspec.shell.quick import quick_analysis
from hubspec.shell.state import (
    EFFECTFUL,
    IDENT,
    Frame,
    Function,
    Saved,
    ShellResult,
    ShellState,
    SimpleCommand,
    Word,
    appended,
    apply_builtin,
    bind_arguments,
    make_command,
    make_word,
    nested_body,
    restore,
    run_pipeline,
    save,
    set_var,
)

__all__ = ["ShellResult", "ShellState", "SimpleCommand", "Word", "analyse"]

Node = tree_sitter.Node


# --------------------------------------------------------------------------- parser

_PARSER: tree_sitter.Parser | None = None


def _parser() -> tree_sitter.Parser:
    """Building the language and parser is costly, so do it once per process."""
    global _PARSER
    if _PARSER is None:
        _PARSER = tree_sitter.Parser(tree_sitter.Language(_bash_language()))
    return _PARSER


def _bash_language() -> object:
    """The bash grammar from tree-sitter-bash's compiled `_binding` module.

    The package's `__init__` imports `importlib.resources` (and with it tempfile, shutil and
    zipfile) only to read highlight queries hubspec never uses; that costs about a twentieth
    of a one-file lint. So the binding is loaded from the package's folder without running
    `__init__`, and through the normal import when that is not possible.
    """
    import importlib.machinery
    import importlib.util
    import os

    package = importlib.util.find_spec("tree_sitter_bash")
    for folder in (package.submodule_search_locations or []) if package is not None else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "_binding" + suffix)
            if not os.path.isfile(path):
                continue
            spec = importlib.util.spec_from_file_location("tree_sitter_bash._binding", path)
            if spec is None or spec.loader is None:
                continue
            binding = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(binding)
            return binding.language()
    import tree_sitter_bash

    return tree_sitter_bash.language()


# --------------------------------------------------------------------------- tables

_STATEMENTS = frozenset(
    {
        "command",
        "declaration_command",
        "unset_command",
        "test_command",
        "redirected_statement",
        "variable_assignment",
        "variable_assignments",
        "negated_command",
        "list",
        "pipeline",
        "subshell",
        "compound_statement",
        "if_statement",
        "while_statement",
        "for_statement",
        "c_style_for_statement",
        "case_statement",
        "function_definition",
        "do_group",
        "else_clause",
        "elif_clause",
        "case_item",
        "ERROR",
    }
)
_COMMANDS = frozenset({"command", "declaration_command", "unset_command", "test_command"})
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
# Children of a double-quoted string that are expanded; the rest is literal text.
_ACTIVE = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
    }
)
# Tokens that stand for themselves when they appear as (part of) a word.
_LITERAL = frozenset(
    {
        "number",
        "regex",
        "extglob_pattern",
        "test_operator",
        "brace_expression",
        "special_variable_name",
        "heredoc_content",
        "file_descriptor",
        "string_content",
    }
)
# Nodes that form one word of a `[ ... ]` / `[[ ... ]]` test.
_TEST_WORDS = frozenset(
    {
        "word",
        "string",
        "raw_string",
        "ansi_c_string",
        "translated_string",
        "concatenation",
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
        "variable_name",
        "array",
    }
    | _LITERAL
)
# Unmatched opening tokens and what would close them, for readable error messages.
_CLOSERS = {
    "if": "fi",
    "while": "done",
    "until": "done",
    "for": "done",
    "select": "done",
    "case": "esac",
    "{": "}",
    "(": ")",
    "$(": ")",
    "<(": ")",
    ">(": ")",
    "((": "))",
    "$((": "))",
    "${": "}",
    "[": "]",
    "[[": "]]",
}
_CLOSED_BY = frozenset(_CLOSERS.values())
# Reserved words that cannot start a command; tree-sitter takes them for command names.
_RESERVED = frozenset({"then", "else", "elif", "fi", "do", "done", "esac", "}"})
_QUOTES = ("'", '"', "`", "$'", '$"')
# Anonymous tokens after which, inside an ERROR node, commands may not run.
_COND_TOKENS = frozenset({"then", "else", "elif", "do", "&&", "||", "in", "{", ")"})
_PARAMETER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WHITESPACE = " \t\n\r"
_FRAMES_PER_LEVEL = 3  # worst-case Python frames per unit of `_Shared.depth`
_MAX_DEPTH = 300
_MAX_CALLS = 8  # function calls inside function calls: recursion stops here
_MAX_RUNS = 1000  # loop and function bodies one analysis runs at most
_LOCAL = frozenset({"local", "declare", "typeset"})  # in a function, these make locals
_SPLIT = frozenset({"simple_expansion", "expansion", "command_substitution"})  # split by IFS
_PATTERN = re.compile(r"[*?\[{]")  # a glob or a brace expansion: not known statically
_IFS_BLANKS = re.compile(r"[ \t\n]+")
_DEPTH_MESSAGE = "shell nesting too deep to analyse"


# --------------------------------------------------------------------------- quoting


def _unescape(text: str) -> str:
    """Quote removal for unquoted text: `\\c` is c, backslash-newline disappears."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _unescape_dq(text: str) -> str:
    """Inside double quotes only \\ before $ ` " \\ or newline is special."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_ANSI_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_HEX = "0123456789abcdefABCDEF"


def _ansi_c(body: str) -> str:
    """Decode the escapes of a $'...' string the way bash does for the common cases."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1]
        i += 2
        if esc in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[esc])
        elif esc in "01234567":
            j = i - 1
            while j < n and j < i + 2 and body[j] in "01234567":
                j += 1
            out.append(chr(int(body[i - 1 : j], 8) & 0xFF))
            i = j
        elif esc in "xuU":
            limit = {"x": 2, "u": 4, "U": 8}[esc]
            j = i
            while j < n and j < i + limit and body[j] in _HEX:
                j += 1
            if j == i:
                out.append("\\" + esc)
            else:
                code = int(body[i:j], 16)
                out.append(chr(code) if code <= 0x10FFFF else "\ufffd")
                i = j
        elif esc == "c" and i < n:
            out.append(chr(ord(body[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + esc)
    return "".join(out)


# --------------------------------------------------------------------------- state


def _cut_after_dollar(assignment: Node, following: Node) -> bool:
    """Whether tree-sitter-bash cut `assignment`'s value at a `$` that `following` continues.

    It reads `R=$A.b.$B.c` as `R=$A.b.$` and `B.c`: the value's last piece is a lone `$`
    and the next node starts right after it.
    """
    value = assignment.child_by_field_name("value")
    return (
        value is not None
        and value.type == "concatenation"
        and value.end_byte == following.start_byte
        and value.children[-1].type == "$"
    )


# tree-sitter-bash 0.25.1 reads out of bounds, and segfaults depending on the memory
# layout, on `{` followed by a four-byte UTF-8 character (tree-sitter-bash#337).
# Such characters, and lone surrogates, which are not UTF-8 at all, reach the parser
# as inert characters of the same encoded length, so byte offsets stay valid; words
# are always cut from the original string.
_UNSAFE_FOR_PARSER = re.compile("[\U00010000-\U0010ffff\ud800-\udfff]")


def _same_width_stand_in(match: re.Match[str]) -> str:
    return "\u00a4\u00a4" if ord(match.group()) > 0xFFFF else "\u2591"


def _parser_bytes(script: str) -> bytes:
    if script.isascii():
        return script.encode("ascii")
    return _UNSAFE_FOR_PARSER.sub(_same_width_stand_in, script).encode("utf-8")


# --------------------------------------------------------------------------- walker


class _Shared:
    """Output and limits shared by a script and every `bash -c` body inside it."""

    __slots__ = (
        "budget",
        "calls",
        "commands",
        "depth",
        "errors",
        "locals",
        "max_nesting",
        "origin",
        "runs",
        "too_deep",
    )

    def __init__(self, max_nesting: int, budget: int) -> None:
        self.commands: list[SimpleCommand] = []
        self.errors: list[tuple[int, str]] = []
        self.depth = 0
        self.budget = budget
        self.max_nesting = max_nesting
        self.too_deep = False
        self.origin = object()  # the functions this analysis defines know it by this
        self.calls = 0  # function calls running now, one inside the other
        self.runs = 0  # loop and function bodies run so far
        self.locals: list[Saved] = []  # per running call: what its `local`s hid


# One word before evaluation: its parts in order, each (node, type, start, end) in
# characters, or (None, text, start, end) for literal text found between nodes.
_Part = tuple[Node | None, str, int, int]
_Group = list[_Part]


class _Analyser:
    """Walks the tree of one script (or one `bash -c` body) in source order."""

    def __init__(
        self,
        script: str,
        shared: _Shared,
        nesting: int,
        shift: int,
        fixed: tuple[int, int] | None,
    ) -> None:
        self.src = script
        self.data = _parser_bytes(script)
        self.sh = shared
        self.nesting = nesting
        self.shift = shift
        self.fixed = fixed
        self.ascii = script.isascii()
        self.broken = False  # whether the tree has ERROR/MISSING nodes at all
        self._bstarts: list[int] = []
        self._cstarts: list[int] = []
        self._widths: list[int] = []
        # Byte offset to character offset; `int` is the identity, and fast, for ASCII.
        self._c: Callable[[int], int] = int
        if not self.ascii:
            self._index_non_ascii()
            self._c = self._char_offset

    # ----------------------------------------------------------------- offsets

    def _index_non_ascii(self) -> None:
        """Tree-sitter counts bytes, callers count characters: remember where they differ."""
        extra = 0
        for match in _NON_ASCII.finditer(self.src):
            for k, ch in enumerate(match.group()):
                width = len(ch.encode("utf-8", "surrogatepass"))
                cpos = match.start() + k
                self._bstarts.append(cpos + extra)
                self._cstarts.append(cpos)
                self._widths.append(width)
                extra += width - 1

    def _char_offset(self, b: int) -> int:
        """Byte offset in this script to character offset in this script."""
        k = bisect_right(self._bstarts, b) - 1
        if k < 0:
            return b
        bstart = self._bstarts[k]
        width = self._widths[k]
        if b < bstart + width:
            return self._cstarts[k] if b == bstart else self._cstarts[k] + 1
        return self._cstarts[k] + 1 + (b - bstart - width)

    def _span(self, start: int, end: int) -> tuple[int, int]:
        """Character span in this script to a span in the original script."""
        if self.fixed is not None:
            return self.fixed
        return start + self.shift, end + self.shift

    def _text(self, node: Node) -> str:
        return self.src[self._c(node.start_byte) : self._c(node.end_byte)]

    def _error(self, char_offset: int, message: str) -> None:
        self.sh.errors.append((self._span(char_offset, char_offset)[0], message))

    def _too_deep(self, node: Node) -> None:
        if not self.sh.too_deep:
            self.sh.too_deep = True
            self._error(self._c(node.start_byte), _DEPTH_MESSAGE)

    # ----------------------------------------------------------------- entry

    def run(self, fr: Frame, *, errors: bool = True) -> None:
        root = _parser().parse(self.data).root_node
        self.broken = root.has_error
        if errors:
            self._collect_errors(root)
        self._block(root, fr)

    def _collect_errors(self, root: Node) -> None:
        """Report every ERROR / MISSING node; iterative so deep trees are fine."""
        if not root.has_error:
            return
        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_error:
                self._error_message(node)
            elif node.is_missing:
                missing = "a command word" if node.type == "word" else f"'{node.type}'"
                self._error(self._c(node.start_byte), f"syntax error: missing {missing}")
            elif node.has_error:
                stack.extend(reversed(node.children))

    def _error_message(self, node: Node) -> None:
        """Name the likeliest cause of an ERROR node: a quote, an unclosed block, a stray word."""
        quote: Node | None = None
        stray: Node | None = None
        opened: list[Node] = []
        for child in node.children:
            t = child.type
            if child.is_named:
                text = self._text(child)
                if t == "ERROR" and quote is None and text.startswith(_QUOTES):
                    quote = child
                elif t == "word" and text in _RESERVED and stray is None:
                    stray = child
            elif t in _QUOTES:
                quote = quote or child
            elif t in _CLOSERS:
                opened.append(child)
            elif t in _CLOSED_BY:
                if opened and _CLOSERS[opened[-1].type] == t:
                    opened.pop()
                elif stray is None:
                    stray = child
        if quote is not None:
            self._error(self._c(quote.start_byte), "syntax error: unterminated quoted string")
        elif opened:
            token = opened[-1].type
            message = f"syntax error: '{token}' without matching '{_CLOSERS[token]}'"
            self._error(self._c(opened[-1].start_byte), message)
        elif stray is not None:
            message = f"syntax error near unexpected token '{self._text(stray)}'"
            self._error(self._c(stray.start_byte), message)
        else:
            leaf = node
            for _ in range(64):
                kids = [c for c in leaf.children if c.end_byte > c.start_byte]
                if not kids:
                    break
                leaf = kids[0]
            text = self._text(leaf).strip() or self._text(node).strip()
            if text.startswith(_QUOTES):
                message = "syntax error: unterminated quoted string"
            else:
                message = f"syntax error near '{text.splitlines()[0][:40] if text else ''}'"
            self._error(self._c(leaf.start_byte), message)

    # ----------------------------------------------------------------- statements

    def _stmt(self, node: Node, fr: Frame) -> None:
        sh = self.sh
        sh.depth += 1
        try:
            if sh.depth > sh.budget:
                self._too_deep(node)
                return
            t = node.type
            if t in _COMMANDS:
                self._command(node, None, fr)
            elif t == "redirected_statement":
                self._redirected(node, fr)
            elif t == "variable_assignment":
                self._assign(node, fr)
            elif t == "variable_assignments":
                for child in node.named_children:
                    if child.type == "variable_assignment":
                        self._assign(child, fr)
                    else:
                        self._scan(child, fr)
            elif t == "pipeline":
                self._pipeline_statement(node, fr)
            elif t == "list":
                self._list(node, fr)
            elif t == "subshell":
                sub = Frame(fr.state, fr.cond, fr.pipe, shared=True)
                self._block(node, sub)
                fr.pipe = None
                if sub.last is not None:
                    fr.last = sub.last
            elif t == "compound_statement":
                if node.child_count and node.children[0].type == "((":
                    for child in node.children:
                        self._scan(child, fr)
                else:
                    self._block(node, fr)
            elif t == "negated_command":
                self._block(node, fr)
            elif t == "if_statement":
                self._if(node, fr)
            elif t == "while_statement":
                self._loop(node, fr, None)
            elif t == "for_statement":
                self._for(node, fr)
            elif t == "c_style_for_statement":
                self._loop(node, fr, node.child_by_field_name("variable"))
            elif t == "case_statement":
                self._case(node, fr)
            elif t == "function_definition":
                self._define(node, fr)
            elif t == "ERROR":
                self._error_block(node, fr)
            elif t in ("do_group", "else_clause", "elif_clause", "case_item"):
                saved, fr.cond = fr.cond, True
                self._block(node, fr)
                fr.cond = saved
            elif t != "comment":
                self._scan(node, fr)
        finally:
            sh.depth -= 1

    def _block(self, node: Node, fr: Frame) -> None:
        for child in node.children:
            if not child.is_named:
                continue
            t = child.type
            if t in _STATEMENTS:
                self._stmt(child, fr)
            elif t != "comment":
                self._scan(child, fr)

    def _scan(self, node: Node, fr: Frame) -> None:
        """Run the substitutions of a node that is not itself a command."""
        self._value(node, fr, [])

    def _list(self, node: Node, fr: Frame) -> None:
        saved = fr.cond
        after = False
        for child in node.children:
            if not child.is_named:
                if child.type in ("&&", "||"):
                    after = True
                continue
            if child.type == "comment":
                continue
            fr.cond = saved or after
            self._stmt(child, fr)
        fr.cond = saved

    def _pipeline_statement(self, node: Node, fr: Frame) -> None:
        """A pipeline, with the lists tree-sitter-bash nests into its last stage taken out.

        It reads `a | b | c && d` as `a | (b | c && d)`; bash runs `(a | b | c) && d`, and
        `d` in the shell itself, where its assignments and `cd` last.
        """
        stages = [c for c in node.named_children if c.type != "comment"]
        following: list[Node] = []
        while stages and stages[-1].type == "list":
            head = stages.pop()
            rests: list[list[Node]] = []
            while head.type == "list":
                parts = [c for c in head.named_children if c.type != "comment"]
                if not parts:
                    break
                rests.append(parts[1:])
                head = parts[0]
            following = [part for rest in reversed(rests) for part in rest] + following
            if head.type == "pipeline":
                stages.extend(c for c in head.named_children if c.type != "comment")
            elif head.type != "list":
                stages.append(head)
        self._pipeline(stages, fr, fr.pipe)
        saved = fr.cond
        for part in following:
            fr.cond = True  # after `&&` or `||`
            self._stmt(part, fr)
        fr.cond = saved

    def _pipeline(self, stages: Sequence[Node], fr: Frame, first: SimpleCommand | None) -> None:
        run_pipeline(stages, fr, first, self._stmt)

    def _if(self, node: Node, fr: Frame) -> None:
        saved = fr.cond
        in_condition = True
        for child in node.children:
            if not child.is_named:
                if child.type == "then":
                    in_condition = False
                continue
            if child.type == "comment":
                continue
            fr.cond = saved if in_condition else True
            if child.type in _STATEMENTS:
                self._stmt(child, fr)
            else:
                self._scan(child, fr)
        fr.cond = saved

    def _loop(self, node: Node, fr: Frame, variable: Node | None) -> None:
        """while/until/for: the header runs, the body may not."""
        saved = fr.cond
        for child in node.named_children:
            t = child.type
            if t == "comment" or child == variable:
                continue
            if t == "do_group":
                if variable is not None:
                    set_var(fr.own(), self._text(variable), None)
                fr.cond = True
                self._block(child, fr)
                fr.cond = saved
            elif t in _STATEMENTS and node.type == "while_statement":
                self._stmt(child, fr)
            else:
                self._scan(child, fr)
        fr.cond = saved

    def _for(self, node: Node, fr: Frame) -> None:
        """`for x in WORDS`: the body once per word with `x` bound, as bash splits them.

        When the words are not known (a substitution, a glob, a variable not known), the body
        runs once, maybe, with `x` unknown.
        """
        variable = node.child_by_field_name("variable")
        body = node.child_by_field_name("body")
        values: list[Node | None] = []
        header = True
        for index, child in enumerate(node.children):
            if node.field_name_for_child(index) == "value":
                values.extend(child.children if child.type == "concatenation" else (child,))
            elif child.type in ("do_group", "compound_statement") and child == body:
                header = False
            elif header and child.is_named and child != variable and child.type != "comment":
                self._scan(child, fr)
        has_in = any(child.type == "in" for child in node.children)
        words = self._fields(values, fr) if has_in else None
        name = self._text(variable) if variable is not None else ""
        saved = fr.cond
        if words is None or self.sh.runs + len(words) > _MAX_RUNS:
            if name:
                set_var(fr.own(), name, None)
            fr.cond = True
            if body is not None:
                self._block(body, fr)
            fr.cond = saved
            return
        self.sh.runs += len(words)
        for word in words:
            if name:
                set_var(fr.own(), name, word)
            if body is not None:
                self._block(body, fr)
            fr.cond = saved

    def _fields(self, items: Sequence[Node | None], fr: Frame) -> list[str] | None:
        """The words a list of shell words expands to (field splitting, no globbing).

        None when that is not known: an unknown value, a glob or brace pattern, an IFS of
        its own. Every substitution in the words runs, known or not.
        """
        state = fr.state
        ifs_default = state.variables.get("IFS", " \t\n") == " \t\n" and "IFS" not in state.unknown
        known = ifs_default
        fields: list[str] = []
        for group in self._group(items):
            current: str | None = None
            for node, t, s, e in group:
                if node is None:
                    text: str | None = t
                else:
                    text = self._value(node, fr, [])
                if text is None or t == "$" or not known:
                    known = False
                    continue
                unquoted = node is None or t in _SPLIT or t == "word"
                if unquoted and _PATTERN.search(self.src[s:e] if t == "word" else text):
                    known = False
                    continue
                if t not in _SPLIT:
                    current = (current or "") + text
                    continue
                pieces = _IFS_BLANKS.split(text)
                for k, piece in enumerate(pieces):
                    if k and current is not None:
                        fields.append(current)
                        current = None
                    if piece:
                        current = (current or "") + piece
            if current is not None:
                fields.append(current)
        return fields if known else None

    def _define(self, node: Node, fr: Frame) -> None:
        """`f() { ...; }`: remember the body; it runs where `f` is called."""
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name is None or body is None:
            return
        start = self._c(body.start_byte)
        function = Function(self._text(body), start + self.shift, self.fixed, self.sh.origin)
        fr.own().functions[self._text(name)] = function

    def _call(self, function: Function, cmd: SimpleCommand, fr: Frame) -> None:
        """Run a function's body in the caller's shell, with `$1`.. bound to the arguments.

        Its commands are reported where they are written when the same analysis defined it,
        else at the call. Recursion goes no deeper than `_MAX_CALLS`.
        """
        sh = self.sh
        if sh.calls >= _MAX_CALLS or sh.runs >= _MAX_RUNS:
            return
        if function.origin is sh.origin:
            shift, fixed = function.start, function.fixed
        else:
            shift, fixed = 0, (cmd.start, cmd.end)
        saved = bind_arguments(fr.own(), cmd.words[1:])
        sh.runs += 1
        sh.calls += 1
        sh.locals.append({})
        sh.depth += 2  # the detour costs more Python frames than `_stmt` counts
        try:
            # its syntax errors were reported where it was defined
            _Analyser(function.body, sh, self.nesting, shift, fixed).run(fr, errors=False)
        finally:
            sh.depth -= 2
            sh.calls -= 1
            state = fr.own()
            restore(state, sh.locals.pop())
            restore(state, saved)

    def _hide(self, words: Sequence[Word], fr: Frame) -> None:
        """`local X` in a function: X is the caller's again when the function returns."""
        hidden = self.sh.locals[-1]
        options = [w.value for w in words[1:] if (w.value or "")[:1] in ("-", "+")]
        if words[0].value != "local" and any("g" in (o or "") for o in options):
            return  # `declare -g`: global
        for word in words[1:]:
            text = word.value if word.value is not None else word.raw
            name = text.partition("=")[0].removesuffix("+").split("[", 1)[0]
            if IDENT.match(name) and name not in hidden:
                hidden.update(save(fr.state, (name,)))

    def _case(self, node: Node, fr: Frame) -> None:
        saved = fr.cond
        for child in node.named_children:
            if child.type == "case_item":
                fr.cond = True
                self._block(child, fr)
                fr.cond = saved
            elif child.type != "comment":
                self._scan(child, fr)

    def _error_block(self, node: Node, fr: Frame) -> None:
        """Salvage the commands of a region tree-sitter could not parse."""
        saved = fr.cond
        for child in node.children:
            t = child.type
            if not child.is_named:
                if t in _COND_TOKENS:
                    fr.cond = True
                continue
            if t in _STATEMENTS:
                self._stmt(child, fr)
            elif t != "comment":
                self._scan(child, fr)
        fr.cond = saved

    # ----------------------------------------------------------------- assignments

    def _assignment(
        self,
        node: Node,
        fr: Frame,
        names: list[str] | None = None,
        tail: Sequence[Node] = (),
    ) -> tuple[str, str | None, bool]:
        """Name, expanded value and whether it is `+=` of one `NAME=value`.

        `tail` holds the pieces tree-sitter-bash cut off the value (see `_cut_after_dollar`).
        """
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        append = any(c.type == "+=" for c in node.children)
        value: str | None = ""
        if value_node is not None and tail:
            value = self._join(
                [*value_node.children, *tail],
                self._c(value_node.start_byte),
                self._c(tail[-1].end_byte),
                fr,
                [] if names is None else names,
            )
        elif value_node is not None:
            value = self._value(value_node, fr, [] if names is None else names)
            if value_node.type == "array":
                value = None
        if name_node is None:
            return "", None, append
        if name_node.type == "subscript":
            base = name_node.child_by_field_name("name")
            self._scan(name_node, fr)
            return (self._text(base) if base is not None else ""), None, False
        return self._text(name_node), value, append

    def _assign(self, node: Node, fr: Frame) -> None:
        name, value, append = self._assignment(node, fr)
        if name:
            set_var(fr.own(), name, value, append)

    # ----------------------------------------------------------------- commands

    def _redirected(self, node: Node, fr: Frame) -> None:
        body = node.child_by_field_name("body")
        if body is not None and body.type in _COMMANDS:
            self._command(body, node, fr)
            return
        targets: list[_Group] = []
        extras: list[_Group] = []
        scans: list[Node] = []
        conts: list[Node] = []
        for child in node.children:
            if child == body or child.type == "comment":
                continue
            if child.type in _REDIRECTS:
                self._redirect_parts(child, targets, extras, scans, conts)
            elif child.is_named:
                scans.append(child)
        for group in targets + extras:
            self._eval_group(group, fr)
        for other in scans:
            self._scan(other, fr)
        if body is not None:
            self._stmt(body, fr)
        self._continuations(conts, fr)

    def _redirect_parts(
        self,
        node: Node,
        targets: list[_Group],
        extras: list[_Group],
        scans: list[Node],
        conts: list[Node],
    ) -> None:
        """Split a redirection into its target, stray argv words and what follows a heredoc."""
        t = node.type
        if t == "file_redirect":
            dests: list[Node | None] = []
            for child in node.children:
                if child.type == "concatenation":
                    # parts, not a whole: `$A.b.$B.c` may be cut after its `$`
                    dests.extend(child.children)
                elif child.is_named and child.type != "file_descriptor":
                    dests.append(child)
            groups = self._group(dests)
            if groups:
                # tree-sitter hangs words after `2>&1 word` onto the redirect; bash
                # gives them to the command.
                targets.append(groups[0])
                extras.extend(groups[1:])
        elif t == "heredoc_redirect":
            for child in node.children:
                ct = child.type
                if ct in _REDIRECTS:
                    self._redirect_parts(child, targets, extras, scans, conts)
                elif ct == "heredoc_body":
                    scans.append(child)
                elif ct in _STATEMENTS:
                    conts.append(child)
                elif child.is_named and ct not in ("heredoc_start", "heredoc_end", "comment"):
                    scans.append(child)
        else:
            scans.append(node)

    def _continuations(self, conts: Iterable[Node], fr: Frame) -> None:
        """Pipelines and `&&` lists that tree-sitter hangs onto a heredoc redirect."""
        self.sh.depth += 1  # the detour costs more Python frames than `_stmt` counts
        try:
            self._continue(conts, fr)
        finally:
            self.sh.depth -= 1

    def _continue(self, conts: Iterable[Node], fr: Frame) -> None:
        for node in conts:
            first = node.children[0] if node.child_count else None
            if node.type == "pipeline" and first is not None and first.type in ("|", "|&"):
                stages = [c for c in node.named_children if c.type != "comment"]
                self._pipeline(stages, fr, fr.last)
            else:
                saved, fr.cond = fr.cond, True
                self._stmt(node, fr)
                fr.cond = saved

    def _command(self, node: Node, redir: Node | None, fr: Frame) -> None:
        """Evaluate and report one simple command, then apply its effect on the state."""
        items: list[Node | None] = []
        prefix: list[Node] = []
        redirects: list[Node] = []
        bad: list[Node] = []
        glued: list[Node] = []
        broken = self.broken
        t = node.type
        if t == "command":
            seen_name = False
            for child in node.children:
                ct = child.type
                if glued and glued[-1].type == "$" and glued[-1].end_byte == child.start_byte:
                    # the cut value goes on: `R=$A.b.$B.c/$C-$D-$E`
                    glued.extend(child.children if ct == "concatenation" else (child,))
                elif ct == "word":
                    items.append(child)
                elif broken and child.is_missing:
                    continue
                elif ct == "command_name":
                    seen_name = True
                    parts: list[Node | None] | list[Node] = items
                    if prefix and _cut_after_dollar(prefix[-1], child):
                        # `R=$A.b.$B.c make`: tree-sitter-bash ends the value at `$` and
                        # makes `B.c` the command name; bash reads one assignment
                        parts = glued
                    for name_part in child.children:
                        if name_part.type == "concatenation":
                            parts.extend(name_part.children)
                        elif not (broken and name_part.is_missing):
                            parts.append(name_part)
                elif ct == "concatenation":
                    # parts, not a whole: tree-sitter sometimes ends a concatenation
                    # inside `$B.x` (see `_eval_group`)
                    items.extend(child.children)
                elif ct in _REDIRECTS:
                    items.append(None)
                    redirects.append(child)
                elif ct == "variable_assignment" and not seen_name:
                    prefix.append(child)
                elif ct == "variable_assignments" and not seen_name:
                    prefix.extend(child.named_children)
                elif ct == "ERROR":
                    items.append(None)
                    bad.append(child)
                elif ct == "comment":
                    items.append(None)
                else:
                    items.append(child)
        elif t == "test_command":
            self._flatten_test(node, items, redirects, bad)
        else:
            for child in node.children:
                ct = child.type
                if broken and child.is_missing:
                    continue
                if ct in _REDIRECTS:
                    items.append(None)
                    redirects.append(child)
                elif ct == "ERROR":
                    items.append(None)
                    bad.append(child)
                elif ct == "comment":
                    items.append(None)
                elif ct == "concatenation":
                    items.extend(child.children)
                else:
                    items.append(child)

        end_b = node.end_byte
        if redir is not None:
            for child in redir.children:
                ct = child.type
                if child == node or ct == "comment":
                    continue
                if ct in _REDIRECTS:
                    redirects.append(child)
                    if ct == "heredoc_redirect":
                        for part in child.children:
                            if part.type in ("heredoc_start", "file_redirect", "<<", "<<-"):
                                end_b = max(end_b, part.end_byte)
                    else:
                        end_b = max(end_b, child.end_byte)
                elif child.is_named:
                    bad.append(child)

        groups = self._group(items)
        conts: list[Node] = []
        targets: list[_Group] = []
        scans: list[Node] = []
        if redirects:
            extras: list[_Group] = []
            for r in redirects:
                self._redirect_parts(r, targets, extras, scans, conts)
            groups.extend(extras)

        assignments = self._prefix(prefix, fr, glued) if prefix else ()
        words = tuple([self._eval_group(g, fr) for g in groups])
        for group in targets:
            self._eval_group(group, fr)
        for other in scans:
            self._scan(other, fr)
        for other in bad:
            if other.type in _STATEMENTS:
                self._stmt(other, fr)
            else:
                self._scan(other, fr)

        if words and words[0].raw in _RESERVED and groups[0][0][1] == "word":
            message = f"syntax error near unexpected token '{words[0].raw}'"
            self.sh.errors.append((words[0].start, message))
            return
        if not words:
            # `X=1 >file`: no command runs, the assignments stay in the shell.
            for name, value in assignments:
                if name:
                    set_var(fr.own(), name, value)
            if conts:
                self._continuations(conts, fr)
            return

        first_b = node.start_byte if redir is None else min(node.start_byte, redir.start_byte)
        if self.fixed is None:
            start = self._c(first_b) + self.shift
            end = self._c(end_b) + self.shift
        else:
            start, end = self.fixed
        cmd = make_command(
            words, assignments, start, end, fr.cond, fr.pipe, self.nesting, fr.state.cwd
        )
        fr.pipe = None
        fr.last = cmd
        self.sh.commands.append(cmd)
        program = words[0].value
        if program is not None and program in fr.state.functions:
            self._call(fr.state.functions[program], cmd, fr)
        elif program is not None and (program in EFFECTFUL or "/" in program):
            if program in _LOCAL and self.sh.locals:
                self._hide(words, fr)
            apply_builtin(words, fr)
            self._nested(cmd, fr)
        if conts:
            self._continuations(conts, fr)

    def _prefix(
        self, prefix: Sequence[Node], fr: Frame, glued: Sequence[Node] = ()
    ) -> tuple[tuple[str, str | None], ...]:
        """`A=1 B=$A cmd`: each prefix assignment sees the ones before it, cmd's words none."""
        out: list[tuple[str, str | None]] = []
        several = len(prefix) > 1
        temp = fr.state.copy() if several else fr.state
        temp_frame = Frame(temp, fr.cond) if several else fr
        for a in prefix:
            tail = glued if a is prefix[-1] else ()
            name, value, append = self._assignment(a, temp_frame, tail=tail)
            if append:
                value = appended(temp, name, value)
            if several and name:
                set_var(temp, name, value)
            out.append((name, value))
        return tuple(out)

    def _flatten_test(
        self,
        node: Node,
        items: list[Node | None],
        redirects: list[Node],
        bad: list[Node],
    ) -> None:
        """`[ a = b ]` is the command `[` with arguments; tree-sitter gives a tree."""
        stack = list(reversed(node.children))
        while stack:
            child = stack.pop()
            t = child.type
            if child.is_missing:
                continue
            if t in _REDIRECTS:
                items.append(None)
                redirects.append(child)
            elif t == "ERROR":
                items.append(None)
                bad.append(child)
            elif t in _TEST_WORDS:
                items.append(child)
            elif not child.is_named:
                # operators are words of their own even when written without blanks
                items.extend((None, child, None))
            elif t != "comment":
                stack.extend(reversed(child.children))

    # ----------------------------------------------------------------- words

    def _group(self, items: Sequence[Node | None]) -> list[_Group]:
        """Join adjacent pieces into words; blanks separate, backslash-newline joins."""
        src = self.src
        to_char = None if self.ascii else self._c
        groups: list[_Group] = []
        cur: _Group | None = None
        prev_end = -1
        for item in items:
            if item is None:
                cur = None
                prev_end = -1
                continue
            if to_char is None:
                s = item.start_byte
                e = item.end_byte
            else:
                s = to_char(item.start_byte)
                e = to_char(item.end_byte)
            if prev_end < 0:
                cur = None
            elif s > prev_end:
                gap = src[prev_end:s]
                cur = None if gap.isspace() else _gap(gap, prev_end, cur, groups)
            elif s < prev_end:
                cur = None
            if cur is None:
                cur = [(item, item.type, s, e)]
                groups.append(cur)
            else:
                cur.append((item, item.type, s, e))
            if e > prev_end:
                prev_end = e
        return groups

    def _eval_group(self, group: _Group, fr: Frame) -> Word:
        first = group[0]
        gstart = first[2]
        gend = max(part[3] for part in group) if len(group) > 1 else first[3]
        raw = self.src[gstart:gend]
        if self.fixed is None:
            start = gstart + self.shift
            end = gend + self.shift
        else:
            start, end = self.fixed
        if len(group) == 1 and first[1] == "word" and first[0] is not None:
            return make_word(_unescape(raw) if "\\" in raw else raw, raw, start, end, ())
        out: list[str] = []
        known = True
        names: list[str] = []
        skip = False
        for i, (node, t, s, e) in enumerate(group):
            if node is None:
                out.append(t)
                continue
            if skip:
                skip = False
                continue
            if t == "word":
                value: str | None = _unescape(self.src[s:e])
            elif t == "variable_name":
                value = self.src[s:e]  # `export NAME`: a name, not a reference
            elif t == "$" and i + 1 < len(group):
                following = group[i + 1]
                if following[0] is not None and following[1] == "string":
                    continue  # $"..." is a translated string
                value = "$"
                if following[0] is not None and following[1] == "word" and following[2] == e:
                    # tree-sitter parses `$A.b.$B.c` as `$A.b.$` + `B.c`
                    text = self.src[following[2] : following[3]]
                    found = self._dollar_name(text, fr, names)
                    if found is not None:
                        skip = True
                        value, used = found
                        if value is not None:
                            value += _unescape(text[used:])
            elif (
                t == "variable_assignment"
                and i + 1 < len(group)
                and (following_node := group[i + 1][0]) is not None
                and _cut_after_dollar(node, following_node)
            ):
                # `export R=$A.b.$B.c`: cut after its `$` as in a prefix assignment
                skip = True
                name, value, append = self._assignment(node, fr, names, tail=(following_node,))
                if value is not None and name:
                    value = name + ("+=" if append else "=") + value
                else:
                    value = None
            else:
                value = self._value(node, fr, names)
            if value is None:
                known = False
            elif known:
                out.append(value)
        variables = tuple(dict.fromkeys(names)) if names else ()
        return make_word("".join(out) if known else None, raw, start, end, variables)

    @staticmethod
    def _dollar_name(text: str, fr: Frame, names: list[str]) -> tuple[str | None, int] | None:
        """Value of the parameter named at the start of `text`, and the name's length."""
        match = _PARAMETER.match(text)
        if match is None:
            return None
        name = match.group()
        if IDENT.match(name):
            names.append(name)
        return fr.state.variables.get(name), match.end()

    def _value(self, node: Node, fr: Frame, names: list[str]) -> str | None:
        """A piece of a word after quote removal and expansion; None if not static."""
        t = node.type
        if t == "word":
            return _unescape(self._text(node))
        if t in _LITERAL or not node.is_named:
            return self._text(node)
        if t == "raw_string":
            text = self._text(node)
            return text[1:-1] if len(text) >= 2 and text.endswith("'") else text[1:]
        if t == "simple_expansion":
            name_node = node.named_children[0] if node.named_child_count else None
            if name_node is None:
                return self._text(node)
            name = self._text(name_node)
            if IDENT.match(name):
                names.append(name)
            return fr.state.variables.get(name)
        if t == "variable_name":
            # a bare name in arithmetic is a reference (as argv word see `_eval_group`)
            name = self._text(node)
            names.append(name)
            return name
        if t == "ansi_c_string":
            text = self._text(node)
            return _ansi_c(text[2:-1] if len(text) >= 3 and text.endswith("'") else text[2:])
        sh = self.sh
        sh.depth += 1
        try:
            if sh.depth > sh.budget:
                self._too_deep(node)
                return None
            if t in ("string", "translated_string"):
                return self._string(node, fr, names)
            if t == "concatenation":
                return self._join(
                    node.children, self._c(node.start_byte), self._c(node.end_byte), fr, names
                )
            if t == "expansion":
                return self._expansion(node, fr, names)
            if t in ("command_substitution", "process_substitution"):
                sub = Frame(fr.state, fr.cond, shared=True)
                self._block(node, sub)
                return None
            if t == "variable_assignment":
                name, value, append = self._assignment(node, fr, names)
                if value is None or not name:
                    return None
                return name + ("+=" if append else "=") + value
            if t in _STATEMENTS:
                self._stmt(node, fr)
                return None
            if node.child_count == 0:
                return self._text(node)
            # arithmetic, arrays, subscripts, anything new: not static, but walk it
            for child in node.children:
                if child.type in _STATEMENTS:
                    self._stmt(child, fr)
                else:
                    self._value(child, fr, names)
            return None
        finally:
            sh.depth -= 1

    def _string(self, node: Node, fr: Frame, names: list[str]) -> str | None:
        src = self.src
        start = self._c(node.start_byte)
        end = self._c(node.end_byte)
        lo = start + (2 if src.startswith('$"', start) else 1)
        last = node.children[-1] if node.child_count else None
        closed = (
            last is not None
            and last.type == '"'
            and not last.is_missing
            and end - 1 >= lo
            and src[end - 1 : end] == '"'
        )
        hi = end - 1 if closed else end
        out: list[str] = []
        known = True
        cur = lo
        for child in node.children:
            if child.type not in _ACTIVE:
                continue
            cs = self._c(child.start_byte)
            while src[cs : cs + 1].isspace():
                cs += 1  # tree-sitter-bash starts `" $A"`'s expansion at the blank
            if cs > cur:
                out.append(_unescape_dq(src[cur:cs]))
            value = self._value(child, fr, names)
            if value is None:
                known = False
            elif known:
                out.append(value)
            cur = max(cur, self._c(child.end_byte))
        if hi > cur:
            out.append(_unescape_dq(src[cur:hi]))
        return "".join(out) if known else None

    def _join(
        self, nodes: Sequence[Node], lo: int, hi: int, fr: Frame, names: list[str]
    ) -> str | None:
        """Concatenate pieces; text between them is unquoted literal text."""
        src = self.src
        out: list[str] = []
        known = True
        cur = lo
        skip = False
        for i, child in enumerate(nodes):
            if child.is_missing:
                continue
            cs = self._c(child.start_byte)
            ce = self._c(child.end_byte)
            if cs > cur:
                out.append(_unescape(src[cur:cs]))
            cur = max(cur, ce)
            if skip:
                skip = False
                continue
            value: str | None
            if child.type == "$" and i + 1 < len(nodes):
                following = nodes[i + 1]
                if following.type == "string":
                    continue
                value = "$"
                if following.type == "word" and following.start_byte == child.end_byte:
                    text = self._text(following)
                    found = self._dollar_name(text, fr, names)
                    if found is not None:
                        skip = True
                        cur = max(cur, self._c(following.end_byte))
                        value, used = found
                        if value is not None:
                            value += _unescape(text[used:])
            else:
                value = self._value(child, fr, names)
            if value is None:
                known = False
            elif known:
                out.append(value)
        if hi > cur:
            out.append(_unescape(src[cur:hi]))
        return "".join(out) if known else None

    def _expansion(self, node: Node, fr: Frame, names: list[str]) -> str | None:
        """`${...}`: plain, length and the default/alternative forms are static."""
        children = node.children
        prefix = ""
        name_node: Node | None = None
        op: str | None = None
        op_end = 0
        rest: list[Node] = []
        odd = False
        for child in children:
            t = child.type
            if t in ("${", "}") and not child.is_named:
                continue
            if name_node is None:
                if t in ("variable_name", "special_variable_name", "subscript"):
                    name_node = child
                elif not child.is_named and not prefix:
                    prefix = t
                else:
                    odd = True
                    rest.append(child)
            elif op is None and not child.is_named:
                op = t
                op_end = self._c(child.end_byte)
            elif op is None:
                odd = True
                rest.append(child)
            else:
                if not child.is_named:
                    odd = True
                rest.append(child)
        closing = children[-1] if children else None
        hi = (
            self._c(closing.start_byte)
            if closing is not None and closing.type == "}" and not closing.is_missing
            else self._c(node.end_byte)
        )
        name = self._text(name_node) if name_node is not None else ""
        if name_node is not None and name_node.type == "subscript":
            base = name_node.child_by_field_name("name")
            if base is not None:
                names.append(self._text(base))
            self._value(name_node, fr, [])
            odd = True
        elif IDENT.match(name):
            names.append(name)
        # the default/alternative word is walked even when not used: it may run commands
        alt: str | None = ""
        if rest:
            alt = self._join(rest, op_end if op is not None else hi, hi, fr, names)
        if odd or name_node is None:
            return None
        state = fr.state
        value = state.variables.get(name)
        is_set = value is not None
        unknown = not is_set and (name in state.unknown or not IDENT.match(name))
        if prefix == "#" and op is None:
            return str(len(value)) if value is not None else None
        if prefix:
            return None
        if op is None:
            return value
        if op in (":-", ":=", "-", "="):
            use_value = is_set and (op in ("-", "=") or value != "")
            if use_value:
                return value
            if unknown:
                return None
            if op in (":=", "="):
                set_var(fr.own(), name, alt)
            return alt
        if op in (":+", "+"):
            if unknown:
                return None
            if is_set and (op == "+" or value != ""):
                return alt
            return ""
        if op in (":?", "?"):
            return value if is_set and (op == "?" or value != "") else None
        return None

    # ----------------------------------------------------------------- effects

    def _nested(self, cmd: SimpleCommand, fr: Frame) -> None:
        """`bash -c BODY` and `eval ARGS`: analyse the string as a script of its own."""
        body_words = nested_body(cmd.words)
        if not body_words:
            return
        first = body_words[0]
        if self.nesting + 1 > self.sh.max_nesting:
            self.sh.errors.append(
                (first.start, f"bash -c nested deeper than {self.sh.max_nesting} levels")
            )
            return
        body = " ".join(w.value or "" for w in body_words)
        shift = 0
        fixed: tuple[int, int] | None = (first.start, body_words[-1].end)
        if self.fixed is None and len(body_words) == 1:
            raw = first.raw
            if body == raw:
                shift, fixed = first.start, None
            elif len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] and body == raw[1:-1]:
                shift, fixed = first.start + 1, None
            elif raw.startswith("$'") and raw.endswith("'") and body == raw[2:-1]:
                shift, fixed = first.start + 2, None
        elif self.fixed is not None:
            fixed = self.fixed
        inner = _Analyser(body, self.sh, self.nesting + 1, shift, fixed)
        self.sh.depth += 2  # the detour costs more Python frames than `_stmt` counts
        try:
            inner.run(Frame(fr.state, fr.cond, cmd.pipe_input, shared=True))
        finally:
            self.sh.depth -= 2


def _gap(gap: str, offset: int, cur: _Group | None, groups: list[_Group]) -> _Group | None:
    """Text tree-sitter left between two pieces: blanks, comments, escaped characters."""
    i, n = 0, len(gap)
    while i < n:
        ch = gap[i]
        if ch == "\\" and i + 1 < n:
            if gap[i + 1] != "\n":
                part = (None, gap[i + 1], offset + i, offset + i + 2)
                if cur is None:
                    cur = [part]
                    groups.append(cur)
                else:
                    cur.append(part)
            i += 2
        elif ch in _WHITESPACE:
            cur = None
            i += 1
        elif ch == "#" and cur is None:
            newline = gap.find("\n", i)
            i = n if newline < 0 else newline
        else:
            part = (None, ch, offset + i, offset + i + 1)
            if cur is None:
                cur = [part]
                groups.append(cur)
            else:
                cur.append(part)
            i += 1
    return cur


def _stack_depth() -> int:
    """How many Python frames are already in use, to size the nesting budget."""
    frame: FrameType | None = sys._getframe()
    depth = 0
    while frame is not None:
        frame = frame.f_back
        depth += 1
    return depth


def analyse(script: str, state: ShellState, *, max_nesting: int = 4) -> ShellResult:
    """List the simple commands `script` runs and the state it leaves behind.

    Never raises on malformed shell: tree-sitter's ERROR/MISSING nodes become
    entries in `errors` and every command that did parse is still reported.
    `state` is never changed; the result's state is `state` itself when the script
    leaves it as it was, so callers can tell a change by identity.
    """
    quick = quick_analysis(script, state)
    if quick is not None:
        return quick
    headroom = sys.getrecursionlimit() - _stack_depth() - 100
    budget = max(1, min(_MAX_DEPTH, headroom // _FRAMES_PER_LEVEL))
    shared = _Shared(max_nesting, budget)
    analyser = _Analyser(script, shared, 0, 0, None)
    # Nothing built here forms reference cycles; collecting while a megabyte of
    # commands piles up only costs time.
    frame = Frame(state, False, shared=True)  # copied on the first change only
    collecting = gc.isenabled()
    gc.disable()
    try:
        analyser.run(frame)
    except RecursionError:
        if not shared.too_deep:
            shared.errors.append((0, _DEPTH_MESSAGE))
    finally:
        if collecting:
            gc.enable()
    errors = sorted(shared.errors, key=lambda e: e[0])
    return ShellResult(tuple(shared.commands), tuple(errors), frame.state)
