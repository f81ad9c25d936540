"""What world 98's first contact taught (a Brno e-book store on Azure Service Fabric, its logs the Azure Monitor
Agent's custom text log rows, the service only in the file's name; written after world 97's rules and scored before
any rule saw it): 0.917 / 1.000 / 0.917 / 1.000 on seeds 1-4, with a wrong HIGH on seeds 1 and 3: the Pulsar
bookies' disks, climbing for four hours, blamed on a routine release of orders (and of licensing) twenty minutes
before the climb began, because the release's command and the broker's lines share the estate's name. Its lesson:

- the estate's own name (its namespaces', the owner of its repositories) is in every change's command and many
  services' lines, as every line carries its own service's name: a change repeating it repeats nothing of what it
  did. (The same lesson righted world 96's held-out seeds 6 and 7, where RDS's storage, filling for five hours,
  was blamed on a caller's routine release at MEDIUM: `eb deploy mkopo-prod-...` and PostgreSQL's `mkopo@mkopo`.)

Seeds 8-10 (fresh, shaped on after world 100) taught one more:

- a caller's change that set a setting named for the peer (`Orders_GoPayTimeoutSeconds`: the peer's name is words of
  the setting's name, in camel or snake case) right before its calls to that peer failed explains those failures:
  a payment cancelled by the caller's own three-second timeout is not the provider's outage (while the peer shows
  no trouble of its own: a peer that buckled right after may have been sent the caller's retries, which the reasons
  about load weigh);
- "service" is every estate's word (a Kubernetes Service, `Start-ServiceFabricApplicationUpgrade`, a 503's "Service
  Unavailable"): a change's words sharing only it with a service's lines tie nothing to the change."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.attribution import _change_aimed_at_peer
from oncall.analysts.offline.findings import ChangeFinding, LogFinding, MetricFinding, estate_words
from oncall.core.catalog import Catalog, names_setting_for
from oncall.tools.read_changes import Change
from oncall.tools.read_logs import TemplateStat
from oncall.tools.read_metrics import SignalStat
from tests.bundles import ALERT_AT as AT
from tests.bundles import END, T0, M, S, alertmanager, flat_then, iso, series, signals, verdict, write_bundle

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]


def _climb(start: datetime, until: datetime, low: float, high: float) -> list[tuple[datetime, float]]:
    """A disk filling steadily from `start` to `until`, flat before and after."""
    out, t = [], T0
    while t <= END:
        k = min(1.0, max(0.0, (t - start) / (until - start)))
        out.append((t, round(low + (high - low) * k, 4)))
        t += M
    return out


def _bookies(tmp_path: Path, command: str) -> str:
    """The broker's bookies' disks climbed for four hours to past their threshold; orders, which publishes to it,
    fails from eight minutes before the alert; orders was released (`command`) three hours before the alert, as the
    climb left the disk's earlier level behind (minutes before it counts as out of its baseline)."""
    at = AT - 8 * M
    climb = AT - 4 * 60 * M

    def log(t: datetime, service: str, level: str, message: str) -> dict:
        return {"ts": iso(t), "service": service, "level": level, "message": message}

    broker = ("[pulsar-ordered-OrderedExecutor-3-0] WARN org.apache.bookkeeper.mledger.impl.ManagedLedgerImpl - "
              "[acme/shop/persistent/order-paid] Error creating ledger rc=-6 Not enough non-faulty bookies available")  # fmt: skip
    orders = (
        "Publishing order-paid for order 4711 failed: PersistenceException: Not enough non-faulty bookies available"
    )
    root = write_bundle(
        tmp_path,
        services={"orders": ["pulsar"], "pulsar": []},
        alert=alertmanager("CheckoutErrorsHigh", "orders"),
        logs=[
            log(t, s, "info", "[acme/shop/persistent/order-paid] ledger closed" if s == "pulsar" else "served")
            for t in BASELINE
            for s in ("orders", "pulsar")
        ]
        + [log(at + 15 * i * S, "pulsar", "warn", broker) for i in range(30)]
        + [log(at + 10 * i * S, "orders", "error", orders) for i in range(45)],
        metric_lines=series("error_ratio", "orders", flat_then(T0, END, 0.002, at, 0.45))
        + series("disk_utilization", "pulsar", _climb(climb, AT - 10 * M, 0.6, 0.96)),
        changes=[
            {
                "ts": iso(AT - 3 * 60 * M),
                "service": "orders",
                "kind": "deploy",
                "from": "version=2.0.0",
                "to": "version=2.0.1",
                "author": "release",
                "ref": "Release-477",
                "diff": command,
            }
        ],
        signals=signals("error_ratio", "disk_utilization"),
    )
    return verdict(root)


