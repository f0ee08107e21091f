"""Docker Hub pull budget: how many Hub pulls a build makes, and how many builds fit the limits.

The limits are one dated table: Docker's "Docker Hub usage and limits" page as of the date
below (the per-hour limits announced for 2025 were withdrawn on 2025-03-27).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from hubspec.docker.images import is_docker_hub, parse_image
from hubspec.events.model import Analysis, Pull
from hubspec.facts.secrets import mask
from hubspec.records import record

LIMITS_AS_OF = "2025-03-27"
WINDOW_HOURS = 6
PULLS_PER_WINDOW: dict[str, int | None] = {
    "anonymous": 100,  # per IPv4 address or IPv6 /64, shared by every CodeBuild user on it
    "personal": 200,  # a free account, logged in
    "paid": None,  # Pro, Team, Business: unlimited (fair use)
}


@record
class Budget:
    """Docker Hub pulls of one buildspec per build, and per run of all its batch builds."""

    path: str
    pulls_per_build: int
    builds: int
    build_image_pulls: int
    images: tuple[tuple[str, int], ...]

    @property
    def pulls_per_run(self) -> int:
        return self.pulls_per_build * self.builds + self.build_image_pulls

    def runs_per_window(self, tier: str) -> int | None:
        """Whole runs that fit in one window of the tier's limit (None: unlimited)."""
        limit = PULLS_PER_WINDOW[tier]
        if limit is None:
            return None
        return limit // self.pulls_per_run if self.pulls_per_run else None


def budget_of(
    analysis: Analysis, path: str, secrets: AbstractSet[str], mirrors: frozenset[str]
) -> Budget:
    """Count distinct Docker Hub images per build (a multi-platform build once per platform).

    A repeated pull of the same image is served from the local image store or a HEAD
    request, which Docker Hub does not count; a batch build runs this buildspec once per task.
    """
    counts: dict[str, int] = {}
    for event in analysis.events:
        if isinstance(event, Pull) and event.hub:
            name = mask(event.image.familiar, secrets)
            counts[name] = max(counts.get(name, 0), event.platforms)
    tasks = analysis.model.batch_tasks
    own_name = path.rsplit("/", 1)[-1]
    runs_here = [
        task for task in tasks if task.buildspec is None or task.buildspec.endswith(own_name)
    ]
    build_images = 0
    for task in tasks:
        ref = parse_image(task.image) if task.image else None
        if ref is not None and not task.image.startswith("aws/codebuild/"):  # type: ignore[union-attr]
            build_images += is_docker_hub(ref, mirrors=mirrors)
    return Budget(
        path=path,
        pulls_per_build=sum(counts.values()),
        builds=max(1, len(runs_here)),
        build_image_pulls=build_images,
        images=tuple(sorted(counts.items())),
    )
