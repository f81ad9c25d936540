"""What world 96's first contact taught (a Nairobi mobile lender on Elastic Beanstalk, its logs the team's Logs
Insights rows over every environment's log groups; written after world 95's rules and scored before any rule saw
it): 0.500 on seeds 1-4, no wrong HIGH, with no line read as any service's. Its lessons:

- a log group named for a file on a machine as well as its owner (`/aws/elasticbeanstalk/<env>/var/log/
  web.stdout.log`) is the owner's: the file's path says which file, not whose;
- a traditional syslog line kept whole as a line's text (`Jan 29 12:17:11 ip-172-31-7-118 web[5127]: ...`, the
  platform's web.stdout.log) is read after its header, as an RFC 5424 frame is: the program's words, its JSON
  line's level and message; the line's own time and instance come first (the header has no year, no zone);
  once lines were read, two more:
- what a request asked for (nginx's `request: "POST /v1/loans ..."`, and an upstream URL's path after its address)
  names no service that failed: the upstream's address does (a loopback one, the service's own program behind
  its proxy, names none);
- a provider's monthly quota exceeded is the provider's allowance spent (a period's limit, as a daily one);
- a provider saying the identity presented is not valid (M-Pesa's "The initiator information is invalid", an
  API key, credentials) refuses the caller's credential."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.patterns import USAGE_QUOTA, classify
from oncall.tools.read_logs import LogQuery, LogStats
from oncall.tools.read_logs.embedded import JsonlLogs
from tests.bundles import ALERT_AT as AT
from tests.bundles import END, T0, M, S, alertmanager, flat_then, iso, series, signals, verdict, write_bundle

ACCOUNT = "524880193377"


def _row(at: datetime, env: str, message: str, file: str = "var/log/web.stdout.log", stream: str = "") -> dict:
    """One row of a Logs Insights query over Beanstalk's log groups, as `jq ... | add` writes it."""
    return {
        "@timestamp": at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
        "@message": message,
        "@logStream": stream or "i-0" + hashlib.sha256(env.encode()).hexdigest()[:16],
        "@log": f"{ACCOUNT}:/aws/elasticbeanstalk/{env}/{file}",
    }


def _framed(at: datetime, said: str, pid: int = 5127) -> str:
    """The platform's web.stdout.log line: the journal's `web` unit as rsyslog writes it."""
    return f"{at:%b} {at.day:2d} {at:%H:%M:%S} ip-172-31-7-118 web[{pid}]: {said}"


def _stats(tmp_path: Path, records: list[dict], service: str, known: list[str]) -> LogStats:
    """The service's lines, under its environment's name too (as the metrics' label spells it), from the rows in
    time order (as the query sorts them)."""
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in sorted(records, key=lambda r: r["@timestamp"])))
    q = LogQuery(service=service, start=AT - 45 * M, end=AT, baseline_start=AT - 6 * 60 * M, known=known,
                 aliases=[f"mkopo-prod-{service}"])  # fmt: skip
    return JsonlLogs(path).stats(q)


def _routine(env: str, said: str, file: str = "var/log/web.stdout.log") -> list[dict]:
    times = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]
    return [_row(t, env, _framed(t, said) if "stdout" in file else said, file) for t in times]


def test_a_log_group_named_for_a_file_is_its_owners(tmp_path: Path) -> None:
    records = [*_routine("mkopo-prod-loans", "INFO 2029-01-29 07:29:11,496 loans.apply application received"),
               *_routine("mkopo-prod-mpesa", '172.31.5.1 - - [29/Jan/2029:04:35:57 +0000] "GET /health HTTP/1.1" 200',
                         "var/log/nginx/access.log")]  # fmt: skip
    known = ["loans", "mpesa"]
    assert _stats(tmp_path, records, "loans", known).total == 9  # the environment's, not web.stdout.log's
    assert _stats(tmp_path, records, "mpesa", known).total == 9  # whichever of its files
    # a group that is a name alone is read by its last part, as before (/aws/lambda/<function>)
    lambdas = [{**r, "@log": f"{ACCOUNT}:/aws/lambda/shop-prod-orders"} for r in _routine("x", "INFO ok")]
    assert _stats(tmp_path, lambdas, "shop-prod-orders", ["shop-prod-orders"]).total == 9