def test_a_change_repeating_only_the_estates_name_repeats_nothing_it_did(tmp_path: Path) -> None:
    upgrade = "Start-ServiceFabricApplicationUpgrade -ApplicationName fabric:/Acme -ApplicationTypeVersion 2.0.1\n"
    assert _bookies(tmp_path / "estate", upgrade).startswith("pulsar/resource_exhaustion")
    # the estate's name is the repositories' owner and the namespaces' ("acme/config", "prod" in these bundles)
    catalog = Catalog.model_validate(
        {"services": {"shop": {"repo": "acme/config", "namespace": "shop-prod"}}, "service_label": "service"}
    )
    assert {"acme", "shop", "prod"} <= estate_words(catalog)
    change = Change(ts=AT, service="orders", kind="deploy", diff=upgrade)
    c = ChangeFinding(service="orders", text="deploy", cite="R9:L2", at=AT, detail=change, estate=estate_words(catalog))
    assert "acme" not in c.tokens() and "servicefabricapplicationupgrade" in c.tokens()


def _timeout_cut(tmp_path: Path, setting: str) -> str:
    """orders' configuration set `setting` from 30 to 3 three minutes before its payments with GoPay (which takes
    four seconds to create one) began to be cancelled by its own HttpClient timeout; GoPay sends us nothing."""
    at = AT - 8 * M

    def log(t: datetime, level: str, message: str) -> dict:
        return {"ts": iso(t), "service": "orders", "level": level, "message": message}

    cancelled = (
        "Ctecka.Orders.Payments.GoPayClient: Payment creation failed for order 4711: System.Threading.Tasks."
        "TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of 3 seconds "
        "elapsing. ---> System.TimeoutException: A task was canceled."
    )
    diff = f'-    <Parameter Name="{setting}" Value="30" />\n+    <Parameter Name="{setting}" Value="3" />\n'
    root = write_bundle(
        tmp_path,
        services={"storefront": ["orders"], "orders": ["gopay"], "gopay": []},
        alert=alertmanager("CheckoutErrorsHigh", "orders"),
        logs=[log(t, "info", "Order placed") for t in BASELINE] + [log(at + 10 * i * S, "error", cancelled)
                                                                       for i in range(45)],
        metric_lines=series("error_ratio", "orders", flat_then(T0, END, 0.002, at, 0.7)),
        changes=[{"ts": iso(at - 3 * M), "service": "orders", "kind": "config", "from": f"{setting}=30",
                  "to": f"{setting}=3", "author": "release", "ref": "Release-512", "diff": diff}],
        signals=signals("error_ratio"),
    )  # fmt: skip
    return verdict(root)


def test_a_callers_change_to_a_setting_named_for_the_peer_explains_its_failing_calls_to_it(tmp_path: Path) -> None:
    assert _timeout_cut(tmp_path / "gopay", "Orders_GoPayTimeoutSeconds").startswith("orders/recent_change")
    assert names_setting_for("gopay", "gopay_timeout_ms=3000") and names_setting_for("go-pay", "GOPAY_URL")
    assert names_setting_for("payment-gateway", "PaymentGatewayRetries: 0")
    # a setting named for something else, and a longer name that only begins with the peer's, are not for it
    assert not names_setting_for("gopay", "Orders_GoPaymentsTimeoutSeconds")
    assert not names_setting_for("gopay", "Catalog_CassandraTimeoutSeconds")


