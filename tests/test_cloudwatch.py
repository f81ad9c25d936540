"""CloudWatch as a read_metrics backend, against moto's server (boto3 unmodified): the demo's
signals put as CloudWatch metrics read back to the same anomalies as the embedded file, with
ratios and rates computed from two metrics; errors are one line."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.core.investigation import Settings
from oncall.estate.bundle import Bundle
from oncall.estate.config import Config
from oncall.investigate import prepare
from tests.conftest import DEMO

SERVICE = "api-gateway"
NS = "Demo/Services"
SIGNALS = {
    "request_rate": f"{NS}:Requests:Sum{{Service={{service}}}} / PERIOD",
    "error_ratio": f"{NS}:Errors:Sum{{Service={{service}}}} / {NS}:Requests:Sum{{Service={{service}}}}",
    "latency_p99": f"{NS}:LatencyP99:Maximum{{Service={{service}}}}",
    "pool_utilization": f"{NS}:PoolUtilization:Average{{Service={{service}}}}",
    "cpu_utilization": f"{NS}:CPUUtilization:Average{{Service={{service}}}}",
}


def demo_samples() -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {}
    for line in (DEMO / "metrics.om").read_text().splitlines():
        m = re.match(r'^([\w:]+)\{service="' + SERVICE + r'",[^}]*\} (\S+) (\d+)$', line)
        if m:
            out.setdefault(m.group(1), []).append((float(m.group(3)), float(m.group(2))))
    return out


@pytest.fixture(scope="module")
def moto_url():
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    cw = boto3.client(
        "cloudwatch", region_name="eu-west-1", endpoint_url=url, aws_access_key_id="t", aws_secret_access_key="t"
    )
    s = demo_samples()
    data = []
    for (t, rps), (_, ratio) in zip(
        s["service:http_requests:rate1m"], s["service:http_error_ratio:rate1m"], strict=True
    ):
        data += [("Requests", t, rps * 60), ("Errors", t, rps * 60 * ratio)]
    for name, series in (
        ("LatencyP99", "service:http_latency_p99_seconds"),
        ("PoolUtilization", "service:connection_pool_utilization:ratio"),
        ("CPUUtilization", "service:cpu_utilization:ratio"),
    ):
        data += [(name, t, v) for t, v in s[series]]
    for i in range(0, len(data), 500):
        cw.put_metric_data(
            Namespace=NS,
            MetricData=[
                {
                    "MetricName": n,
                    "Dimensions": [{"Name": "Service", "Value": SERVICE}],
                    "Timestamp": datetime.fromtimestamp(t, UTC),
                    "Value": v,
                }
                for n, t, v in data[i : i + 500]
            ],
        )
    yield url
    server.stop()


def config(tmp_path, url: str, signals: dict[str, str] = SIGNALS) -> Config:
    import yaml

    path = tmp_path / "oncall.yaml"
    path.write_text(
        yaml.safe_dump({"metrics": {"backend": "cloudwatch", "url": url, "region": "eu-west-1", "signals": signals}})
    )
    return Config.load(path)


def runner(tmp_path, url: str, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bundle = Bundle.open(DEMO)
    cfg = config(tmp_path, url)
    catalog = cfg.load_catalog(bundle.catalog)
    backends = cfg.backends({}, catalog, bundle.backends())
    _, run = prepare(bundle.alert_payload(), catalog, backends, Settings(), bundle.moment())
    return run


def anomalies(text: str) -> dict[str, str]:
    """signal -> 'up from HH:MM' for every signal the summary calls abnormal."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\w+)(?: \([^)]*\))?: (rose|fell) .*abnormal from (\d\d:\d\d)", line)
        if m:
            out[m.group(1)] = f"{m.group(2)} from {m.group(3)}"
    return out


def test_cloudwatch_reads_the_same_anomalies_as_the_file(tmp_path, moto_url, monkeypatch) -> None:
    r = runner(tmp_path, moto_url, monkeypatch).call("read_metrics", {"service": SERVICE, "signals": list(SIGNALS)})
    assert r.ok, r.error
    e = prepare(
        Bundle.open(DEMO).alert_payload(),
        Bundle.open(DEMO).catalog,
        Bundle.open(DEMO).backends(),
        Settings(),
        Bundle.open(DEMO).moment(),
    )[1]
    embedded = e.call("read_metrics", {"service": SERVICE, "signals": list(SIGNALS)})
    got, want = anomalies(r.text), anomalies(embedded.text)
    assert set(got) == set(want) >= {"latency_p99", "pool_utilization", "error_ratio", "request_rate"}
    for signal, verdict in want.items():  # the same direction, and an onset within a minute
        g, w = got[signal].split(), verdict.split()
        assert g[0] == w[0], signal
        minutes = lambda hm: int(hm[:2]) * 60 + int(hm[3:])  # noqa: E731
        assert abs(minutes(g[2]) - minutes(w[2])) <= 1, (signal, got[signal], verdict)


