"""Reading a host file into its projects (which files are host files: `hosts.kind`)."""

from __future__ import annotations

import gc

from hubspec.hosts.cloudformation import project_nodes, read_template
from hubspec.hosts.found import HostFile, Problem
from hubspec.hosts.jsontree import parse_json
from hubspec.hosts.kind import RESOURCE_TYPE
from hubspec.hosts.terraform import read_terraform
from hubspec.load.document import parse_tagged
from hubspec.load.source import YamlProblem

MAX_TEMPLATE_BYTES = 1024 * 1024
"""CloudFormation's own limit for a template body (from S3); CDK output is deployed the same way."""
MAX_TERRAFORM_BYTES = 16 * 1024 * 1024


def read_host(kind: str, text: str, size: int) -> HostFile:
    """The projects of a host file's decoded text (`size`: its length in bytes)."""
    collecting = gc.isenabled()
    gc.disable()  # a template's events and nodes form no reference cycles
    try:
        return _read(kind, text, size)
    finally:
        if collecting:
            gc.enable()


def _read(kind: str, text: str, size: int) -> HostFile:
    limit = MAX_TERRAFORM_BYTES if kind == "terraform" else MAX_TEMPLATE_BYTES
    if size > limit:
        what = (
            "Terraform file" if kind == "terraform" else "template (CloudFormation's limit is 1 MB)"
        )
        return HostFile(
            kind,
            problem=Problem(
                "HS001", f"the {what} is larger than {limit:,} bytes; it is not read", 0, 1
            ),
        )
    if kind == "terraform":
        if RESOURCE_TYPE not in text:
            return HostFile(kind)
        return read_terraform(text)
    json_text = text.lstrip().startswith("{")
    parse = parse_json if json_text else parse_tagged
    root = parse(text, project_nodes)
    if isinstance(root, YamlProblem):
        return HostFile(kind, problem=Problem("HS001", root.message, root.offset, root.offset + 1))
    return read_template(root, text, json_text=json_text, kind=kind)
