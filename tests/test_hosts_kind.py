"""`host_kind` decides as the plain multiline patterns it stands in for.

`hosts.kind` looks for a template's marks with patterns that start with a literal (the regex
engine tries the others at every offset); here the plain patterns decide the same texts:
real buildspecs, templates and Terraform files, and the same texts with marks inserted.
"""

from __future__ import annotations

import random
import re

from conftest import ROOT, SHARED
from hubspec.hosts.kind import host_kind

TEMPLATE = re.compile(
    r"^[\s{]*[\"']?AWSTemplateFormatVersion[\"']?\s*:|[\"']?Type[\"']?\s*:\s*[\"']?AWS::CodeBuild::Project",
    re.MULTILINE,
)
CDK = re.compile(r'"aws:cdk:path"|"CDKMetadata"|/cdk-bootstrap/')
BUILDSPEC_TOP = re.compile(r"^(version|phases)\s*:", re.MULTILINE)
MARKS = [
    "AWSTemplateFormatVersion", "AWSTemplateFormatVersion:", "\nAWSTemplateFormatVersion: x",
    '{\n "AWSTemplateFormatVersion" :', "  \n\t{ 'AWSTemplateFormatVersion' \n :",
    "Type: AWS::CodeBuild::Project", '"Type" : "AWS::CodeBuild::Project"',
    "Type:'AWS::CodeBuild::Project", "\nversion:", "\nphases :", "version\n:", "\n phases:",
    "\r\nversion:", "phases:", '"aws:cdk:path"', '"CDKMetadata"', "/cdk-bootstrap/",
    "\n", " ", "{", "'", "x",
]  # fmt: skip
NAMES = ["a.yml", "b.json", "cdk.out/x.json", "t.template", "x.tf", "y.txt"]


def plain_kind(name: str, head: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(".tf"):
        return "terraform"
    if not lowered.endswith((".yml", ".yaml", ".json", ".template")):
        return None
    if TEMPLATE.search(head) is None:
        return None
    if {match.group(1) for match in BUILDSPEC_TOP.finditer(head)} == {"version", "phases"}:
        return None
    if lowered.endswith(".json") and (
        "cdk.out" in lowered.replace("\\", "/").split("/") or CDK.search(head) is not None
    ):
        return "cdk"
    return "cloudformation"


def _texts() -> list[str]:
    found = []
    for folder in (SHARED / "corpus-iac", SHARED / "corpus", ROOT / "fixtures"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and path.suffix in (".yml", ".yaml", ".json", ".template", ".tf"):
                found.append(path.read_bytes()[: 64 * 1024].decode("utf-8", errors="replace"))
    return found or ["version: 0.2\nphases: {}\n"]


def test_host_kind_decides_as_the_plain_patterns() -> None:
    texts = _texts()
    chooser = random.Random(5)
    for text in texts:
        for name in NAMES:
            assert host_kind(name, text) == plain_kind(name, text)
    for _ in range(4000):
        text = "" if chooser.random() < 0.2 else chooser.choice(texts)
        for _ in range(chooser.randint(1, 5)):
            at = chooser.randrange(len(text) + 1)
            line = text.find("\n", at)
            at = line + 1 if line != -1 and chooser.random() < 0.4 else at
            text = text[:at] + chooser.choice(MARKS) + text[at:]
        name = chooser.choice(NAMES)
        assert host_kind(name, text) == plain_kind(name, text), (name, text[:300])
