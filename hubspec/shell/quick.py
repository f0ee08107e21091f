"""Commands read without a parse: one-line lists of simple commands.

Most buildspec commands are one line of simple commands: `npm ci`, `docker push $REPO:$TAG`,
`cd app && make`, `aws ecr get-login-password | docker login ...`, `TAG=$(git rev-parse HEAD)`.
Their words follow from the text alone, so `quick_analysis` reads them without tree-sitter
and gives exactly what the walk in `hubspec.shell.walk` gives, or None when the script is anything
else. tests/test_shell.py compares the two on generated commands and on every corpus command.

The subset: words of plain characters, `$NAME`, `${NAME}`, single-quoted text, double-quoted
text with those expansions, and command substitutions `$(...)` / `` `...` `` of the same
(one level deep); commands joined by `|`, `&&`, `||` and `;`; `NAME=word` assignments;
builtins that change the state (`export`, `cd`, `unset`, `read`...) through the rules the
walk uses (`hubspec.shell.state.apply_builtin`); redirections at the end of a statement's
first command (`printf ... > imagedefinitions.json`). No backslashes, globs, tabs, line
breaks, or scripts of their own (`bash -c`, `eval`), and no command when the state holds a
function (any name may call it). What tree-sitter-bash misreads in such commands is named in
`hubspec.shell.syntax` (its "misreadings"), and left to the walk.

It pays: over the 2,882 commands of the corpus the shell analysis takes about half the time
with it, and the in-process lint of the whole corpus about a fifth less (issue 15's note).
"""

from __future__ import annotations

import re

from hubspec.shell.output import may_print
from hubspec.shell.state import (
    DECLARATIONS,
    EFFECTFUL,
    Frame,
    ShellResult,
    ShellState,
    SimpleCommand,
    Word,
    apply_builtin,
    make_command,
    make_word,
    nested_body,
    run_pipeline,
    set_var,
)
from hubspec.shell.syntax import (
    COMMAND_NAME,
    DECLARATION_ODDITY,
    DECLARED,
    DECLARED_NAME,
    TEST_OPERATOR_START,
    may_cut_after_dollar,
    misreads_backquotes,
    misreads_prefixed_name,
    misreads_redirect,
    written_files,
)

__all__ = ["quick_analysis"]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*+"
_VARIABLE = rf"\$(?:{_NAME}|\{{{_NAME}\}})"
_PLAIN = r"[A-Za-z0-9_./:@%+,=-]"
_SINGLE_QUOTED = r"'[ -&(-_a-~]*+'"
"""Printable ASCII but the quote and '`' (which ends a backquote substitution)."""
_DQ_TEXT = r"[ !#%-\[\]-_a-~]"
"""Printable ASCII but '"', '$', '\\' and '`': text that stands for itself in double quotes."""
_OPERATOR = r"&&|\|\||[|;]"
_INNER_DOUBLE_QUOTED = rf"\"(?:{_DQ_TEXT}++|{_VARIABLE})*+\""
_INNER = rf"(?:{_PLAIN}++|{_VARIABLE}|{_SINGLE_QUOTED}|{_INNER_DOUBLE_QUOTED}| ++|{_OPERATOR})*+"
_INNER_UNQUOTED = rf"(?:{_PLAIN}++|{_VARIABLE}|{_SINGLE_QUOTED}| ++|{_OPERATOR})*+"
_SUBSTITUTION = rf"\$\({_INNER}\)|`{_INNER}`"
_QUOTED_SUBSTITUTION = rf"\$\({_INNER_UNQUOTED}\)|`{_INNER_UNQUOTED}`"
"""Inside double quotes, a substitution holds no double quotes of its own."""
_DOUBLE_QUOTED_PIECE = re.compile(rf"{_DQ_TEXT}++|{_QUOTED_SUBSTITUTION}|{_VARIABLE}")
_DOUBLE_QUOTED = rf"\"(?:{_DQ_TEXT}++|{_QUOTED_SUBSTITUTION}|{_VARIABLE})*+\""
_VARIABLES = re.compile(rf"\$(?:({_NAME})|\{{({_NAME})\}})")
"""`$NAME` or `${NAME}`, the name in one of two groups (for `re.split`)."""
_PART = re.compile(rf"{_PLAIN}++|{_SUBSTITUTION}|{_VARIABLE}|{_SINGLE_QUOTED}|{_DOUBLE_QUOTED}")
_WORD = rf"(?:{_PART.pattern})++"
_REDIRECT = r"[0-9]?+(?:>>|>&|<&|[<>])|&>>?+"
"""`> f`, `>> f`, `2>&1`, `< f`, `&> f`: the word after one is its target."""
_TOKEN = re.compile(rf"(?P<blank> ++)|(?P<operator>{_OPERATOR})|(?P<redirect>{_REDIRECT})|{_WORD}")
"""A script of the subset is a run of these tokens with nothing between them (`run_list`)."""
_SIMPLE_WORD = re.compile(rf"(?:{_PLAIN}++|{_VARIABLE}|{_SINGLE_QUOTED}|{_INNER_DOUBLE_QUOTED})++")
_ONE_COMMAND = re.compile(rf" *+{_SIMPLE_WORD.pattern}(?: ++{_SIMPLE_WORD.pattern})*+ *+")
"""A script without operators or substitutions (`_one_command`): words between blanks."""

