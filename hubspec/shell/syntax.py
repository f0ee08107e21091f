"""tree-sitter-bash: a script's parse, and every workaround for what the grammar misreads.

Takes one script's text; hands on its tree, its syntax errors, byte-to-character offsets, and
simple commands cut into words (each a `Group` of pieces) for `hubspec.shell.evaluate`. The
grammar's misreadings are mended here, once: a value cut after its `$` (`cut_after_dollar`),
words hung onto redirections and heredocs, lists nested into a pipeline's last stage, the
blank a double-quoted expansion starts with, and characters that crash the parser.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence

import tree_sitter

from hubspec.shell.quoting import unescape
from hubspec.shell.state import IDENT

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


# --------------------------------------------------------------------------- node types

STATEMENTS = frozenset(
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
COMMANDS = frozenset({"command", "declaration_command", "unset_command", "test_command"})
REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
# Children of a double-quoted string that are expanded; the rest is literal text.
ACTIVE = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
    }
)
# Tokens that stand for themselves when they appear as (part of) a word.
LITERAL = frozenset(
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
TEST_WORDS = frozenset(
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
    | LITERAL
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
RESERVED = frozenset({"then", "else", "elif", "fi", "do", "done", "esac", "}"})
_QUOTES = ("'", '"', "`", "$'", '$"')
# Anonymous tokens after which, inside an ERROR node, commands may not run.
COND_TOKENS = frozenset({"then", "else", "elif", "do", "&&", "||", "in", "{", ")"})
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WHITESPACE = " \t\n\r"

# --------------------------------------------------------------------------- workarounds


def cut_after_dollar(assignment: Node, following: Node) -> bool:
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
_UNSAFE_FOR_PARSER = "[\U00010000-\U0010ffff\ud800-\udfff]"
"""Compiled (and cached by `re`) for the first script that is not ASCII (0.25 ms)."""


def _same_width_stand_in(match: re.Match[str]) -> str:
    return "\u00a4\u00a4" if ord(match.group()) > 0xFFFF else "\u2591"


def _parser_bytes(script: str) -> bytes:
    if script.isascii():
        return script.encode("ascii")
    return re.sub(_UNSAFE_FOR_PARSER, _same_width_stand_in, script).encode("utf-8")


_PARAMETER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]")


def glued_dollar(
    text: str | None, variables: Mapping[str, str], names: list[str]
) -> tuple[str | None, bool]:
    """A lone `$` piece, and the word glued right after it (`text`; None if none).

    tree-sitter-bash parses `$A.b.$B.c` as `$A.b.$` + `B.c`: the two are the expansion `$B`
    and the text `.c`. Returns the value (None if not known) and whether the word was used
    up; a name it reads is added to `names`.
    """
    match = None if text is None else _PARAMETER.match(text)
    if text is None or match is None:
        return "$", False
    name = match.group()
    if IDENT.match(name):
        names.append(name)
    value = variables.get(name)
    return (None if value is None else value + unescape(text[match.end() :])), True


def is_reserved_word(group: Group, raw: str) -> bool:
    """A command word tree-sitter took for a command name though bash reserves it (`fi`)."""
    return raw in RESERVED and group[0][1] == "word"


def string_piece_start(src: str, start: int) -> int:
    """Where a double-quoted expansion starts: tree-sitter-bash starts `" $A"`'s at the blank."""
    while src[start : start + 1].isspace():
        start += 1
    return start


# --------------------------------------------------------------------------- misreadings
# What tree-sitter-bash reads differently from bash in one-line commands. The walk mends these
# (above) or reports them; the quick reader (`hubspec.shell.quick`) reads common commands
# without the grammar, so it leaves every text named here to the walk.

COMMAND_NAME = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./:+,-]*+")
"""A literal command name as tree-sitter-bash reads one: no '=' (an assignment), no '@' or
'%' (it splits `a@b`), and a first character it starts a command with (`- a=b` is none)."""
DECLARED_NAME = re.compile(r"[A-Za-z_]")
DECLARED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*+(?:\+?=.*+)?+")
"""What `export`/`declare`... may take that starts with a name: a name or an assignment."""
DECLARATION_ODDITY = re.compile(r"[@%]")
"""tree-sitter-bash reads `export --a@b` or `local @x%s` as syntax errors."""
TEST_OPERATOR_START = "="
"""An argument starting with '=' (`==`, `=x`) is a test operator to tree-sitter-bash."""