def test_a_change_sharing_only_the_word_service_with_a_dependencys_errors_did_not_break_it(tmp_path: Path) -> None:
    at = AT - 8 * M

    def log(t: datetime, service: str, level: str, message: str) -> dict:
        return {"ts": iso(t), "service": service, "level": level, "message": message}

    unavailable = (
        "Acme.Orders.Payments.GoPayClient: Payment creation failed for order 4711: System.Net.Http."
        "HttpRequestException: Response status code does not indicate success: 503 (Service Unavailable)."
    )
    upgrade = (
        "Start-ServiceFabricApplicationUpgrade -ApplicationName fabric:/Acme -ApplicationTypeVersion 2.0.1 "
        "-Monitored -FailureAction Rollback  # storefront: 2.0.0 -> 2.0.1\n"
    )
    root = write_bundle(
        tmp_path,
        services={"storefront": ["orders"], "orders": ["gopay"], "gopay": []},
        alert=alertmanager("CheckoutErrorsHigh", "orders"),
        logs=[log(t, s, "info", "served") for t in BASELINE for s in ("storefront", "orders")]
        + [log(at + 10 * i * S, "orders", "error", unavailable) for i in range(45)]
        + [log(at + M + 20 * i * S, "storefront", "error", "Checkout failed: orders answered 502") for i in range(20)],
        metric_lines=series("error_ratio", "orders", flat_then(T0, END, 0.002, at, 0.6))
        + series("error_ratio", "storefront", flat_then(T0, END, 0.002, at + M, 0.07)),
        changes=[{"ts": iso(at - 34 * M), "service": "storefront", "kind": "deploy", "from": "ApplicationTypeVersion=2.0.0",
                  "to": "ApplicationTypeVersion=2.0.1", "author": "release", "ref": "Release-601", "diff": upgrade}],
        signals=signals("error_ratio"),
    )  # fmt: skip
    assert verdict(root).startswith("gopay/dependency_failure")


def test_a_peer_that_buckled_after_the_callers_timeout_change_keeps_its_callers_witness() -> None:
    # catalog cut its database timeout and its calls to catalog-db began failing: were catalog-db quiet, the change
    # explains them (catalog's own); catalog-db's CPU spent right after says the change may have sent it catalog's
    # retries, and the calls stay witnesses to it, for the reasons about its load to weigh
    at = AT - 8 * M
    said = "query to catalog-db timed out after 200ms, retrying"
    stat = TemplateStat(template=said, level="WARN", count=200, baseline_count=0, first_seen=at, last_seen=AT,
                        sample=said, sample_ref="logs.jsonl:80", line=80)  # fmt: skip
    calls = LogFinding(service="catalog", text="catalog logged 200 WARN lines", cite="R2:L4", at=at, role="peer",
                       category="dependency_failure", points_to="catalog-db", detail=stat, words=said)  # fmt: skip
    change = Change(ts=at - 2 * M, service="catalog", kind="config", diff="-  CATALOG_DB_TIMEOUT: 2s\n+  "
                    "CATALOG_DB_TIMEOUT: 200ms\n")  # fmt: skip
    cut = ChangeFinding(service="catalog", text="config catalog", cite="R9:L2", at=at - 2 * M, detail=change)
    cpu = SignalStat.model_construct(signal="cpu_utilization", direction="up", first_abnormal=at + M, baseline=0.4,
                                     last=0.99, onset=at + M)  # fmt: skip
    spent = MetricFinding(service="catalog-db", text="cpu at its limit", cite="R3:L2", at=at + M, role="saturation",
                          signal="cpu_utilization", detail=cpu, weight=2.0, category="resource_exhaustion")  # fmt: skip
    quiet = _change_aimed_at_peer([calls, cut])
    assert next(f for f in quiet if isinstance(f, LogFinding)).role == "own"
    buckled = _change_aimed_at_peer([calls, cut, spent])
    assert next(f for f in buckled if isinstance(f, LogFinding)).points_to == "catalog-db"