def test_a_traditional_syslog_line_kept_whole_is_read_after_its_header(tmp_path: Path) -> None:
    pino = '{"level":50,"time":1864383431041,"pid":5127,"msg":"B2C result failed: ResultCode 2001"}'
    django = "WARNING 2029-01-29 15:18:00,674 loans.disburse loan LN2372372 disbursement failed at M-Pesa, left pending"
    records = [
        *_routine("mkopo-prod-mpesa", '{"level":30,"time":1864383431041,"pid":5127,"msg":"request completed"}'),
        *_routine("mkopo-prod-loans", "INFO 2029-01-29 07:29:11,496 loans.apply application received"),
        # (a process restarted for each: the instance is the pod, not the process)
        *[_row(t, "mkopo-prod-mpesa", _framed(t, pino, 5000 + i), stream="i-0776b91bc3f193dfe")
          for i in range(10) if (t := AT - 20 * M + i * M)],
        # (an instance whose clock is Nairobi's: the header says 17:40 for 14:40 UTC, which is the row's time)
        *[_row(t, "mkopo-prod-loans", _framed(t + 3 * 60 * M, django)) for i in range(10) if (t := AT - 20 * M + i * M)],
        # files of the same environments whose lines are not frames keep them as they are (most of the lines:
        # the journal's file is one of several)
        *[r for env in ("mkopo-prod-loans", "mkopo-prod-mpesa", "mkopo-prod-ussd")
          for r in _routine(env, '172.31.5.1 - - [29/Jan/2029:04:35:57 +0000] "GET /health HTTP/1.1" 200',
                            "var/log/nginx/access.log")],
    ]  # fmt: skip
    known = ["loans", "mpesa"]
    st = _stats(tmp_path, records, "mpesa", known)
    assert st.levels == {"INFO": 18, "ERROR": 10}, st.levels  # the JSON line's own level, 50
    failed = next(t for t in st.templates if "result failed" in t.template)
    assert failed.template.startswith("B<*>C result failed") and "web[" not in failed.sample  # its message
    assert failed.pods == 1  # the instance the line came from, not the program's process id
    st = _stats(tmp_path, records, "loans", known)
    assert st.levels == {"INFO": 18, "WARN": 10}, st.levels  # the program's own word, not "failed"
    assert st.total == 28  # every line at its row's own time: the header's has no year and no zone


def _platform_update(tmp_path: Path, upstream: str) -> str:
    """gateway's Node runtime was updated two minutes before its app stopped starting; its nginx refuses every
    request to `upstream`; loans, which gateway calls, had a routine release earlier and is healthy."""
    at = AT - 8 * M
    nginx = [_row(t, "gateway", f'{t:%Y/%m/%d %H:%M:%S} [error] 2203#2203: *32081 connect() failed (111: '
                  f'Connection refused) while connecting to upstream, client: 172.31.5.200, server: , request: "POST '
                  f'/v1/loans HTTP/1.1", upstream: "http://{upstream}/v1/loans", host: "api.mkopo.co.ke"',
                  "var/log/nginx/error.log") for i in range(60) if (t := at + 5 * i * S)]  # fmt: skip
    access = [_row(t, "gateway", f'172.31.11.18 - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "POST /v1/loans HTTP/1.1" '
                   '502 157 "-" "okhttp/4.12.0"', "var/log/nginx/access.log")
              for i in range(60) if (t := at + 5 * i * S)]  # fmt: skip
    root = write_bundle(
        tmp_path,
        services={"gateway": ["loans"], "loans": []},
        alert=alertmanager("GatewayErrors", "gateway"),
        logs=_routine("gateway", '{"level":30,"msg":"request completed"}')
        + _routine("loans", "INFO 2029-01-29 07:29:11,496 loans.apply application received")
        + nginx
        + access,
        metric_lines=series("error_ratio", "gateway", _flat(0.003, at, 0.7))
        + series("error_ratio", "loans", _flat(0.003)),
        changes=[
            _deploy(at - 2 * M, "gateway", "platform", "Node.js 20", "Node.js 22"),
            _deploy(at - 105 * M, "loans", "version", "v2.0.3", "v2.0.4"),
        ],
        signals=signals("error_ratio"),
    )
    return verdict(root)


