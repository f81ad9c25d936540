"""open_pr: the only write, as a draft PR on a fork, with its guardrails in code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oncall.analysts.offline.analyst import OfflineAnalyst
from oncall.core.errors import ToolError
from oncall.core.investigation import Settings
from oncall.estate.bundle import Bundle
from oncall.investigate import investigate, prepare
from oncall.tools.open_pr import PICTURES_BRANCH, OpenPrInput, Picture, PrPlan, PrPolicy, PrRequests, plan
from oncall.tools.open_pr.github import GithubForks
from oncall.tools.open_pr.localgit import LocalForks
from tests.conftest import DEMO, ROOT
from tests.fake_github import FakeGitHub

VALUES = "apps/api-gateway/values.yaml"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def oncall(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oncall.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_demo_opens_a_draft_pr_that_reverts_the_pool_cut(tmp_path):
    work = tmp_path / "forks"
    p = oncall("investigate", DEMO, "--open-pr", "--pr-workdir", work, "--format", "json")
    assert p.returncode == 0, p.stderr
    pr = json.loads(p.stdout)["pr"]
    assert pr["url"] == (work / "fork").resolve().as_uri() and pr["branch"].startswith("oncall/")
    diff = git(work / "fork", "diff", "main", pr["branch"])
    assert "-    maxConnections: 10\n+    maxConnections: 100" in diff
    assert "-  tag: v2.14.3\n+  tag: v2.14.2" in diff
    assert git(work / "upstream", "rev-list", "--count", "--all").strip() == "1"  # upstream untouched
    assert git(work / "upstream", "status", "--porcelain") == ""
    record = json.loads(next((work / "fork" / ".git" / "oncall-prs").glob("*.json")).read_text())
    assert record["draft"] is True and "oncall-copilot" in record["labels"]
    cited = record["body"].split("## Citations", 1)[-1]
    assert "maxConnections" in record["body"] and "ref a41f9c2" in cited  # the deploy that cut the pool, cited
    image = next((work / "fork" / ".git" / "oncall-prs").glob("*.png"))  # the key signal, beside the record
    assert image.read_bytes().startswith(b"\x89PNG") and record["body"].startswith("![api-gateway ")
    assert f"]({image.resolve().as_uri()})" in record["body"].splitlines()[0]
    assert git(work / "fork", "diff", "--stat", "main", pr["branch"]).count("|") == 1  # the picture is not in the PR
    assert not (DEMO / "repo" / ".git").exists()  # the bundle itself is never a repository we write

    again = oncall("investigate", DEMO, "--open-pr", "--pr-workdir", work, "--format", "json")
    assert json.loads(again.stdout)["pr"]["branch"] == pr["branch"]
    assert any("already existed" in n for n in json.loads(again.stdout)["investigation"]["notes"])
    assert git(work / "fork", "rev-list", "--count", pr["branch"]).strip() == "2"  # not committed twice


def test_the_pr_link_is_in_the_brief(tmp_path):
    p = oncall("investigate", DEMO, "--open-pr", "--pr-workdir", tmp_path / "w", "--format", "markdown")
    assert "## Pull request" in p.stdout and "file://" in p.stdout


@pytest.fixture
def ctx_and_requests(tmp_path):
    b = Bundle.open(DEMO)
    backends = b.backends()
    backends.pull_requests = b.pull_requests(tmp_path / "w")
    _, runner = prepare(b.alert_payload(), b.catalog, backends, Settings())
    runner.call("read_changes", {})
    return runner, backends.pull_requests


def _plan(runner, requests: PrRequests, **args) -> PrPlan:
    return plan(runner.context, OpenPrInput(reason="test", **args), requests.policy, requests.backend, runner.results)


def test_guardrail_repository_allow_list(ctx_and_requests):
    runner, requests = ctx_and_requests
    requests.policy = PrPolicy(allowed_repos={"acme/other"})
    with pytest.raises(ToolError, match="not on the allow-list"):
        _plan(runner, requests, service="api-gateway", revert_change="a41f9c2")


def test_guardrail_only_catalogued_config_paths(ctx_and_requests):
    runner, requests = ctx_and_requests
    for path in ("apps/orders/values.yaml", "../../etc/passwd", ".github/workflows/deploy.yml"):
        with pytest.raises(ToolError, match="not one of api-gateway's config paths"):
            _plan(runner, requests, service="api-gateway", path=path, old="a", new="b")


def test_guardrail_changed_line_cap(ctx_and_requests):
    runner, requests = ctx_and_requests
    requests.policy.max_changed_lines = 1
    with pytest.raises(ToolError, match="changes 4 lines; at most 1"):
        _plan(runner, requests, service="api-gateway", revert_change="a41f9c2")


def test_guardrail_refuses_a_secret(ctx_and_requests):
    runner, requests = ctx_and_requests
    with pytest.raises(ToolError, match="secret"):
        _plan(
            runner, requests, service="api-gateway", path=VALUES, old="idleTimeout: 90s", new="password: hunter2-prod"
        )


def test_guardrail_edit_must_match_once_and_change_something(ctx_and_requests):
    runner, requests = ctx_and_requests
    with pytest.raises(ToolError, match="occurs 0 times"):
        _plan(runner, requests, service="api-gateway", path=VALUES, old="maxConnections: 5", new="x")
    good = _plan(
        runner, requests, service="api-gateway", path=VALUES, old="maxConnections: 10", new="maxConnections: 100"
    )
    assert good.changed_lines == 2 and "maxConnections: 100" in good.after


def test_guardrail_unknown_change_and_other_services_change(ctx_and_requests):
    runner, requests = ctx_and_requests
    with pytest.raises(ToolError, match="call read_changes first"):
        _plan(runner, requests, service="api-gateway", revert_change="deadbee")
    with pytest.raises(ToolError, match="belongs to orders"):
        _plan(runner, requests, service="api-gateway", revert_change="e7d2a90")


def test_model_request_to_write_elsewhere_is_an_error_result_not_a_write(ctx_and_requests, tmp_path):
    runner, requests = ctx_and_requests
    r = runner.call(
        "open_pr",
        {
            "service": "api-gateway",
            "path": "apps/auth/values.yaml",
            "old": "a",
            "new": "b",
            "reason": "log line told me to",
        },
    )
    assert not r.ok and "config paths" in r.error
    assert requests.plans == []
    ok = runner.call("open_pr", {"service": "api-gateway", "revert_change": "a41f9c2", "reason": "rollback"})
    assert ok.ok and "will be opened once the diagnosis is grounded" in ok.text
    twice = runner.call("open_pr", {"service": "api-gateway", "revert_change": "a41f9c2", "reason": "again!"})
    assert not twice.ok and "already requested" in twice.error
    assert not (tmp_path / "w" / "fork").exists() or git(tmp_path / "w" / "fork", "branch").strip() == "* main"


def test_no_pr_on_a_low_root_cause(tmp_path, demo_copy):
    (demo_copy / "changes.jsonl").write_text("")
    for name in ("logs.jsonl", "metrics.om", "traces.jsonl", "k8s.jsonl", "k8s_state.json"):
        (demo_copy / name).unlink()
    b = Bundle.open(demo_copy)
    backends = b.backends()
    backends.pull_requests = b.pull_requests(tmp_path / "w")
    inv = investigate(b.alert_payload(), catalog=b.catalog, backends=backends, analyst=OfflineAnalyst())
    assert inv.diagnosis.pr is None and any("no pull request" in n for n in inv.notes)


# ------------------------------------------------------------------ GitHub backend
@pytest.fixture
def github():
    files = {VALUES: (DEMO / "repo" / VALUES).read_text()}
    server = FakeGitHub(files)
    yield server
    server.close()


def _gh_plan() -> PrPlan:
    before = (DEMO / "repo" / VALUES).read_text()
    after = before.replace("maxConnections: 10\n", "maxConnections: 100\n")
    return PrPlan(
        repo="acme/platform-config",
        path=VALUES,
        before=before,
        after=after,
        title="Revert a41f9c2",
        reason="rollback",
        service="api-gateway",
        changed_lines=2,
    )


def _backend(server: FakeGitHub, token: str = "ghp_test") -> GithubForks:
    return GithubForks(
        upstream="acme/platform-config", fork="oncall-bot/platform-config", token=token, base_url=server.url
    )


def test_github_opens_a_cross_fork_draft_pr_and_writes_only_to_the_fork(github):
    backend = _backend(github)
    assert "maxConnections: 10" in backend.read_file("acme/platform-config", VALUES)
    pr = backend.open(_gh_plan(), "oncall/inv-1", "the brief")
    assert pr.url == "https://github.example/acme/platform-config/pull/1"
    made = github.pulls[0]
    assert made["draft"] is True and made["_head"] == "oncall-bot:oncall/inv-1" and made["base"]["ref"] == "main"
    assert github.labels[1] == ["oncall-copilot"]
    assert github.repos["oncall-bot/platform-config"]["files"][("oncall/inv-1", VALUES)].count("maxConnections: 100")
    assert github.repos["acme/platform-config"]["files"][("main", VALUES)].count("maxConnections: 10\n") == 1
    upstream_writes = [w for w in github.writes if w[1].startswith("/repos/acme/")]
    assert upstream_writes == [
        ("POST", "/repos/acme/platform-config/pulls"),
        ("POST", "/repos/acme/platform-config/issues/1/labels"),
    ]
    again = backend.open(_gh_plan(), "oncall/inv-1", "the brief")
    assert again.existing and len(github.pulls) == 1


def test_github_shows_the_key_signal_at_the_top_of_the_pr_without_widening_it(github):
    """The picture goes to the fork's pictures branch, not the PR's: the PR still changes one file."""
    picture = Picture(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "api-gateway latency_p99")
    _backend(github).open(_gh_plan(), "oncall/inv-4", "the brief", picture)
    fork = github.repos["oncall-bot/platform-config"]["files"]
    assert fork[(PICTURES_BRANCH, "pictures/oncall_inv-4.png")] == picture.png  # stored byte for byte
    assert {p for (br, p) in fork if br == "oncall/inv-4"} == {VALUES}  # the PR's branch: the edit alone
    body = github.pulls[0]["body"]
    url = f"https://github.example/oncall-bot/platform-config/blob/{PICTURES_BRANCH}/pictures/oncall_inv-4.png?raw=true"
    assert body.startswith(f"![api-gateway latency_p99]({url})") and body.endswith("the brief")
    # a second investigation reuses the pictures branch (its 422 is tolerated)
    _backend(github).open(_gh_plan(), "oncall/inv-5", "another brief", picture)
    assert (PICTURES_BRANCH, "pictures/oncall_inv-5.png") in fork and len(github.pulls) == 2


def test_github_reuses_a_branch_left_by_an_interrupted_run(github):
    github.repos["oncall-bot/platform-config"]["branches"]["oncall/inv-2"] = "abc"
    github.repos["oncall-bot/platform-config"]["files"][("oncall/inv-2", VALUES)] = _gh_plan().before
    pr = _backend(github).open(_gh_plan(), "oncall/inv-2", "body")  # the 422 on create ref is tolerated
    assert pr.url.endswith("/pull/1")


def test_github_errors_say_what_to_check(github):
    with pytest.raises(ToolError, match=r"401\): check GITHUB_TOKEN"):
        _backend(github, token="wrong").read_file("acme/platform-config", VALUES)
    github.fail[("GET", "/repos/acme/platform-config")] = (
        403,
        {"message": "API rate limit exceeded for user ID 1."},
        {"x-ratelimit-remaining": "0", "x-ratelimit-limit": "5000", "x-ratelimit-reset": "1763900000"},
    )
    with pytest.raises(ToolError, match=r"rate limit reached .* resets at epoch 1763900000"):
        _backend(github).read_file("acme/platform-config", VALUES)
    with pytest.raises(ToolError, match="404"):
        _backend(github).read_file("acme/platform-config", "apps/missing.yaml")
    github.fail[("POST", "/repos/acme/platform-config/pulls")] = (
        422,
        {"message": "Validation Failed", "errors": [{"message": "A pull request already exists"}]},
        {},
    )
    with pytest.raises(ToolError, match="422 while trying to open the draft pull request"):
        _backend(github).open(_gh_plan(), "oncall/inv-3", "body")


def test_github_refuses_a_fork_that_is_upstream():
    with pytest.raises(ToolError, match="refusing to write upstream"):
        GithubForks(upstream="acme/x", fork="acme/x", token="t")


def test_local_forks_refuse_a_workdir_inside_the_bundle(demo_copy):
    forks = LocalForks(source=demo_copy / "repo", workdir=demo_copy / "prs", repo="acme/platform-config")
    with pytest.raises(ToolError, match="outside the bundle"):
        forks.read_file("acme/platform-config", VALUES)


def test_github_check_reads_upstream_and_fork_and_writes_nothing(github):
    assert _backend(github).check() == (
        "upstream acme/platform-config readable; fork oncall-bot/platform-config readable"
    )
    assert github.writes == []
    with pytest.raises(ToolError, match="check GITHUB_TOKEN"):
        _backend(github, token="revoked").check()
