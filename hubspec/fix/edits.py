"""The fix engine's plain data: a plan of edits, the store entries it added, and a refusal."""

from __future__ import annotations

from hubspec.model import Edit
from hubspec.records import field, record


class Refusal(Exception):
    """The fix cannot be applied safely; the message says why and what to do instead."""


@record
class AddedReference:
    """A secret-store entry the fix added: the user must create what it points to."""

    variable: str
    store: str
    reference: str
    role: str


@record(frozen=False)
class LoginPlan:
    """The edits of one file, and what they do in words."""

    edits: list[Edit] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    added: list[AddedReference] = field(default_factory=list)
    fixed_users: list[str] = field(default_factory=list)
