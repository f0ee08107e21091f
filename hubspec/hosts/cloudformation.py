"""CloudFormation/SAM templates (YAML or JSON) and CDK output -> CodeBuild projects.

Intrinsic functions are data: short-form tags (`!Sub`) and long forms (`Fn::Sub`) read the
same. Values that are not literals are unknown (None), never guessed. A BuildSpec is
inline text (a block scalar, `!Sub`/`Fn::Sub`, `Fn::Join`, a JSON string) mapped back to the
host, or a path in the source, or unknown (a `!Ref`), said so by an HS005 problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hubspec.build.project import Project, ProjectVariable, VariableType
from hubspec.hosts.found import HostFile, HostProject, Problem
from hubspec.hosts.spans import Spans
from hubspec.hosts.textmap import (
    Mapped,
    aligned,
    block_scalar,
    join,
    json_string,
    rewrite,
    same_width,
)
from hubspec.load.document import Node

PROJECT_TYPE = "AWS::CodeBuild::Project"
KNOWN_FUNCTIONS = frozenset(
    {
        "Ref", "Condition", "Fn::Sub", "Fn::Join", "Fn::GetAtt", "Fn::If", "Fn::ImportValue",
        "Fn::FindInMap", "Fn::Select", "Fn::Split", "Fn::Base64", "Fn::GetAZs", "Fn::Cidr",
        "Fn::Transform", "Fn::And", "Fn::Equals", "Fn::Not", "Fn::Or", "Fn::Length",
        "Fn::ToJsonString", "Fn::ForEach",
    }
)  # fmt: skip
_SUB = re.compile(r"\$\{(!?)([^}]*)\}")


class _Unknown(Exception):
    """The value is not known statically; `problem` says why, where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def read_template(root: Node, text: str, *, json_text: bool, kind: str) -> HostFile:
    """The CodeBuild projects of a parsed template (`Resources`, or a fragment's top level)."""
    reader = _Reader(text, json_text)
    return HostFile(kind, [reader.project(name, node) for name, node in _resources(root)])


def project_nodes(root: Node) -> Iterator[Node]:
    """The resources `read_template` reads in full: the CodeBuild projects."""
    for _, node in _resources(root):
        yield node


def _resources(root: Node) -> Iterator[tuple[str, Node]]:
    if root.kind != "mapping":
        return
    resources = root.get("Resources")
    table = resources if resources is not None and resources.kind == "mapping" else root
    for key, node in table.pairs:
        if node.kind != "mapping":
            continue
        kind = node.get("Type")
        if kind is not None and kind.kind == "scalar" and kind.value == PROJECT_TYPE:
            yield str(key.value), node


def function_of(node: Node) -> tuple[str, Node] | None:
    """(`Fn::Sub`, its argument) for an intrinsic in either form; `!Ref` reads as `Ref`."""
    if node.tag.startswith("!"):
        name = node.tag[1:]
        full = name if name in ("Ref", "Condition") else f"Fn::{name}"
        return full, _untagged(node)
    if node.kind == "mapping" and len(node.pairs) == 1:
        key, value = node.pairs[0]
        name = str(key.value)
        if name == "Ref" or name == "Condition" or name.startswith("Fn::"):
            return name, value
    return None


