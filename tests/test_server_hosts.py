"""The server's list of host files: found once by discovery, found again only when it changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import codebuild_project
from hubspec.run import files
from hubspec.server.projects import HostFiles

TEMPLATE = "Resources:\n" + codebuild_project("Build", "ci/buildspec.yml")


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Each discovery the host list makes, by the paths it was given."""
    seen: list[list[str]] = []
    discover = files.discover

    def counting(paths: list[str]) -> list[files.Target]:
        seen.append(paths)
        return discover(paths)

    monkeypatch.setattr(files, "discover", counting)
    return seen


def test_the_list_is_found_again_only_when_a_template_comes_or_goes(
    tmp_path: Path, walks: list[list[str]]
) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "buildspec.yml").write_text("version: 0.2\n", encoding="utf-8")
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    hosts = HostFiles()
    assert hosts.under(tmp_path) == [template]
    compose = tmp_path / "docker-compose.yml"
    assert not hosts.changed(compose, "services: {}\n")  # a YAML file that is no template
    assert not hosts.changed(tmp_path / "ci" / "buildspec.yml", "version: 0.2\n")
    assert not hosts.changed(template, TEMPLATE)  # saved, still a template
    assert not hosts.changed(tmp_path / "gone.yaml", None)  # never listed
    assert hosts.under(tmp_path) == [template]
    assert len(walks) == 1
    other = tmp_path / "infra.yaml"
    other.write_text(TEMPLATE, encoding="utf-8")
    assert hosts.changed(other, TEMPLATE)  # a new template
    assert hosts.under(tmp_path) == [other, template]
    template.write_text("Resources: {}\n", encoding="utf-8")
    assert hosts.changed(template, "Resources: {}\n")  # saved, no longer a template
    assert hosts.under(tmp_path) == [other]
    other.unlink()
    assert hosts.changed(other, None)  # a listed template deleted
    assert hosts.under(tmp_path) == []
    assert len(walks) == 4  # the first, and one after each of the three changes that count
