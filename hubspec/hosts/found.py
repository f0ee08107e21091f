"""What reading a host file hands on: its CodeBuild projects and their buildspecs."""

from __future__ import annotations

from hubspec.build.project import Project
from hubspec.hosts.textmap import Mapped
from hubspec.records import field, record


@record
class Problem:
    """Something about a project definition worth a finding, at host offsets.

    `code` is the rule: HS002 (the definition is not what CodeBuild accepts, e.g. a
    BuildSpec that is a list) or HS005 (the buildspec is not known statically).
    """

    code: str
    message: str
    start: int
    end: int


@record(frozen=False, eq=False)
class HostProject:
    """One CodeBuild project and where its buildspec comes from.

    At most one of `inline` (the text, mapped to host offsets) and `path` (a buildspec
    file) is set; neither when the buildspec is the source's `buildspec.yml`, an S3 object
    or not known statically (then `problems` says so where that matters).
    """

    project: Project
    inline: Mapped | None = None
    path: str | None = None
    """A buildspec file: relative to the source root, or (`base` "module") to the host's folder."""
    path_span: tuple[int, int] = (0, 0)
    """Where the host names `path` (host offsets), for a finding when it cannot be read."""
    base: str = "source"
    substitutions: tuple[tuple[str, str | None], ...] = ()
    """For a template file (`templatefile`): its variables, None where not a literal."""
    problems: list[Problem] = field(default_factory=list)
    splice: str | None = None
    """How a fix may change the inline text in the host: "lines" (a block scalar or heredoc:
    whole lines inserted with the block's indentation), "json" (one JSON string, re-encoded
    whole at `token`), None (pieces, `Fn::Join`: not edited)."""
    token: tuple[int, int] | None = None
    substituted: bool = False
    """The host substitutes `${...}` in the text (`!Sub`, a Terraform heredoc)."""
    image_key: int | None = None
    """Where the image's key (`Image:`, `"Image"`, `image =`) starts: a fix adds lines after it."""
    image_value: tuple[int, int] | None = None
    pull_type: tuple[int, int] | None = None
    """The value of ImagePullCredentialsType (`image_pull_credentials_type`), when set."""


@record(frozen=False, eq=False)
class HostFile:
    """A parsed host file: its dialect, its projects, or why it could not be read."""

    kind: str
    """"cloudformation" (YAML or JSON), "cdk" (generated JSON) or "terraform"."""
    projects: list[HostProject] = field(default_factory=list)
    problem: Problem | None = None