class _Reader:
    def __init__(self, text: str, json_text: bool) -> None:
        self.text = text
        self.json_text = json_text
        self.spans = Spans(text)

    def project(self, name: str, resource: Node) -> HostProject:
        properties = resource.get("Properties")
        span = self.spans.span(resource.start, resource.start + 1)
        found = HostProject(Project(name, span=span))
        if properties is None or properties.kind != "mapping":
            return found
        environment = _mapping(properties.get("Environment"))
        source = _mapping(properties.get("Source"))
        image = environment.get("Image") if environment else None
        privileged = environment.get("PrivilegedMode") if environment else None
        found.project = Project(
            name,
            image=self.literal(image),
            privileged_mode=self.boolean(privileged),
            registry_credential=environment is not None
            and environment.get("RegistryCredential") is not None,
            image_pull_credentials_type=self.literal(
                environment.get("ImagePullCredentialsType") if environment else None
            ),
            variables=tuple(self.variables(environment)),
            docker_server=environment is not None and environment.get("DockerServer") is not None,
            span=span,
            image_span=self.spans.span(image.start, image.end) if image is not None else None,
            privileged_span=(
                self.spans.span(privileged.start, privileged.end)
                if privileged is not None
                else None
            ),
        )
        if environment is not None and image is not None:
            key = environment.key_node("Image")
            found.image_key = key.start if key is not None else None
            found.image_value = (image.start, image.end)
            pull = environment.get("ImagePullCredentialsType")
            found.pull_type = (pull.start, pull.end) if pull is not None else None
        buildspec = source.get("BuildSpec") if source else None
        misplaced = properties.get("BuildSpec")
        if buildspec is None and misplaced is not None:
            buildspec = misplaced  # CloudFormation refuses it there; lint it all the same
            found.problems.append(
                Problem(
                    "HS002",
                    "BuildSpec belongs under Source; CloudFormation refuses it under Properties"
                    " (linted as if under Source)",
                    buildspec.start,
                    buildspec.end,
                )
            )
        if buildspec is not None:
            self.buildspec(found, buildspec)
        return found

    def buildspec(self, found: HostProject, node: Node) -> None:
        try:
            mapped = self.string(node, top=True)
        except _Unknown as unknown:
            found.problems.append(unknown.problem)
            return
        stripped = mapped.text.strip()
        if "\n" in stripped or stripped.startswith("{"):
            found.inline = mapped
            found.project = _with(found.project, buildspec_inline=True)
            found.splice, found.substituted = self.splice_kind(node)
            found.token = (node.start, node.end)
        elif stripped.startswith("arn:"):
            found.problems.append(
                Problem(
                    "HS005",
                    "the buildspec is an S3 object; hubspec cannot read it",
                    node.start,
                    node.end,
                )
            )
        elif stripped:
            found.path, found.path_span = stripped, (node.start, node.end)
            found.project = _with(found.project, buildspec_path=stripped)

    def splice_kind(self, node: Node) -> tuple[str | None, bool]:
        """How a fix may edit this BuildSpec in the host (see `HostProject.splice`)."""
        function = function_of(node)
        substituted = False
        if function is not None:
            name, argument = function
            if name != "Fn::Sub":
                return None, False
            node = argument.items[0] if argument.kind == "sequence" and argument.items else argument
            substituted = True
        if node.kind != "scalar":
            return None, substituted
        if self.json_text:
            return ("json" if not substituted else None), substituted
        return ("lines" if node.style == "|" else None), substituted

    def string(self, node: Node, *, top: bool = False) -> Mapped:
        """The text a string-valued property evaluates to, mapped; _Unknown if not known."""
        function = function_of(node)
        if function is None:
            if node.kind != "scalar" or not isinstance(node.value, str):
                what = "a list" if node.kind == "sequence" else "a mapping"
                if node.kind == "scalar":
                    what = f"the {type(node.value).__name__} {node.value!r}"
                raise _Unknown(
                    Problem(
                        "HS002",
                        f"BuildSpec is {what}; CloudFormation takes a string (the buildspec or"
                        " its path)",
                        node.start,
                        node.end,
                    )
                )
            return self.scalar(node)
        name, argument = function
        if name == "Fn::Sub":
            return self.sub(argument, node)
        if name == "Fn::Join":
            return self.join(argument, node)
        if name not in KNOWN_FUNCTIONS:
            raise _Unknown(
                Problem(
                    "HS005",
                    f"the intrinsic function {name} is not one hubspec knows; the buildspec is"
                    " not linted",
                    node.start,
                    node.end,
                )
            )
        if top:
            shown = f"{name} {argument.value}" if argument.kind == "scalar" else name
            raise _Unknown(
                Problem(
                    "HS005",
                    f"the buildspec comes from {shown}, which hubspec cannot evaluate; it is"
                    " not linted",
                    node.start,
                    node.end,
                )
            )
        shown = str(argument.value) if name == "Ref" and argument.kind == "scalar" else name
        return Mapped.synthetic(same_width("${" + shown + "}"), node.start)

    def scalar(self, node: Node) -> Mapped:
        value = str(node.value)
        text = self.text
        if self.json_text:
            return json_string(text[node.start + 1 : node.end - 1], node.start + 1)
        if node.style == "|":
            return block_scalar(value, text, _header_start(text, node), node.end)
        if node.style in ('"', "'") and text[node.start + 1 : node.end - 1] == value:
            return Mapped.verbatim(value, node.start + 1)
        if node.style is None and text[node.start : node.end] == value:
            return Mapped.verbatim(value, node.start)
        return aligned(value, text, node.start, node.end)

    def sub(self, argument: Node, node: Node) -> Mapped:
        variables: dict[str, Mapped] = {}
        template = argument
        if argument.kind == "sequence" and argument.items:
            template = argument.items[0]
            table = argument.items[1] if len(argument.items) > 1 else None
            for key, value in table.pairs if table is not None and table.kind == "mapping" else ():
                try:
                    variables[str(key.value)] = self.string(value)
                except _Unknown:
                    continue
        body = self.string(template)

        def substitute(match: re.Match[str]) -> str:
            if match.group(1):
                return "${" + match.group(2) + "}"  # ${!Literal}
            known = variables.get(match.group(2))
            return known.text if known is not None else same_width(match.group())

        return rewrite(body, _SUB, substitute)

    def join(self, argument: Node, node: Node) -> Mapped:
        if argument.kind != "sequence" or len(argument.items) != 2:
            raise _Unknown(
                Problem("HS005", "Fn::Join takes [delimiter, [pieces]]", node.start, node.end)
            )
        delimiter_node, pieces_node = argument.items
        delimiter = str(delimiter_node.value) if delimiter_node.kind == "scalar" else ""
        if pieces_node.kind != "sequence":
            raise _Unknown(
                Problem("HS005", "the pieces of Fn::Join are not a list", node.start, node.end)
            )
        parts: list[Mapped] = []
        for index, piece in enumerate(pieces_node.items):
            if index and delimiter:
                parts.append(Mapped.synthetic(delimiter, piece.start))
            parts.append(self.string(piece))
        return join(parts, node.start)

    def literal(self, node: Node | None) -> str | None:
        if node is None:
            return None
        function = function_of(node)
        if function is not None:
            name, argument = function
            if name == "Fn::Sub" and argument.kind == "scalar" and "${" not in str(argument.value):
                return str(argument.value)
            return None
        return str(node.value) if node.kind == "scalar" and node.value is not None else None

    def boolean(self, node: Node | None) -> bool | None:
        if node is None:
            return False
        if node.kind != "scalar" or function_of(node) is not None:
            return None
        if isinstance(node.value, bool):
            return node.value
        return {"true": True, "false": False}.get(str(node.value).lower())

    def variables(self, environment: Node | None) -> Iterator[ProjectVariable]:
        entries = environment.get("EnvironmentVariables") if environment else None
        if entries is None or entries.kind != "sequence":
            return
        for entry in entries.items:
            if entry.kind != "mapping":
                continue
            name = self.literal(entry.get("Name"))
            if name is None:
                continue
            kind = self.literal(entry.get("Type")) or "PLAINTEXT"
            try:
                variable_type = VariableType(kind.upper())
            except ValueError:
                variable_type = VariableType.PLAINTEXT
            yield ProjectVariable(name, variable_type, self.literal(entry.get("Value")))


def _untagged(node: Node) -> Node:
    """The argument of a short-form function: the node itself, read without its tag."""
    plain = {"scalar": "tag:yaml.org,2002:str", "mapping": "tag:yaml.org,2002:map"}
    tag = plain.get(node.kind, "tag:yaml.org,2002:seq")
    return Node(node.kind, tag, node.start, node.end, node.value, node.style, node.flow,
                node.anchor, node.pairs, node.items)  # fmt: skip


def _mapping(node: Node | None) -> Node | None:
    return node if node is not None and node.kind == "mapping" else None


def _header_start(text: str, node: Node) -> int:
    """Where a block scalar's `|` header is: its node starts at the tag when it has one."""
    bar = text.find("|", node.start, node.end)
    return bar if bar != -1 else node.start


def _with(project: Project, **changes: object) -> Project:
    from hubspec.records import replace

    return replace(project, **changes)
