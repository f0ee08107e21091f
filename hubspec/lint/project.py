"""Findings about a CodeBuild project's own settings, which have no place in a buildspec.

They are reported at 1:1 of the project (`codebuild://REGION/PROJECT`), carry the project's
name and ARN, and are never suppressed by a comment (there is no file to write one in).
"""

from __future__ import annotations

from hubspec.build.project import Project
from hubspec.lint.pipeline import is_selected, printable, severity_of
from hubspec.model import Finding, Span
from hubspec.rules import RULES
from hubspec.settings import Settings


def lint_project(display: str, project: Project, settings: Settings) -> list[Finding]:
    """Every selected rule's project check, in rule order."""
    findings: list[Finding] = []
    for rule in RULES:
        if rule.project_check is None or not is_selected(rule, settings):
            continue
        findings.extend(
            Finding(
                path=display,
                rule=rule.code,
                name=rule.name,
                severity=severity_of(rule, settings),
                message=printable(message),
                span=Span.point(1, 1),
                project=project.name,
                project_arn=project.arn,
            )
            for message in rule.project_check(project)
        )
    return findings