def misreads_backquotes(script: str) -> bool:
    """tree-sitter-bash reads `` `a` `b` `` as one substitution, `A=|b` as an error, and
    `A=b`c`|d` as the command `c` after `A=b`."""
    return (
        script.count("`") > 2
        or "=|" in script
        or "`|" in script
        or "`&" in script
        or "`;" in script
    )


_WRITING_OPERATORS = frozenset({">", ">>", "&>", "&>>", ">|", ">&"})


def written_files(
    redirections: Iterable[tuple[str, str | None]],
) -> tuple[tuple[str, str | None], ...]:
    """The (operator, target) redirections that write the file their target names: `> f`,
    `>> f`, `2> f`, `&> f`, `>| f`, and `>&f` unless its target is a descriptor (`2>&1`,
    `>&-`, `>&$FD`). Every redirection is taken, in order (evaluating a target may run
    substitutions)."""
    found: list[tuple[str, str | None]] = []
    for operator, target in redirections:
        plain = operator.lstrip("0123456789")
        if plain in _WRITING_OPERATORS and (
            plain != ">&" or not (target is None or target == "-" or target.isdigit())
        ):
            found.append((operator, target))
    return tuple(found)


def misreads_redirect(in_list: bool, before: str, previous_word: str) -> bool:
    """tree-sitter-bash hangs `a && b > f` and `a | b > f` on the whole list, reads `@2>&1` as
    an error and drops the `-` of `a - 2>&1`."""
    return in_list or before != " " or previous_word == "-"


def may_cut_after_dollar(values: str) -> bool:
    """Whether tree-sitter-bash may cut a prefix assignment before the last after a `$`
    (`cut_after_dollar`): the walk mends the last one only."""
    return "$" in values


def misreads_prefixed_name(name: str) -> bool:
    """tree-sitter-bash reads `A=1 a:b` as an assignment and a stray `a`."""
    return ":" in name


# One word before evaluation: its parts in order, each (node, type, start, end) in
# characters, or (None, text, start, end) for literal text found between nodes.
Part = tuple[Node | None, str, int, int]
Group = list[Part]


class CommandParts:
    """A simple command cut up: argv words, and what else runs or is read around it.

    A plain class: as a NamedTuple it was the one thing left that ran the compiler while
    hubspec starts (nine forward references and a constructor), and a process's first
    `compile` costs 2 ms or more before any work.
    """

    __slots__ = (
        "bad",
        "conts",
        "end",
        "glued",
        "groups",
        "operators",
        "prefix",
        "scans",
        "start",
        "targets",
    )

    def __init__(
        self,
        groups: list[Group],
        targets: list[Group],
        operators: list[str],
        scans: list[Node],
        bad: list[Node],
        conts: list[Node],
        prefix: list[Node],
        glued: list[Node],
        start: int,
        end: int,
    ) -> None:
        self.groups = groups  # the argv words
        self.targets = targets  # redirection targets: evaluated, not words
        self.operators = operators  # each target's operator (`>`, `2>`, `<`, `>&`)
        self.scans = scans  # heredoc bodies and such: their substitutions run
        self.bad = bad  # ERROR nodes and strays: walked for what they run
        self.conts = conts  # pipelines and lists tree-sitter hangs onto a heredoc
        self.prefix = prefix  # `NAME=value` before the command name
        self.glued = glued  # the rest of the last prefix value, cut off after its `$`
        self.start = start  # bytes
        self.end = end


