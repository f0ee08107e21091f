"""Templates read in part (`parse_tagged` or `parse_json` with `wanted`) read as wholes.

The projects' subtrees, every field `read_template` hands on and the HS001 problem must not
change when the other resources' contents are only skimmed: over the IaC corpus, the
fixtures, what the skim hands back to the whole parser (YAML aliases, anchors, foreign
tags, merge and complex keys, deep nesting; JSON duplicate keys, NaN, deep nesting, bad
numbers and escapes) and random insertions of YAML or JSON syntax.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from conftest import ROOT, SHARED
from hubspec.hosts.cloudformation import project_nodes, read_template
from hubspec.hosts.found import HostFile
from hubspec.hosts.jsontree import parse_json
from hubspec.load.document import Node, parse_tagged
from hubspec.load.source import YamlProblem

CORPUS = SHARED / "corpus-iac"


def _templates(pattern: str) -> list[str]:
    found = []
    for folder in (CORPUS, ROOT / "fixtures"):
        for path in sorted(folder.rglob(pattern)) if folder.is_dir() else ():
            data = path.read_bytes()
            if b"AWS::" in data:
                found.append(data.decode("utf-8", errors="replace"))
    return found


TEMPLATES = _templates("*.y*ml")
JSON_TEMPLATES = _templates("*.json")

SHAPE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags: {other}
  Project:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        Image: aws/codebuild/standard:7.0
        {project}
      Source:
        BuildSpec: |
          version: 0.2
          phases:
            build:
              commands:
                - echo hi
"""
OTHER = [
    "[&t {Key: a, Value: b}]",
    "*t",
    "[*undefined]",
    "&anchor {a: [1, 2]}",
    "[!!python/object:os.system x]",
    "[!<!Foo> x, !! y, ! z]",
    "{<<: {a: b}}",
    "{'<<': x}",
    "{? [a] : b}",
    "{[a]: b}",
    "{a: 1, a: 2}",
    "!Sub [a, {b: !Ref c}]",
    *("[" * depth + "]" * depth for depth in (58, 59, 60, 61, 62, 70)),
]
PROJECT = [
    "",
    "EnvironmentVariables: [{Name: A, Value: &v x}, {Name: B, Value: *v}]",
    "PrivilegedMode: *nope",
    "Type: " + "[" * 63 + "]" * 63,
]
SNIPPETS = [
    "&a ", "*a", "&a {b: c}", "!!python/object ", "!Ref ", "!!str ", "!<tag:x> ", "!",
    "? [x]\n", "<<: ", "[a, b]: c", "{a: b}: ", "- ", ": ", "\t", "'", '"', "#", "\n  ",
    "{", "}", "[", "]", "%TAG ! x\n", "--- ",
]  # fmt: skip


def _shape(node: Node | YamlProblem) -> Any:
    if isinstance(node, YamlProblem):
        return ("problem", node.message, node.offset)
    head = (node.kind, node.tag, node.start, node.end, node.style, node.flow, node.anchor)
    if node.kind == "scalar":
        return (*head, repr(node.value))
    if node.kind == "mapping":
        return (*head, [(_shape(key), _shape(value)) for key, value in node.pairs])
    return (*head, [_shape(item) for item in node.items])


def _read(host: HostFile) -> list[Any]:
    projects = [
        (
            repr(found.project),
            found.inline and (found.inline.text, found.inline.offsets),
            *(found.path, repr(found.problems), found.splice, found.token, found.substituted),
            *(found.image_key, found.image_value, found.pull_type),
        )
        for found in host.projects
    ]
    return [repr(host.problem), *projects]


def _same(text: str, *, json_text: bool = False) -> None:
    parse = parse_json if json_text else parse_tagged
    whole, part = parse(text), parse(text, project_nodes)
    if isinstance(whole, YamlProblem) or isinstance(part, YamlProblem):
        assert _shape(part) == _shape(whole)
        return
    assert [_shape(node) for node in project_nodes(part)] == [
        _shape(node) for node in project_nodes(whole)
    ]
    read = [
        read_template(tree, text, json_text=json_text, kind="cloudformation")
        for tree in (whole, part)
    ]
    assert _read(read[1]) == _read(read[0])


@pytest.mark.skipif(not TEMPLATES, reason="no templates here")
def test_real_templates_read_the_same() -> None:
    for text in TEMPLATES:
        _same(text)


@pytest.mark.parametrize("other", OTHER)
@pytest.mark.parametrize("project", PROJECT)
def test_what_the_skim_hands_back_reads_the_same(other: str, project: str) -> None:
    text = SHAPE.replace("{other}", other).replace("{project}", project)
    _same(text)
    fragment = "\n".join(line[2:] for line in text.splitlines()[2:])  # no Resources key
    _same(fragment)


@pytest.mark.skipif(not TEMPLATES, reason="no templates here")
def test_templates_with_random_insertions_read_the_same() -> None:
    chooser = random.Random(17)
    for _ in range(600):
        text = chooser.choice(TEMPLATES)
        for _ in range(chooser.randint(1, 3)):
            at = chooser.randrange(len(text) + 1)
            after = text.find(chooser.choice([": ", "- ", "\n"]), at)
            at = after + 2 if after != -1 and chooser.random() < 0.7 else at
            text = text[:at] + chooser.choice(SNIPPETS) + text[at:]
        _same(text)


JSON_SHAPE = """\
{"Resources": {
  "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": OTHER}},
  "Project": {"Type": "AWS::CodeBuild::Project", "Properties": {
    "Environment": {"Image": "aws/codebuild/standard:7.0", "Variables": OTHER},
    "Source": {"BuildSpec": "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - echo hi\\n"}
  }}
}}
"""
JSON_OTHER = [
    '[{"Key": "a", "Value": "b"}]',
    '{"a": 1, "a": 2}',
    '[{"a": {"b": 1, "b": 2}}]',
    "[NaN, Infinity, -Infinity]",
    "[1.5e3, -0, 0.25, 1E+2, 12]",
    "[01]",
    "[1.]",
    "[1e]",
    "[-]",
    "[1,]",
    '{"a": 1,}',
    '["\\x"]',
    '["a\tb"]',
    '["\\ud800"]',
    "[true, false, null]",
    "[tru]",
    '{"a" 1}',
    "{1: 2}",
    *("[" * depth + "]" * depth for depth in (250, 251, 252, 253, 254, 300)),
]
JSON_SNIPPETS = [
    '"',
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "NaN",
    "1",
    "-",
    "\\",
    " ",
    "\t",
    "x",
    '"a": 1, ',
]


@pytest.mark.parametrize("other", JSON_OTHER)
def test_what_the_json_scanner_hands_back_reads_the_same(other: str) -> None:
    _same(JSON_SHAPE.replace("OTHER", other), json_text=True)


@pytest.mark.skipif(not JSON_TEMPLATES, reason="no JSON templates here")
def test_json_templates_with_random_insertions_read_the_same() -> None:
    for text in JSON_TEMPLATES:
        _same(text, json_text=True)
    chooser = random.Random(17)
    for _ in range(400):
        text = chooser.choice(JSON_TEMPLATES)
        for _ in range(chooser.randint(1, 2)):
            at = chooser.randrange(len(text) + 1)
            text = text[:at] + chooser.choice(JSON_SNIPPETS) + text[at:]
        _same(text, json_text=True)
