"""Terraform files -> `aws_codebuild_project` resources, through tree-sitter-hcl.

tree-sitter gives byte offsets; they become character offsets of the decoded text here.
A buildspec is a heredoc (`<<EOF`, or `<<-EOT` whose common indentation is removed), a
quoted string, `file(...)` or `templatefile(...)` (a buildspec file, relative to the
module's folder; also in a heredoc that holds nothing else), a path string (relative to
the source root), or unknown (a variable, a conditional: HS005). `${...}` interpolations
are unknown values of the same width, `$${` is a literal `${`; `%{...}` directives are
dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from hubspec.build.project import Project, ProjectVariable, VariableType
from hubspec.hosts.found import HostFile, HostProject, Problem
from hubspec.hosts.kind import RESOURCE_TYPE
from hubspec.hosts.spans import Spans
from hubspec.hosts.textmap import Mapped, join, json_string, rewrite, same_width
from hubspec.records import replace

_ESCAPED = re.compile(r"\$\$\{|%%\{")
_ONLY_INTERPOLATION = re.compile(r"\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
_MODULE_PATH = re.compile(r"^\$\{path\.(?:module|root|cwd)\}/")


@cache
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def read_terraform(text: str) -> HostFile:
    """The CodeBuild projects of a Terraform file, or the syntax problem that stops it."""
    data = text.encode("utf-8")
    tree = _parser().parse(data)
    reader = _Reader(text, data)
    root = tree.root_node
    if root.has_error:
        bad = _first_error(root)
        where = reader.char(bad.start_byte)
        message = "invalid HCL: " + (
            f"missing {bad.type}" if bad.is_missing else "this text does not parse"
        )
        if "<<" in text[max(0, where - 200) : where + 1] or _unclosed_heredoc(bad):
            message += " (a heredoc without its end marker?)"
        return HostFile("terraform", problem=Problem("HS001", message, where, where + 1))
    found = HostFile("terraform")
    for block in _blocks(root):
        labels = [
            child for child in block.named_children if child.type in ("string_lit", "identifier")
        ]
        if len(labels) >= 3 and reader.label(labels[1]) == RESOURCE_TYPE:
            found.projects.append(reader.project(block, reader.label(labels[2])))
    return found


def _blocks(root: Any) -> Iterator[Any]:
    for body in root.named_children:
        if body.type == "body":
            for child in body.named_children:
                if child.type == "block" and child.named_children:
                    yield child


def _first_error(node: Any) -> Any:
    todo = [node]
    while todo:
        current = todo.pop(0)
        if current.type == "ERROR" or current.is_missing:
            return current
        todo = [child for child in current.children if child.has_error or child.is_missing] + todo
    return node


def _unclosed_heredoc(node: Any) -> bool:
    return any(child.type == "heredoc_start" for child in node.children)


def _body_items(block: Any) -> Iterator[Any]:
    for child in block.named_children:
        if child.type == "body":
            yield from child.named_children


class _Reader:
    def __init__(self, text: str, data: bytes) -> None:
        self.text = text
        self.data = data
        self.spans = Spans(text)
        self.ascii = len(data) == len(text)
        self._wide: list[tuple[int, int]] | None = None

    def char(self, byte: int) -> int:
        """The character offset of a byte offset (they differ after non-ASCII text)."""
        if self.ascii:
            return byte
        return len(self.data[:byte].decode("utf-8", errors="replace"))

    def source(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def label(self, node: Any) -> str:
        return self.source(node).strip('"')

    def span_of(self, node: Any) -> tuple[int, int]:
        return self.char(node.start_byte), self.char(node.end_byte)

    def project(self, block: Any, label: str) -> HostProject:
        address = f"{RESOURCE_TYPE}.{label}"
        start, _ = self.span_of(block)
        span = self.spans.span(start, start + 1)
        found = HostProject(Project(address, span=span))
        _, blocks = self.members(block)
        environment = blocks.get("environment", [None])[0]
        source = blocks.get("source", [None])[0]
        if environment is not None:
            env_attributes, env_blocks = self.members(environment)
            image = env_attributes.get("image")
            privileged = env_attributes.get("privileged_mode")
            found.project = Project(
                address,
                image=self.literal(image),
                privileged_mode=self.boolean(privileged),
                registry_credential="registry_credential" in env_blocks,
                image_pull_credentials_type=self.literal(
                    env_attributes.get("image_pull_credentials_type")
                ),
                variables=tuple(self.variables(env_blocks.get("environment_variable", []))),
                docker_server="docker_server" in env_blocks,
                span=span,
                image_span=self.spans.span(*self.span_of(image)) if image is not None else None,
                privileged_span=(
                    self.spans.span(*self.span_of(privileged)) if privileged is not None else None
                ),
            )
            if image is not None:
                found.image_key = self.char(image.parent.start_byte)
                found.image_value = self.span_of(image)
            pull = env_attributes.get("image_pull_credentials_type")
            found.pull_type = self.span_of(pull) if pull is not None else None
        if source is not None:
            buildspec = self.members(source)[0].get("buildspec")
            if buildspec is not None:
                self.buildspec(found, buildspec)
        return found

    def members(self, block: Any) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        """A block's attributes (name -> expression node) and nested blocks by type."""
        attributes: dict[str, Any] = {}
        blocks: dict[str, list[Any]] = {}
        for item in _body_items(block):
            children = item.named_children  # a new list at every access: read once
            if not children:
                continue
            name = self.source(children[0])
            kind = item.type
            if kind == "attribute" and len(children) >= 2:
                attributes[name] = children[-1]
            elif kind == "block":
                blocks.setdefault(name, []).append(item)
        return attributes, blocks

    def literal(self, expression: Any) -> str | None:
        """A string attribute's value when it is a literal (no interpolation), else None."""
        if expression is None:
            return None
        node = _unwrap(expression)
        if node.type in ("string_lit", "quoted_template"):
            parts = node.named_children
            if any(
                part.type
                not in ("quoted_template_start", "quoted_template_end", "template_literal")
                for part in parts
            ):
                return None
            start, end = self.span_of(node)
            return json_string(self.text[start + 1 : end - 1], start + 1).text
        return None

    def boolean(self, expression: Any) -> bool | None:
        if expression is None:
            return False
        node = _unwrap(expression)
        raw = self.source(node).strip('"').lower()
        return (
            {"true": True, "false": False}.get(raw)
            if node.type in ("bool_lit", "string_lit", "literal_value", "quoted_template")
            else None
        )

    def variables(self, blocks: list[Any]) -> Iterator[ProjectVariable]:
        for block in blocks:
            attributes, _ = self.members(block)
            name = self.literal(attributes.get("name"))
            if name is None:
                continue
            kind = (self.literal(attributes.get("type")) or "PLAINTEXT").upper()
            try:
                variable_type = VariableType(kind)
            except ValueError:
                variable_type = VariableType.PLAINTEXT
            yield ProjectVariable(name, variable_type, self.literal(attributes.get("value")))

    def buildspec(self, found: HostProject, expression: Any) -> None:
        node = _unwrap(expression)
        start, end = self.span_of(node)
        if node.type == "heredoc_template":
            mapped = self.heredoc(node)
            if mapped is None:
                # `<<EOF\n${file("buildspec.yml")}\nEOF` is the file's text and a line break
                inner = [
                    _unwrap(child)
                    for part in _descendants(node, "template_interpolation")
                    for child in part.named_children
                    if child.type == "expression"
                ]
                if len(inner) == 1 and self.named_file(found, inner[0], (start, end)):
                    return
                found.problems.append(
                    Problem(
                        "HS005",
                        "the heredoc is only an interpolation (such as ${var.buildspec}); the buildspec is not linted",
                        start,
                        end,
                    )
                )
                return
            found.inline = mapped
            found.project = replace(found.project, buildspec_inline=True)
            found.splice, found.substituted, found.token = "lines", True, (start, end)
            return
        if node.type in ("string_lit", "quoted_template"):
            mapped = self.quoted(node)
            text = mapped.text.strip()
            if "\n" in text:
                found.inline = mapped
                found.project = replace(found.project, buildspec_inline=True)
            elif "${" in self.source(node):
                found.problems.append(
                    Problem(
                        "HS005",
                        "the buildspec path is an interpolation; the buildspec is not linted",
                        start,
                        end,
                    )
                )
            elif text.startswith("arn:"):
                found.problems.append(
                    Problem(
                        "HS005", "the buildspec is an S3 object; hubspec cannot read it", start, end
                    )
                )
            elif text:
                found.path, found.path_span = text, (start, end)
                found.project = replace(found.project, buildspec_path=text)
            return
        if self.named_file(found, node, (start, end)):
            return
        shown = self.source(node)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        found.problems.append(
            Problem(
                "HS005",
                f"the buildspec comes from `{shown}`, which hubspec cannot evaluate; it is not linted",
                start,
                end,
            )
        )

    def named_file(self, found: HostProject, node: Any, span: tuple[int, int]) -> bool:
        """`file("buildspec.yml")` or `templatefile(...)`: the project's buildspec is that
        file (`span` is where the template names it); False for any other expression."""
        if node.type != "function_call" or not node.named_children:
            return False
        name = self.source(node.named_children[0])
        arguments = [
            _unwrap(child)
            for argument in node.named_children[1:]
            if argument.type == "function_arguments"
            for child in argument.named_children
        ]
        path = self.path_argument(arguments[0]) if arguments else None
        if name not in ("file", "templatefile") or path is None:
            return False
        found.path, found.path_span = path, span
        found.base = "module"
        found.project = replace(found.project, buildspec_path=path)
        if name == "templatefile":
            found.substitutions = tuple(self.template_variables(arguments[1:]))
        return True

    def path_argument(self, node: Any) -> str | None:
        if node.type not in ("string_lit", "quoted_template", "template_expr"):
            return None
        raw = self.source(node)
        if not (raw.startswith('"') and raw.endswith('"')):
            return None
        body = _MODULE_PATH.sub("", raw[1:-1])
        return None if "${" in body else body

    def template_variables(self, arguments: list[Any]) -> Iterator[tuple[str, str | None]]:
        if not arguments or arguments[0].type not in ("collection_value", "object"):
            return
        for element in _descendants(arguments[0], "object_elem"):
            parts = element.named_children
            if len(parts) >= 2:
                key = self.source(parts[0]).strip('"')
                yield key, self.literal(parts[-1])

    def quoted(self, node: Any) -> Mapped:
        start, end = self.span_of(node)
        mapped = json_string(self.text[start + 1 : end - 1], start + 1)
        return self.template(mapped, node)

    def heredoc(self, node: Any) -> Mapped | None:
        children = node.children
        start_marker = children[0]
        identifiers = [child for child in children if child.type == "heredoc_identifier"]
        _, open_end = self.span_of(identifiers[0])
        close_start, _ = self.span_of(identifiers[-1])
        body_start = self.text.find("\n", open_end) + 1
        body_end = self.text.rfind("\n", body_start - 1, close_start) + 1
        mapped = Mapped.verbatim(self.text[body_start:body_end], body_start)
        mapped = self.template(mapped, node, offset=body_start)
        if _ONLY_INTERPOLATION.fullmatch(self.text[body_start:body_end].strip()):
            return None
        if self.source(start_marker) == "<<-":
            mapped = dedent(mapped)
        return mapped

    def template(self, mapped: Mapped, node: Any, offset: int | None = None) -> Mapped:
        """Interpolations -> same-width unknowns; directives dropped; `$${`/`%%{` unescaped."""
        base = mapped.offsets[0] if offset is None else offset
        pieces: list[Mapped] = []
        cursor = 0
        for part in _descendants(node, "template_interpolation", "template_directive"):
            start, end = self.span_of(part)
            local_start = _index_of(mapped, start, cursor)
            local_end = _index_of(mapped, end, local_start)
            if local_start is None or local_end is None:
                continue
            pieces.append(_cut(mapped, cursor, local_start))
            if part.type == "template_interpolation":
                text = mapped.text[local_start:local_end]
                pieces.append(Mapped(same_width(text), mapped.offsets[local_start : local_end + 1]))
            cursor = local_end
        pieces.append(_cut(mapped, cursor, len(mapped.text)))
        result = join(pieces, base)
        return rewrite(result, _ESCAPED, lambda match: match.group()[1:])


