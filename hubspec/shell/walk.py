"""Static analysis of one buildspec command string.

CodeBuild hands every entry of a `commands:` list to a shell, so the rules need to
know which simple commands a string runs, what their words are after quoting and
expansion, and which shell state (variables, working directory, functions) carries over to
the next entry. The string is parsed with tree-sitter-bash (`hubspec.shell.syntax`), never
with regexes, its words evaluated (`hubspec.shell.evaluate`) and its statements walked in
the order bash runs them (`hubspec.shell.control`); this module runs the simple commands:
their effect on the state (`hubspec.shell.state`), `bash -c` bodies and shell functions.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from types import FrameType

from hubspec.shell.control import MAX_RUNS, Statements
from hubspec.shell.evaluate import DEPTH_MESSAGE, Shared
from hubspec.shell.quick import quick_analysis
from hubspec.shell.state import (
    EFFECTFUL,
    IDENT,
    Frame,
    Function,
    ShellResult,
    ShellState,
    SimpleCommand,
    Word,
    add_writes,
    appended,
    apply_builtin,
    bind_arguments,
    make_command,
    nested_body,
    restore,
    save,
    set_var,
)
from hubspec.shell.syntax import (
    COMMANDS,
    REDIRECTS,
    Group,
    Node,
    is_reserved_word,
    written_files,
)

__all__ = ["ShellResult", "ShellState", "SimpleCommand", "Word", "analyse"]

_FRAMES_PER_LEVEL = 3  # worst-case Python frames per unit of `Shared.depth`
_MAX_DEPTH = 300
_MAX_CALLS = 8  # function calls inside function calls: recursion stops here
_LOCAL = frozenset({"local", "declare", "typeset"})  # in a function, these make locals


class _Analyser(Statements):
    """Runs the simple commands of one script (or one `bash -c` or function body)."""

    def _command(self, node: Node, redir: Node | None, fr: Frame) -> None:
        """Evaluate and report one simple command, then apply its effect on the state."""
        parts = self._command_parts(node, redir)
        groups = parts.groups
        conts = parts.conts
        assignments = self._prefix(parts.prefix, fr, parts.glued) if parts.prefix else ()
        words = tuple([self._eval_group(g, fr) for g in groups])
        writes = self._writes(parts.targets, parts.operators, fr)
        for other in parts.scans:
            self._scan(other, fr)
        for other in parts.bad:
            self._stmt_or_scan(other, fr)

        if words and is_reserved_word(groups[0], words[0].raw):
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

        if self.fixed is None:
            start = self._c(parts.start) + self.shift
            end = self._c(parts.end) + self.shift
        else:
            start, end = self.fixed
        cmd = make_command(
            words, assignments, start, end, fr.cond, fr.pipe, self.nesting, fr.state.cwd, writes
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

    def _redirected(self, node: Node, fr: Frame) -> None:
        """A statement with redirections (`{ a; b; } > f`, or `a | b > f` as tree-sitter-bash
        reads it): the targets evaluated, the files written given to a command in it."""
        body = node.child_by_field_name("body")
        if body is not None and body.type in COMMANDS:
            self._command(body, node, fr)
            return
        targets: list[Group] = []
        operators: list[str] = []
        extras: list[Group] = []
        scans: list[Node] = []
        conts: list[Node] = []
        for child in node.children:
            if child == body or child.type == "comment":
                continue
            if child.type in REDIRECTS:
                self._redirect_parts(child, targets, operators, extras, scans, conts)
            elif child.is_named:
                scans.append(child)
        writes = self._writes(targets, operators, fr)
        for group in extras:
            self._eval_group(group, fr)
        for other in scans:
            self._scan(other, fr)
        if body is not None:
            first = len(self.sh.commands)
            self._stmt(body, fr)
            if writes and len(self.sh.commands) > first:
                add_writes(self._writer(body, first), writes)
        self._continuations(conts, fr)

    def _writer(self, body: Node, first: int) -> SimpleCommand:
        """The command a redirection around `body` belongs to: the last one of `a | b > f`
        and `a && b > f` (tree-sitter-bash hangs the redirection on the whole), else the
        first of a compound command (`{ a; b; } > f` writes the file before `a` runs)."""
        stages = [child for child in body.named_children if child.type != "comment"]
        if body.type in ("pipeline", "list") and stages and stages[-1].type in COMMANDS:
            return self.sh.commands[-1]
        return self.sh.commands[first]

    def _writes(
        self, targets: Sequence[Group], operators: Sequence[str], fr: Frame
    ) -> tuple[tuple[str, str | None], ...]:
        """Evaluate redirection targets (their substitutions run); the files they write."""
        return written_files(
            (operator, self._eval_group(group, fr).value)
            for group, operator in zip(targets, operators, strict=True)
        )

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

    def _assignment(
        self,
        node: Node,
        fr: Frame,
        names: list[str] | None = None,
        tail: Sequence[Node] = (),
    ) -> tuple[str, str | None, bool]:
        """Name, expanded value and whether it is `+=` of one `NAME=value`.

        `tail` holds the pieces tree-sitter-bash cut off the value (see `cut_after_dollar`).
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
        if sh.calls >= _MAX_CALLS or sh.runs >= MAX_RUNS:
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
    shared = Shared(max_nesting, budget)
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
            shared.errors.append((0, DEPTH_MESSAGE))
    finally:
        if collecting:
            gc.enable()
    errors = sorted(shared.errors, key=lambda e: e[0])
    return ShellResult(tuple(shared.commands), tuple(errors), frame.state)