_PLAIN_COMMAND = re.compile(
    r" *+(?P<name>[A-Za-z0-9_.][A-Za-z0-9_.:+,-]*+)"
    r"(?: ++[A-Za-z0-9_./:@%+,-][A-Za-z0-9_./:@%+,=-]*+)*+ *+"
)
"""The most common script, `npm ci`: a literal command name (`COMMAND_NAME` without '/')
and literal words, none starting with '=' (a test operator to tree-sitter-bash)."""
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*+=")
_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for"}
    | {"in", "function", "select", "time", "coproc", "{", "}", "!", "[[", "]]"}
)
_NOT_PLAIN = _KEYWORDS | EFFECTFUL
"""Names a `_PLAIN_COMMAND` cannot have: keywords, and builtins that change the state."""

Span = tuple[int, int]


class _NotQuick(Exception):
    """The script leaves the subset after all: the walk has to analyse it."""


def quick_analysis(script: str, state: ShellState) -> ShellResult | None:
    """`hubspec.shell.walk.analyse(script, state)` for a script of the subset, else None."""
    if not script.isascii() or state.functions:
        return None  # any command may call a function
    plain = _PLAIN_COMMAND.fullmatch(script)
    if plain is not None and plain.group("name") not in _NOT_PLAIN:
        return ShellResult((_plain_command(script, state.cwd),), (), state)
    one_command = _one_command(script)
    if one_command:
        if _ONE_COMMAND.fullmatch(script) is None:
            return None
    elif misreads_backquotes(script):
        return None
    reader = _Reader(script)
    frame = Frame(state, False, None, shared=True)  # copied on the first change only
    try:
        if one_command:
            reader.command(_word_spans(script), frame)
        else:
            reader.run_list(0, len(script), frame)
    except _NotQuick:
        return None
    return ShellResult(tuple(reader.commands), (), frame.state)


def _plain_command(script: str, cwd: str) -> SimpleCommand:
    """The command of a `_PLAIN_COMMAND` script: its words are their text."""
    words: list[Word] = []
    position = 0
    for piece in script.split(" "):
        if piece:
            words.append(make_word(piece, piece, position, position + len(piece), ()))
        position += len(piece) + 1
    return make_command(tuple(words), (), words[0].start, words[-1].end, False, None, 0, cwd)


def _word_spans(script: str) -> list[Span]:
    """Where the words of one command are: between blanks, unless quotes may hold blanks."""
    if "'" in script or '"' in script:
        return [word.span() for word in _SIMPLE_WORD.finditer(script)]
    spans: list[Span] = []
    position = 0
    for piece in script.split(" "):
        if piece:
            spans.append((position, position + len(piece)))
        position += len(piece) + 1
    return spans


