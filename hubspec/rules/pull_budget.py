"""
## What it does
Counts the Docker Hub pulls one build makes (each distinct Hub image once, a multi-platform
`buildx build --platform a,b` once per platform) and reports a build that needs more than a
share of a free account's limit (`budget-share` in config, default 0.1: 20 of 200 pulls per
6 hours).

## Why is this bad?
Logging in raises the limit; it does not remove it. A build that pulls dozens of Hub images
exhausts a free account's 200 pulls per 6 hours after a handful of builds, and then every
build fails with `toomanyrequests` until the window rolls over.

## Example
```yaml
phases:
  build:
    commands:
      - docker compose build   # 25 services, each FROM a different Hub image
```

## Use instead
Pull from a mirror: `hubspec fix --strategy mirror --mirror ecr-public` (official images) or
`--mirror pull-through:ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX` (an ECR pull-through
cache for every Hub image), or use a paid Docker Hub plan.

## Fix
Not fixed by the login fix; `hubspec fix --strategy mirror` takes the pulls off Docker Hub.
`hubspec lint --stats` shows the budget of every file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    from hubspec.facts.budget import PULLS_PER_WINDOW, WINDOW_HOURS

    budget = context.budget
    limit = PULLS_PER_WINDOW["personal"] or 0
    allowed = limit * context.settings.budget_share
    if budget.pulls_per_build <= allowed:
        return
    runs = budget.runs_per_window("personal")
    root = context.document.root
    key = root.key_node("phases") or root
    yield Diagnostic(
        "HS301",
        f"one build pulls {budget.pulls_per_build} images from Docker Hub, more than"
        f" {context.settings.budget_share:.0%} of a free account's {limit} pulls per {WINDOW_HOURS} h"
        f" ({runs} build(s) fit); consider `hubspec fix --strategy mirror`",
        key.start,
        key.end,
    )


RULE = Rule(
    code="HS301",
    name="pull-budget",
    severity=Severity.WARNING,
    summary="one build needs more than a set share of a free account's Docker Hub pull limit",
    docs=docs_of(__doc__),
    check=check,
)
