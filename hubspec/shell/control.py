"""Control flow: statements in the order bash runs them, and whether each surely runs.

Takes the tree of one script; hands each simple command, with the frame it runs in, to
`_command` (the walker subclass) and keeps `Frame.cond` (may not run), pipelines, subshells,
`if`/`case`/loops and what tree-sitter-bash could not parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hubspec.shell.evaluate import Evaluator
from hubspec.shell.quoting import split_fields
from hubspec.shell.state import Frame, SimpleCommand, arguments, run_pipeline, set_var
from hubspec.shell.syntax import COMMANDS, COND_TOKENS, STATEMENTS, Node

MAX_RUNS = 1000  # loop and function bodies one analysis runs at most
SPLIT = frozenset({"simple_expansion", "expansion", "command_substitution"})  # split by IFS
_ALL_ARGUMENTS = frozenset({'"$@"', "$@", '"${@}"', "${@}"})  # one word per argument
_PATTERN = re.compile(r"[*?\[{]")  # a glob or a brace expansion: not known statically


class Statements(Evaluator):
    """Walks the statements of one script (or one `bash -c` or function body) in order."""

    def _command(self, node: Node, redir: Node | None, fr: Frame) -> None:
        raise NotImplementedError  # simple commands: the walker subclass

    def _define(self, node: Node, fr: Frame) -> None:
        raise NotImplementedError

    def _stmt_or_scan(self, node: Node, fr: Frame) -> None:
        if node.type in STATEMENTS:
            self._stmt(node, fr)
        else:
            self._scan(node, fr)

    def run(self, fr: Frame, *, errors: bool = True) -> None:
        """Walk the whole script in `fr`; syntax errors reported unless `errors` is False."""
        self._block(self.parse(errors=errors), fr)

    def _stmt(self, node: Node, fr: Frame) -> None:
        sh = self.sh
        sh.depth += 1
        try:
            if sh.depth > sh.budget:
                self._too_deep(node)
                return
            t = node.type
            if t in COMMANDS:
                self._command(node, None, fr)
            elif t == "redirected_statement":
                self._redirected(node, fr)
            elif t == "variable_assignment":
                name, value, append = self._assignment(node, fr)
                if name:
                    set_var(fr.own(), name, value, append)
            elif t == "variable_assignments":
                for child in node.named_children:
                    if child.type == "variable_assignment":
                        name, value, append = self._assignment(child, fr)
                        if name:
                            set_var(fr.own(), name, value, append)
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
            if t in STATEMENTS:
                self._stmt(child, fr)
            elif t != "comment":
                self._scan(child, fr)

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
        """A pipeline; what follows `&&`/`||` after its last stage runs in the shell itself."""
        stages, following = self._pipeline_parts(node)
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
            if child.type in STATEMENTS:
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
            elif t in STATEMENTS and node.type == "while_statement":
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
        words = self._fields(values, fr) if has_in else arguments(fr.state)
        name = self._text(variable) if variable is not None else ""
        saved = fr.cond
        if words is None or self.sh.runs + len(words) > MAX_RUNS:
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
        known = state.variables.get("IFS", " \t\n") == " \t\n" and "IFS" not in state.unknown
        fields: list[str] = []
        for group in self._group(items):
            raw = self.src[group[0][2] : group[-1][3]]
            if raw in _ALL_ARGUMENTS:
                listed = arguments(state)
                if listed is None:
                    known = False
                    continue
                quoted = raw.startswith('"')
                for argument in listed:
                    fields.extend([argument] if quoted else split_fields([(argument, True)]))
                continue
            segments: list[tuple[str, bool]] = []
            for node, t, s, e in group:
                text = t if node is None else self._value(node, fr, [])
                if text is None or t == "$" or not known:
                    known = False
                    continue
                unquoted = node is None or t in SPLIT or t == "word"
                if unquoted and _PATTERN.search(self.src[s:e] if t == "word" else text):
                    known = False
                    continue
                segments.append((text, t in SPLIT))
            fields.extend(split_fields(segments))
        return fields if known else None

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
                if t in COND_TOKENS:
                    fr.cond = True
                continue
            if t in STATEMENTS:
                self._stmt(child, fr)
            elif t != "comment":
                self._scan(child, fr)
        fr.cond = saved

    # ----------------------------------------------------------------- assignments

    def _redirected(self, node: Node, fr: Frame) -> None:
        raise NotImplementedError  # redirections write files: the walker subclass

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
