"""What world 94's first contact taught (a Shenzhen bubble-tea chain's ordering on TKE, its logs Tencent Cloud Log
Service's SearchLog results; written after world 93's rules and scored before any rule saw it): 0.500 on seeds 1-4
with one or two wrong HIGH a seed. Its lessons:

- a line LogListener collected whole is in `__CONTENT__`, and the container it came from in `__TAG__` fields
  (`__TAG__.pod_name`): read so, the text is the program's line, not the whole record
  with its tags (whose namespace, repeated by a routine release's diff, had tied that release to the errors at
  HIGH);
- a key the caller signs or authenticates with, expired (`UKEY expired`, `API key has expired`), is an expired
  credential of the caller's;
- an allowance used up at a provider (`InsufficientBalanceInSmsPackage`, `insufficient credits`) is the provider's
  limit, not a resource of the caller's own, even where the line does not name the provider;
- a change to what may reach a front door (its load balancer's security group), and minutes later the requests
  of a service behind it falling away, is the door shut on that service's callers: nobody logs the refusal, and
  the door's own total barely moves (one caller's share of it)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from oncall.tools.read_logs import LogQuery
from oncall.tools.read_logs.embedded import JsonlLogs
from tests.bundles import ALERT_AT as AT
from tests.bundles import (
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    log,
    series,
    setting_change,
    signals,
    verdict,
    write_bundle,
)


def _cls(at: datetime, service: str, fields: dict) -> dict:
    """One log as CLS's SearchLog returns it: the log's fields as a JSON string, with LogListener's tags."""
    pod = f"{service}-6f9c7d8b4-k2x9p"
    tags = {"__TAG__.pod_name": pod, "__TAG__.namespace": "shop", "__TAG__.container_name": service}
    return {"Time": int(at.timestamp() * 1000), "TopicId": "9b27d41c", "TopicName": "shop-prod-app",
            "Source": "10.8.0.11", "FileName": f"/var/log/containers/{pod}_shop_{service}-0a1b.log",
            "PkgId": "790571A74668B89D-34674", "PkgLogId": 12, "HostName": "node-10-8-0-11",
            "LogJson": json.dumps({**fields, **tags}, ensure_ascii=False)}  # fmt: skip


def _routine(service: str, line: str) -> list[dict]:
    return [_cls(AT - 7200 * S + 300 * i * S, service, {"__CONTENT__": line}) for i in range(24)]


def test_a_line_collected_whole_is_its_content_and_its_tags_say_whose(tmp_path: Path) -> None:
    errors = [_cls(AT - 600 * S + 10 * i * S, "member", {"__CONTENT__": "[Nest] 1  - ERROR [SmsService] send failed"})
              for i in range(20)]  # fmt: skip
    records = (
        _routine("member", "[Nest] 1  - LOG [MembersService] points added") + _routine("queue", "INFO ok") + errors
    )
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    q = LogQuery(service="member", start=AT - 45 * M, end=AT, baseline_start=AT - 8 * 60 * M, known=["member", "queue"])
    st = JsonlLogs(path).stats(q)
    shapes = [t.template for t in st.templates]
    assert "[Nest] <*> - ERROR [SmsService] send failed" in shapes, shapes
    assert not any("__TAG__" in t or "shop" in t for t in shapes), shapes
    assert {t.sample_pod for t in st.templates} == {"member-6f9c7d8b4-k2x9p"}


def _caller(tmp_path: Path, name: str, says: str) -> str:
    """api (which calls the provider `vendor`, watched by nothing) fails a fifth of its calls with `says` from eight
    minutes before its alert; a routine release of api three hours before."""
    at = AT - 8 * M
    lines = [_cls(at + 10 * i * S, "api", {"__CONTENT__": f"ERROR {says}"}) for i in range(40)]
    root = write_bundle(
        tmp_path / name,
        services={"api": ["vendor"], "vendor": []},
        alert=alertmanager("ApiErrors", "api"),
        logs=_routine("api", "INFO order created") + lines,
        metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.002, at, 0.2)),
        signals=signals("error_ratio"),
    )
    return verdict(root)


def test_a_key_the_caller_signs_with_expired_is_its_own_credential(tmp_path: Path) -> None:
    assert _caller(tmp_path, "ukey", "print failed: printer api ret=1002 msg=UKEY expired").startswith(
        "api/expired_credential"
    )
    assert _caller(tmp_path, "apikey", "geocoding refused: API key has expired").startswith("api/expired_credential")


def test_an_allowance_used_up_at_a_provider_is_the_providers_limit(tmp_path: Path) -> None:
    said = "send code failed: FailedOperation.InsufficientBalanceInSmsPackage"
    assert _caller(tmp_path, "package", said).startswith("vendor/")
    assert _caller(tmp_path, "credits", "transcription refused: insufficient credits").startswith("vendor/")
    # a resource of its own run out stays its own
    assert _caller(tmp_path, "heap", "java.lang.OutOfMemoryError: Java heap space").startswith(
        "api/resource_exhaustion"
    )