class Syntax:
    """One script and its offsets: byte offsets (tree-sitter) to characters (callers)."""

    def __init__(
        self, script: str, errors: list[tuple[int, str]], shift: int, fixed: tuple[int, int] | None
    ) -> None:
        self.src = script
        self.data = _parser_bytes(script)
        self.errors = errors
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
        self.errors.append((self._span(char_offset, char_offset)[0], message))

    def parse(self, *, errors: bool = True) -> Node:
        """The tree of the script; its syntax errors reported unless `errors` is False."""
        root = _parser().parse(self.data).root_node
        self.broken = root.has_error
        if errors:
            collect_errors(self, root)
        return root

    def _pipeline_parts(self, node: Node) -> tuple[list[Node], list[Node]]:
        """A pipeline's stages, and the statements tree-sitter-bash nested into its last stage.

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
        return stages, following

    def _command_parts(self, node: Node, redir: Node | None) -> CommandParts:
        """Cut a simple command (and the redirections around it) into words and the rest."""
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
                    if prefix and cut_after_dollar(prefix[-1], child):
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
                elif ct in REDIRECTS:
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
                if ct in REDIRECTS:
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
                if ct in REDIRECTS:
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
        targets: list[Group] = []
        operators: list[str] = []
        scans: list[Node] = []
        if redirects:
            extras: list[Group] = []
            for r in redirects:
                self._redirect_parts(r, targets, operators, extras, scans, conts)
            groups.extend(extras)
        first_b = node.start_byte if redir is None else min(node.start_byte, redir.start_byte)
        return CommandParts(
            groups, targets, operators, scans, bad, conts, prefix, glued, first_b, end_b
        )

    def _redirect_parts(
        self,
        node: Node,
        targets: list[Group],
        operators: list[str],
        extras: list[Group],
        scans: list[Node],
        conts: list[Node],
    ) -> None:
        """Split a redirection into its target (and operator), stray argv words and what
        follows a heredoc."""
        t = node.type
        if t == "file_redirect":
            dests: list[Node | None] = []
            descriptor = operator = ""
            for child in node.children:
                if child.type == "concatenation":
                    # parts, not a whole: `$A.b.$B.c` may be cut after its `$`
                    dests.extend(child.children)
                elif child.type == "file_descriptor":
                    descriptor = self.data[child.start_byte : child.end_byte].decode()
                elif child.is_named:
                    dests.append(child)
                elif not operator:
                    operator = child.type
            groups = self._group(dests)
            if groups:
                # tree-sitter hangs words after `2>&1 word` onto the redirect; bash
                # gives them to the command.
                targets.append(groups[0])
                operators.append(descriptor + operator)
                extras.extend(groups[1:])
        elif t == "heredoc_redirect":
            for child in node.children:
                ct = child.type
                if ct in REDIRECTS:
                    self._redirect_parts(child, targets, operators, extras, scans, conts)
                elif ct == "heredoc_body":
                    scans.append(child)
                elif ct in STATEMENTS:
                    conts.append(child)
                elif child.is_named and ct not in ("heredoc_start", "heredoc_end", "comment"):
                    scans.append(child)
        else:
            scans.append(node)

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
            if t in REDIRECTS:
                items.append(None)
                redirects.append(child)
            elif t == "ERROR":
                items.append(None)
                bad.append(child)
            elif t in TEST_WORDS:
                items.append(child)
            elif not child.is_named:
                # operators are words of their own even when written without blanks
                items.extend((None, child, None))
            elif t != "comment":
                stack.extend(reversed(child.children))

    # ----------------------------------------------------------------- words

    def _group(self, items: Sequence[Node | None]) -> list[Group]:
        """Join adjacent pieces into words; blanks separate, backslash-newline joins."""
        src = self.src
        to_char = None if self.ascii else self._c
        groups: list[Group] = []
        cur: Group | None = None
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


def collect_errors(self: Syntax, root: Node) -> None:
    """Report every ERROR / MISSING node; iterative so deep trees are fine."""
    if not root.has_error:
        return
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error:
            _error_message(self, node)
        elif node.is_missing:
            missing = "a command word" if node.type == "word" else f"'{node.type}'"
            self._error(self._c(node.start_byte), f"syntax error: missing {missing}")
        elif node.has_error:
            stack.extend(reversed(node.children))


def _error_message(self: Syntax, node: Node) -> None:
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
            elif t == "word" and text in RESERVED and stray is None:
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


def _gap(gap: str, offset: int, cur: Group | None, groups: list[Group]) -> Group | None:
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