class _Reader:
    """Runs the commands of a script of the subset in order, as the walk does."""

    __slots__ = ("commands", "ends", "literal", "redirects", "script")

    def __init__(self, script: str) -> None:
        self.script = script
        self.literal = _literal(script)
        self.commands: list[SimpleCommand] = []
        self.ends: dict[int, int] = {}
        """Where a redirected command's text ends, by the id of its list of word spans."""
        self.redirects: dict[int, list[tuple[str, Span]]] = {}
        """A redirected command's operators and target words, by the id of its word spans."""

    def run_list(self, start: int, end: int, frame: Frame) -> None:
        """Statements split by ';', each pipelines joined by '&&' / '||', each commands by '|'."""
        statements: list[list[list[list[Span]]]] = [[[[]]]]
        position = start
        redirected: list[Span] | None = None  # the command whose redirection wants a target
        redirect_operator = ""  # that redirection's operator
        closed = False  # the command's words are over: redirections end it
        for token in _TOKEN.finditer(self.script, start, end):
            if token.start() != position:
                raise _NotQuick  # text that is no token of the subset
            position = token.end()
            kind = token.lastgroup
            if kind == "blank":
                continue
            if kind is None:  # a word
                if redirected is not None:
                    target = token.group()
                    if target[0] == "-" or "`" in target or "$(" in target:
                        raise _NotQuick  # `>&-`; a target's substitution runs after the words
                    # `> file`: not a word of the command, but part of its text
                    self.ends[id(redirected)] = position
                    self.redirects.setdefault(id(redirected), []).append(
                        (redirect_operator, token.span())
                    )
                    redirected = None
                elif closed:
                    raise _NotQuick  # a word after a redirection
                else:
                    statements[-1][-1][-1].append(token.span())
                continue
            if redirected is not None or not statements[-1][-1][-1]:
                # a redirection without a target, an operator with no command before it,
                # or a redirection before the command name (left to the walk)
                raise _NotQuick
            if kind == "redirect":
                last_start, last_end = statements[-1][-1][-1][-1]
                in_list = len(statements[-1]) > 1 or len(statements[-1][-1]) > 1
                before = self.script[token.start() - 1]
                if misreads_redirect(in_list, before, self.script[last_start:last_end]):
                    raise _NotQuick
                redirected = statements[-1][-1][-1]
                redirect_operator = token.group()
                closed = True
                continue
            closed = False
            operator = token.group()
            if operator == ";":
                statements.append([[[]]])
            elif operator == "|":
                statements[-1][-1].append([])
            else:
                statements[-1].append([[]])
        if position != end or not statements[-1][-1][-1] or redirected is not None:
            raise _NotQuick  # text left over, or nothing after the last operator
        for pipelines in statements:
            saved = frame.cond
            for index, pipeline in enumerate(pipelines):
                # after `&&` or `||` a command may not run
                frame.cond = saved or index > 0
                self._pipeline(pipeline, frame)
            frame.cond = saved

    def _pipeline(self, commands: list[list[Span]], frame: Frame) -> None:
        if len(commands) == 1:
            self.command(commands[0], frame)
        else:
            run_pipeline(commands, frame, frame.pipe, self.command)

    def command(self, spans: list[Span], frame: Frame) -> None:
        script = self.script
        count = len(spans)
        prefix = 0
        while prefix < count and _ASSIGNMENT.match(script, spans[prefix][0]) is not None:
            prefix += 1
        if prefix > 1 and may_cut_after_dollar(script[spans[0][0] : spans[prefix - 2][1]]):
            raise _NotQuick
        command_end = spans[-1][1]
        if self.ends and id(spans) in self.ends:
            command_end = max(command_end, self.ends[id(spans)])
        if prefix == count:
            if command_end != spans[-1][1]:
                raise _NotQuick  # `A=1 > f`: left to the walk
            # `A=1 B=$A`: no command runs; each assignment sees the ones before it
            for start, end in spans:
                equals = script.index("=", start)
                value = self._word(equals + 1, end, frame).value
                set_var(frame.own(), script[start:equals], value)
            return
        name_start, name_end = spans[prefix]
        name = script[name_start:name_end]
        literal_name = COMMAND_NAME.fullmatch(name) is not None
        if literal_name:
            if name in _KEYWORDS:
                raise _NotQuick
            if prefix and (misreads_prefixed_name(name) or (name in EFFECTFUL and name != "cd")):
                raise _NotQuick  # `A=1 export B=$A` and the like are left to the walk
        elif prefix or not _is_substitution(name):
            raise _NotQuick
        for start, _ in spans[prefix + 1 :]:
            if script[start] == TEST_OPERATOR_START:
                raise _NotQuick
        if name in DECLARATIONS:
            for start, end in spans[prefix + 1 :]:
                if DECLARATION_ODDITY.search(script, start, end) or (
                    DECLARED_NAME.match(script, start)
                    and not DECLARED.fullmatch(script, start, end)
                ):
                    raise _NotQuick
        assignments: list[tuple[str, str | None]] = []
        if prefix:
            # `A=1 B=$A make`: B sees A, make's words see neither
            several = prefix > 1
            scratch = (
                Frame(frame.state.copy(), frame.cond, None, shared=False) if several else frame
            )
            for start, end in spans[:prefix]:
                equals = script.index("=", start)
                assigned = script[start:equals]
                value = self._word(equals + 1, end, scratch).value
                if several:
                    set_var(scratch.state, assigned, value)
                assignments.append((assigned, value))
        words: list[Word] = []
        literal = self.literal
        for start, end in spans[prefix:]:
            if literal:
                raw = script[start:end]
                words.append(make_word(raw, raw, start, end, ()))
            else:
                words.append(self._word(start, end, frame))
        writes = written_files(
            (operator, self._word(start, end, frame).value)
            for operator, (start, end) in self.redirects.get(id(spans), ())
        )
        command = make_command(
            tuple(words),
            tuple(assignments),
            spans[0][0],
            command_end,
            frame.cond,
            frame.pipe,
            0,
            frame.state.cwd,
            writes,
        )
        frame.pipe = None
        frame.last = command
        self.commands.append(command)
        if literal_name and (name in EFFECTFUL or "/" in name):
            if nested_body(words) is not None:
                raise _NotQuick  # `bash -c "..."`, `eval ...`: a script of its own
            apply_builtin(words, frame)

    def _word(self, start: int, end: int, frame: Frame) -> Word:
        """A word: quotes removed, variables expanded (None if not known), substitutions run."""
        script = self.script
        raw = script[start:end]
        if _literal(raw):
            return make_word(raw, raw, start, end, ())
        variables = frame.state.variables
        out: list[str] = []
        names: list[str] = []
        known = True
        if "'" not in raw and '"' not in raw and "`" not in raw and "$(" not in raw:
            # plain text and variables only (`$REPO:$TAG`): split, no match objects
            split = _VARIABLES.split(raw)
            out.append(split[0])
            for index in range(1, len(split), 3):
                if not _expand(split[index] or split[index + 1], variables, names, out):
                    known = False
                out.append(split[index + 2])
            value_text = "".join(out) if known else None
            return make_word(value_text, raw, start, end, tuple(dict.fromkeys(names)))
        for part in _PART.finditer(script, start, end):
            text = part.group()
            first = text[0]
            if first == "'":
                out.append(text[1:-1])
                continue
            if first == '"':
                pieces = _DOUBLE_QUOTED_PIECE.finditer(script, part.start() + 1, part.end() - 1)
            elif first == "$" or first == "`":
                pieces = iter((part,))
            else:
                out.append(text)
                continue
            for piece in pieces:
                text = piece.group()
                first = text[0]
                if first == "`" or text[:2] == "$(":
                    self._substitution(piece.start(), piece.end(), frame)
                    known = False
                elif first == "$":
                    name = text[2:-1] if text[1] == "{" else text[1:]
                    if not _expand(name, variables, names, out):
                        known = False
                else:
                    out.append(text)
        value_text = "".join(out) if known else None
        return make_word(value_text, raw, start, end, tuple(dict.fromkeys(names)))

    def _substitution(self, start: int, end: int, frame: Frame) -> None:
        """Run the commands of `$(...)` or `` `...` `` in a subshell of the frame.

        Its output is unknown here; one that may be known (`$(pwd)`, `$(dirname "$X")`:
        `shell.output`) is the walk's to read, with the statements' shapes it sees.
        """
        opening = 1 if self.script[start] == "`" else 2
        before = len(self.commands)
        self.run_list(start + opening, end - 1, Frame(frame.state, frame.cond, None, shared=True))
        if len(self.commands) > before and may_print(self.commands[-1]):
            raise _NotQuick


def _expand(name: str, variables: dict[str, str], names: list[str], out: list[str]) -> bool:
    """`$NAME` in a word: recorded in `names`, its value added to `out`; False if unknown."""
    names.append(name)
    value = variables.get(name)
    if value is None:
        return False
    out.append(value)
    return True


def _literal(text: str) -> bool:
    """No quotes, expansions or substitutions: the words in `text` are their text."""
    return "$" not in text and "'" not in text and '"' not in text and "`" not in text


def _one_command(script: str) -> bool:
    """No operator, redirection or substitution: the script is one command."""
    return (
        "|" not in script
        and "&" not in script
        and ";" not in script
        and "`" not in script
        and "(" not in script
        and ">" not in script
        and "<" not in script
    )


def _is_substitution(word: str) -> bool:
    """Whether the word is one command substitution and nothing else (`$(aws ecr get-login)`)."""
    if not word.startswith(("$(", "`")):
        return False
    part = _PART.match(word)
    return part is not None and part.end() == len(word)