def dedent(mapped: Mapped) -> Mapped:
    """`<<-`: remove the indentation all non-blank lines share (spaces or tabs)."""
    lines = mapped.text.split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    width = min(indents, default=0)
    if not width:
        return mapped
    pattern = re.compile(rf"^[ \t]{{0,{width}}}", re.MULTILINE)
    return rewrite(mapped, pattern, lambda match: "")


def _cut(mapped: Mapped, start: int, end: int) -> Mapped:
    return Mapped(mapped.text[start:end], mapped.offsets[start : end + 1])


def _index_of(mapped: Mapped, host: int, start: int | None) -> int | None:
    """The text index whose host offset is `host` (texts here map one-to-one until now)."""
    if start is None:
        return None
    guess = host - mapped.offsets[0]
    if 0 <= guess < len(mapped.offsets) and mapped.offsets[guess] == host:
        return guess
    for index in range(start, len(mapped.offsets)):
        if mapped.offsets[index] == host:
            return index
    return None


def _unwrap(node: Any) -> Any:
    """An expression's inner node: `expression` and `template_expr`/`literal_value` wrappers."""
    while node.type in ("expression", "literal_value", "template_expr", "collection_value"):
        children = node.named_children
        if len(children) != 1:
            break
        node = children[0]
    return node


def _descendants(node: Any, *types: str) -> Iterator[Any]:
    """Descendants of the given types, outermost only, in text order."""
    for child in node.named_children:
        if child.type in types:
            yield child
        else:
            yield from _descendants(child, *types)
