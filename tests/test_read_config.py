"""read_config: a service's config files as the repository holds them now, numbered and citable;
from the bundle's repo/ (only plain paths inside it) or GitHub's contents API."""

from __future__ import annotations

import shutil

import pytest

from oncall.core.errors import BundleError, ToolError
from oncall.core.window import Window
from oncall.estate.bundle import Bundle
from oncall.tools import READ_TOOLS, offered
from oncall.tools.read_config.embedded import BundleRepo
from oncall.tools.read_config.github import GithubFiles
from oncall.tools.remote import Remote
from oncall.tools.runner import ToolRunner
from oncall.tools.tool import ToolContext
from tests.bundles import ALERT_AT
from tests.conftest import DEMO
from tests.fake_github import FakeGitHub

VALUES = "apps/api-gateway/values.yaml"


def runner(root) -> ToolRunner:  # type: ignore[no-untyped-def]
    b = Bundle.open(root)
    return ToolRunner(ToolContext(b.backends(), b.catalog, Window.around(ALERT_AT)), dict(READ_TOOLS), 10)


def test_reads_the_catalogued_config_files_with_line_numbers() -> None:
    r = runner(DEMO).call("read_config", {"service": "api-gateway"})
    assert r.ok, r.error
    assert r.lines[0] == "config of api-gateway in acme/platform-config, as the repository holds it now"
    assert r.line(3) == "   1 | # api-gateway Helm values (production)"  # citable as R1:L3


def test_a_service_outside_the_catalog_or_without_config_is_an_error_result() -> None:
    r = runner(DEMO)
    assert "not in the catalog" in (r.call("read_config", {"service": "nope"}).error or "")
    b = Bundle.open(DEMO)
    no_paths = b.catalog.model_copy(
        update={"services": {"x": b.catalog.services["api-gateway"].model_copy(update={"config_paths": []})}}
    )
    bare = ToolRunner(ToolContext(b.backends(), no_paths, Window.around(ALERT_AT)), dict(READ_TOOLS), 10)
    assert "names no config repository or files" in (bare.call("read_config", {"service": "x"}).error or "")


def test_the_bundle_repository_is_read_only_inside_itself(demo_copy) -> None:
    repo = BundleRepo(demo_copy / "repo")
    for path in ("../alert.json", "/etc/passwd", ".git/config", "apps/../../catalog.yaml"):
        with pytest.raises(ToolError, match="not a plain path"):
            repo.read_file("acme/platform-config", path)
    with pytest.raises(ToolError, match="does not exist"):
        repo.read_file("acme/platform-config", "apps/nothing.yaml")
    (demo_copy / "repo" / "apps" / "out.yaml").symlink_to("/etc/hostname")
    with pytest.raises(BundleError, match="outside the bundle"):  # refused when the bundle is opened
        Bundle.open(demo_copy)


def test_an_estate_without_a_repository_is_not_offered_read_config(demo_copy) -> None:
    assert "read_config" in offered(Bundle.open(demo_copy).backends())
    shutil.rmtree(demo_copy / "repo")
    assert "read_config" not in offered(Bundle.open(demo_copy).backends())


def test_github_reads_the_file_at_the_default_branch_and_says_what_to_check() -> None:
    server = FakeGitHub({VALUES: (DEMO / "repo" / VALUES).read_text()})
    try:
        remote = Remote("GitHub", server.url, "GITHUB_TOKEN")
        files = GithubFiles(remote, token="ghp_test", repos=("acme/platform-config",))
        assert "maxConnections: 10\n" in files.read_file("acme/platform-config", VALUES)
        with pytest.raises(ToolError, match="does not exist in acme/platform-config"):
            files.read_file("acme/platform-config", "apps/nothing.yaml")
        assert files.check() == "acme/platform-config readable"
        assert not server.writes  # read-only
    finally:
        server.close()


def test_read_config_is_offered_to_the_model_with_its_schema() -> None:
    assert READ_TOOLS["read_config"].input_model.model_json_schema()["required"] == ["service"]
