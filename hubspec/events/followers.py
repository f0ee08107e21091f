"""The followers the walk asks, in order, whether a command runs commands from a file."""

from __future__ import annotations

from hubspec.events.follow import Follower
from hubspec.events.npm import MANAGERS
from hubspec.events.recipes import MAKE_PROGRAMS, follow_make, follow_package_script
from hubspec.events.scripts import SHELLS, SOURCING, follow_script

FOLLOWERS: tuple[Follower, ...] = (follow_script, follow_make, follow_package_script)
PROGRAMS: frozenset[str] = SHELLS | SOURCING | MAKE_PROGRAMS | MANAGERS
"""Program names (without a folder) some follower may claim; a command whose program is none
of these, not a path (`./x.sh`) and not a wrapper (`sudo ...`) is not offered to followers."""
