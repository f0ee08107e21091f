"""JUnit XML for a CodeBuild report group (type JUNITXML): one test case per file and finding."""

from __future__ import annotations

from collections import defaultdict
from typing import TextIO
from xml.etree import ElementTree

from hubspec.model import Finding
from hubspec.report import Report


def render(report: Report, out: TextIO) -> None:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.active:
        by_file[finding.path].append(finding)
    paths = sorted(set(report.sources) | set(by_file))
    cases = sum(max(1, len(by_file[path])) for path in paths)
    suites = ElementTree.Element(
        "testsuites", name="hubspec", tests=str(cases), failures=str(len(report.active))
    )
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name="hubspec",
        tests=str(cases),
        failures=str(len(report.active)),
        errors="0",
    )
    for path in paths:
        findings = by_file[path]
        if not findings:
            ElementTree.SubElement(suite, "testcase", classname=path, name="hubspec lint")
            continue
        for finding in findings:
            start = finding.span.start
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=path,
                name=f"{finding.rule} {finding.name} at {start.line}:{start.column}",
            )
            failure = ElementTree.SubElement(
                case,
                "failure",
                message=finding.message,
                type=f"{finding.rule} ({finding.severity.value})",
            )
            failure.text = f"{path}:{start.line}:{start.column}: {finding.rule} {finding.message}"
    ElementTree.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ElementTree.tostring(suites, encoding="unicode"))
    out.write("\n")