def _flat(v: float, at: datetime | None = None, then: float = 0.0) -> list[tuple[datetime, float]]:
    return flat_then(T0, END, v, at, then) if at else flat_then(T0, END, v)


def _deploy(at: datetime, service: str, key: str, old: str, new: str) -> dict:
    return {"ts": iso(at), "service": service, "kind": "deploy", "from": f"{key}={old}", "to": f"{key}={new}",
            "author": "ci", "ref": "run 1", "diff": f"eb deploy mkopo-prod-{service}  # {old} -> {new}\n"}  # fmt: skip


def test_what_a_request_asked_for_names_no_service_the_upstream_does(
    tmp_path: Path,
) -> None:
    # nginx in front of gateway's own app on each instance: the app refusing is gateway's, and its change says why
    assert _platform_update(tmp_path / "own", "127.0.0.1:8080").startswith("gateway/recent_change")
    # the upstream a service of ours: its refusals are about it, whatever the request asked for
    assert _platform_update(tmp_path / "loans", "loans.internal:8080").startswith("loans/")


def _bureau(tmp_path: Path, says: str) -> str:
    """scoring (calling crb, a provider sending no telemetry, and db, healthy) is refused by the bureau from eight
    minutes before its alert."""
    lines = [_row(t, "scoring", _framed(t, f"2029-03-29T11:27:04.357Z  WARN 2517 --- [scoring] "
                  f"k.c.m.scoring.CreditCheckClient : bureau report failed: {says}"))
             for i in range(60) if (t := AT - 8 * M + 8 * i * S)]  # fmt: skip
    root = write_bundle(
        tmp_path,
        services={"scoring": ["crb", "db"], "crb": [], "db": []},
        alert=alertmanager("BureauErrors", "scoring"),
        logs=_routine("scoring", "2029-03-29T10:00:00.000Z  INFO 2517 --- [scoring] scored") + lines,
        metric_lines=series("error_ratio", "scoring", _flat(0.003, AT - 8 * M, 0.35))
        + series("error_ratio", "db", _flat(0.001)),
        signals=signals("error_ratio"),
    )
    return verdict(root)


def test_a_providers_monthly_quota_exceeded_is_its_allowance_spent(tmp_path: Path) -> None:
    said = "429 Too Many Requests from https://api.metropol.co.ke/v2/report: Monthly quota exceeded for API key k"
    assert _bureau(tmp_path / "quota", said).startswith("crb/")
    assert USAGE_QUOTA.search(said)
    # a quota with no period is not an allowance spent for the month: a rate the caller sent
    assert not USAGE_QUOTA.search("429 Too Many Requests: quota exceeded, retry in 2s")


def test_a_provider_saying_the_identity_presented_is_invalid_refuses_the_credential(tmp_path: Path) -> None:
    assert classify("B2C result failed: ResultCode 2001 The initiator information is invalid.") == "expired_credential"
    assert classify("401 from provider: the API key is invalid") == "expired_credential"
    assert classify("validation failed: the request is invalid") != "expired_credential"
    lines = [_row(t, "mpesa", _framed(t, '{"level":50,"msg":"B2C result failed: ResultCode 2001 The '
                  'initiator information is invalid."}')) for i in range(40) if (t := AT - 8 * M + 10 * i * S)]  # fmt: skip
    root = write_bundle(
        tmp_path,
        services={"mpesa": ["daraja"], "daraja": []},
        alert=alertmanager("B2CFailures", "mpesa"),
        logs=_routine("mpesa", '{"level":30,"msg":"request completed"}') + lines,
        metric_lines=series("error_ratio", "mpesa", _flat(0.003, AT - 8 * M, 0.05)),
        signals=signals("error_ratio"),
    )
    assert verdict(root).startswith("mpesa/expired_credential")