def _shut(
    tmp_path: Path, name: str, rule: str, after: int, to: float, own: str | None = None, path: str | None = None
) -> str:
    """edge (an ingress in front of web and pay) has its load balancer's `rule` changed `after` minutes before
    pay's requests go from 40/s to `to`/s, twelve minutes before pay's alert; edge's own 400/s barely moves, web's
    not at all; pay had a routine release three hours before, and fails a third of what still arrives, logging `own`,
    if given."""
    changed, fell = AT - 12 * M - after * M, AT - 12 * M
    said = [log(fell + 10 * i * S, "pay", "error", own) for i in range(40)] if own else []
    routine = [log(T0 + 5 * i * M, s, "info", "request served") for s in ("edge", "web", "pay") for i in range(90)]
    root = write_bundle(
        tmp_path / name,
        services={"edge": ["web", "pay"], "web": [], "pay": []},
        alert=alertmanager("PaymentCallbacksMissing", "pay"),
        logs=routine + said,
        metric_lines=series("request_rate", "pay", flat_then(T0, END, 40.0, fell, to))
        + series("request_rate", "edge", flat_then(T0, END, 400.0, fell, 400.0 - 40.0 + to))
        + series("request_rate", "web", flat_then(T0, END, 300.0))
        + series("error_ratio", "pay", flat_then(T0, END, 0.002, fell, 0.3 if own else 0.002))
        + [f for s in ("edge", "web") for f in series("error_ratio", s, flat_then(T0, END, 0.002))],
        changes=[
            setting_change(AT - 3 * 60 * M, "pay", "image.tag", "1.3.3", "1.3.4", "deploy"),
            _moved(setting_change(changed, "edge", *rule.split("|")), path),
        ],
        signals=signals("request_rate", "error_ratio"),
    )
    return verdict(root)


def _moved(change: dict, path: str | None) -> dict:
    """The change with its diff's file at `path` (an Ansible inventory's `hosts/...`), if given."""
    if path is None:
        return change
    return {**change, "diff": change["diff"].replace("config/edge/settings.yaml", path)}


def test_a_door_shut_in_front_of_a_service_is_the_change_that_shut_it(tmp_path: Path) -> None:
    sg = "clb.securityGroup.ingress|0.0.0.0/0:443,10.0.0.0/8:8443|10.0.0.0/8:443,10.0.0.0/8:8443"
    assert _shut(tmp_path, "sg", sg, 3, 0.8).startswith("edge/recent_change")
    # a change to something else at the door says nothing of who reaches it, wherever its file is kept
    assert not _shut(tmp_path, "workers", "worker_processes|4|8", 3, 0.8).startswith("edge/")
    assert not _shut(tmp_path, "kept", "worker_processes|4|8", 3, 0.8, path="hosts/group_vars/edge.yml").startswith(
        "edge/"
    )
    # requests only a little lower are not shut out
    assert not _shut(tmp_path, "dip", sg, 3, 28.0).startswith("edge/")
    # a fall long after the change is not the change's
    assert not _shut(tmp_path, "late", sg, 40, 0.8).startswith("edge/")
    # a service behind the door that says what is wrong with it is failing for its own reason
    assert not _shut(tmp_path, "own", sg, 3, 0.8, "payment handler crashed: NullPointerException").startswith("edge/")


def test_what_a_change_changed_is_read_without_its_files_names() -> None:
    """Every reason that asks whether a change touched how traffic is routed or who may call (a path cut, callers
    refused, a door shut, a service's own reach) reads its from, to and diff lines, not the diff's file headers: an
    inventory's `hosts/` file is no change to hosts."""
    from oncall.analysts.offline.findings import change_said
    from oncall.analysts.offline.patterns import admits, reaches
    from oncall.tools.read_changes import Change

    def change(path: str, old: str, new: str) -> Change:
        diff = f"--- a/{path}\n+++ b/{path}\n@@ -3 +3 @@\n   web:\n-    {old}\n+    {new}\n"
        return Change.model_validate({"ts": "2026-03-02T13:50:00Z", "service": "web", "kind": "config", "diff": diff})

    assert not reaches(*change_said(change("inventory/hosts/web.yml", "pool_size: 10", "pool_size: 20")))
    assert reaches(*change_said(change("inventory/group_vars/web.yml", "egress: [10.0.0.0/8]", "egress: []")))
    assert not admits(*change_said(change("acl/allow-list/web.yml", "timeout: 5s", "timeout: 2s")))
    assert admits(*change_said(change("mesh/web.yml", "intentions: [api]", "intentions: []")))