def test_a_signal_that_is_not_a_cloudwatch_metric_is_named(tmp_path, moto_url, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    cfg = config(tmp_path, moto_url, {"latency_p99": "rate(http_requests_total[5m])"})
    backend = cfg.build("metrics", {}, Catalog())
    assert backend.invalid_templates(cfg.metrics.signals, SERVICE) == [
        "signal latency_p99: CloudWatch signal 'rate(http_requests_total[5m])' is not Namespace:MetricName:Stat{Dimension=value,...}"
    ]
    assert "metrics listed" in backend.check()


def test_cloudwatch_errors_are_one_line(tmp_path, moto_url, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    backend = config(tmp_path, "http://127.0.0.1:9").build("metrics", {}, Catalog())  # nothing listens there
    backend.remote.sleep = lambda s: None
    with pytest.raises(
        ToolError, match=r"CloudWatch at http://127.0.0.1:9 failed .*EndpointConnectionError.*gave up after 3 attempts"
    ):
        backend.query_range(
            SIGNALS["latency_p99"].replace("{service}", SERVICE),
            datetime(2026, 11, 17, tzinfo=UTC),
            datetime(2026, 11, 17, 1, tzinfo=UTC),
            60,
        )
    good = config(tmp_path, moto_url).build("metrics", {}, Catalog())
    with pytest.raises(ToolError, match="answered 400"):  # CloudWatch refuses an end before the start
        good.query_range(
            f"{NS}:Requests:Sum{{Service=x}}",
            datetime(2026, 11, 17, 1, tzinfo=UTC),
            datetime(2026, 11, 17, tzinfo=UTC),
            60,
        )


def test_the_alarms_own_metric_is_read_beside_the_services_signals(tmp_path, moto_url, monkeypatch, corpora) -> None:
    import json

    from oncall.intake import parse

    event = json.loads(
        (corpora / "payloads" / "cloudwatch_alarm_state_change_eventbridge_single_metric.json").read_text()
    )
    (alert,) = parse(event)
    assert alert.labels["alarm_metric"] == "AWS/EC2:CPUUtilization:Average{InstanceId=i-12345678901234567}"
    # the demo's gateway alarm, as CloudWatch would send it: its metric, with the service as a dimension
    metric = event["detail"]["configuration"]["metrics"][0]["metricStat"]
    metric["metric"] = {"namespace": NS, "name": "LatencyP99", "dimensions": {"Service": SERVICE}}
    metric["stat"] = "Maximum"
    event["detail"]["state"]["timestamp"] = "2026-11-17T03:41:00.000+0000"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bundle = Bundle.open(DEMO)
    cfg = config(tmp_path, moto_url)
    catalog = cfg.load_catalog(bundle.catalog)
    _, run = prepare(event, catalog, cfg.backends({}, catalog, bundle.backends()), Settings(), bundle.moment())
    r = run.call("read_metrics", {"service": SERVICE})
    assert r.ok, r.error
    assert "alarm_metric" in anomalies(r.text) and anomalies(r.text)["alarm_metric"] == anomalies(r.text)["latency_p99"]
    other = run.call("read_metrics", {"service": "orders"})  # another service's read does not include it
    assert "alarm_metric" not in other.text


def test_an_alarm_metric_that_could_break_the_spec_is_not_kept() -> None:
    from oncall.intake.cloudwatch import alarm_metric

    assert alarm_metric({"namespace": "AWS/EC2", "name": "CPU", "dimensions": {"Id": "a,b=c"}}, "Average") is None
    assert alarm_metric({"namespace": "AWS/EC2", "name": "CPU:x", "dimensions": {}}, "Average") is None
    assert alarm_metric({"namespace": "AWS/EC2", "name": "CPU", "dimensions": {}}, "Average") == "AWS/EC2:CPU:Average{}"
