"""
## What it does
Reports a `docker login` to Docker Hub under a host name other than the canonical one:
`docker login index.docker.io`, `registry-1.docker.io` or `registry.hub.docker.com`.

## Why is this bad?
Docker stores credentials per server key. Pulls of Hub images look up the key
`https://index.docker.io/v1/`, which `docker login` with no server (or `docker.io`) writes.
A login under another spelling is stored under another key, so later pulls may still go out
anonymously and hit the rate limit.

## Example
```yaml
      - echo "$DOCKER_TOKEN" | docker login -u "$DOCKER_USER" --password-stdin index.docker.io
```

## Use instead
```yaml
      - echo "$DOCKER_TOKEN" | docker login -u "$DOCKER_USER" --password-stdin
```

## Fix
Not fixed automatically yet: remove the server argument, or write `docker.io`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    from hubspec.events.model import Login

    for event in context.analysis.events:
        if isinstance(event, Login) and event.hub and not event.canonical:
            start, end = event.server_span or (event.place.start, event.place.end)
            yield Diagnostic(
                "HS102",
                f"docker login {event.server} stores the credential under a key Docker Hub pulls"
                " may not use; log in with no server (or docker.io)",
                start,
                end,
            )


RULE = Rule(
    code="HS102",
    name="non-canonical-hub-login",
    severity=Severity.WARNING,
    summary="a Docker Hub login under a host name Hub pulls may not find",
    docs=docs_of(__doc__),
    check=check,
)
