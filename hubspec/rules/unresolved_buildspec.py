"""
## What it does
Notes a CodeBuild project whose buildspec hubspec cannot read: a `!Ref` of a template
parameter, a Terraform variable or conditional, an S3 object, an intrinsic function hubspec
does not know; or a buildspec file the project (or a batch task, `batch.build-list[].buildspec`)
names that is not in the source root (often: the project builds another repository; for a
batch task the build fails), or that lies outside it (`../`, a symlink out), which hubspec
never reads.

## Why is this bad?
It is not bad in itself, but hubspec does not lint that buildspec, so a Docker Hub pull
without login in it goes unreported. Lint the buildspec file itself as well.

## Example
```yaml
      Source:
        BuildSpec: !Ref BuildSpecParameter
```

## Use instead
```yaml
      Source:
        BuildSpec: ci/buildspec.yml
```

## Fix
Not fixable: write the buildspec inline or as a path in the source, or lint the file the
parameter names with `hubspec lint`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    """The batch's buildspec files that are not read (a project's are noted by its host)."""
    for start, end, why in context.analysis.unread_batch_buildspecs:
        yield Diagnostic("HS005", f"{why}; it is not linted", start, end)


RULE = Rule(
    code="HS005",
    name="unresolved-buildspec",
    severity=Severity.INFO,
    summary="a project's or batch task's buildspec cannot be read (not known statically,"
    " missing, or outside the source root), so it is not linted",
    docs=docs_of(__doc__),
    check=check,
)
