"""The followers the walk asks, in order, whether a command runs commands from a file.

Make's and the package managers' followers bring a Makefile reader and a package.json
reader (a dozen modules); they are imported the first time a command names one of their
programs, so a build that runs neither does not pay for them at start-up.
"""

from __future__ import annotations

from hubspec.events.follow import MAKE_PROGRAMS, MANAGERS, Call, Followed, Follower
from hubspec.events.resolve import Resolver
from hubspec.events.scripts import SHELLS, SOURCING, follow_script


def follow_make(call: Call, resolver: Resolver) -> Followed | None:
    """`make ...`: the recipe lines it runs (hubspec.events.recipes)."""
    from hubspec.events.recipes import follow_make as follow

    return follow(call, resolver)


def follow_package_script(call: Call, resolver: Resolver) -> Followed | None:
    """`npm run x`, `yarn x`, `pnpm run x`: the package.json scripts it runs."""
    from hubspec.events.recipes import follow_package_script as follow

    return follow(call, resolver)


FOLLOWERS: tuple[Follower, ...] = (follow_script, follow_make, follow_package_script)
PROGRAMS: frozenset[str] = SHELLS | SOURCING | MAKE_PROGRAMS | MANAGERS
"""Program names (without a folder) some follower may claim; a command whose program is none
of these, not a path (`./x.sh`) and not a wrapper (`sudo ...`) is not offered to followers."""
