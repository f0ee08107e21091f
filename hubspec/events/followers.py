"""The followers the walk asks, in order, whether a command runs commands from a file."""

from __future__ import annotations

from hubspec.events.follow import Follower
from hubspec.events.recipes import follow_make, follow_package_script
from hubspec.events.scripts import follow_script

FOLLOWERS: tuple[Follower, ...] = (follow_script, follow_make, follow_package_script)
