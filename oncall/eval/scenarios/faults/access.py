"""Faults of access: an expired certificate, a rotated secret, a missing permission, DNS."""

from __future__ import annotations

from functools import partial

from oncall.eval.scenarios import logstyle as ls
from oncall.eval.scenarios.faults.base import (
    AUTHORS,
    Ctx,
    Effect,
    M,
    Plan,
    caller_error,
    caller_errors,
    iso,
    propagate,
)
from oncall.eval.scenarios.topology import NAMESPACE, callers


def expired_cert(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind == "api" and bool(callers(ctx.topology, s.name)))
    chain = ctx.chain(root.name)
    if len(chain) == 1:
        chain = [callers(ctx.topology, root.name)[0], root.name]
    onset = ctx.alert_at - rng.randint(5, 12) * M
    expiry = onset.strftime("%Y-%m-%dT%H:%M:%SZ")
    p = Plan(
        family="expired_cert",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighErrorRate",
        category="expired_credential",
        fix="config_change",
        notes=f"the TLS certificate of {root.name} expired at {expiry}",
        onset=onset,
    )
    p.effects.append(Effect(root.name, "request_rate", onset, "mul", rng.uniform(0.05, 0.3), M))
    ns = NAMESPACE[ctx.topology]
    for caller in callers(ctx.topology, root.name):
        style = ctx.svcs[caller].style
        p.effects.append(Effect(caller, "error_ratio", onset, "add", rng.uniform(0.1, 0.4), M))
        host = f"{root.name}.{ns}.svc"
        text = rng.choice(
            [
                f'Get "https://{host}:8443/v1": x509: certificate has expired or is not yet valid: '
                f"current time {iso(onset + 3 * M)} is after {expiry}",
                f"SSL handshake with {host} failed: certificate expired (notAfter={expiry})",
                f"PKIX path validation failed calling {host}: validity check failed: "
                f"java.security.cert.CertificateExpiredException: NotAfter: {expiry}",
            ]
        )
        p.bursts.append(
            ctx.burst(
                caller,
                onset,
                rng.randint(20, 70),
                partial(caller_error, style, caller, text, None),
            )
        )
    if len(chain) > 2:  # the direct caller's failures travel on up to the alerting service
        propagate(p, ctx, chain[:-1], onset + M, 0.15, 0.3, caller_errors("5xx"))
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(10, 40),
            lambda r: (
                "warn",
                f"http: TLS handshake error from 10.{r.randint(0, 3)}.{r.randint(0, 255)}.{r.randint(1, 254)}:"
                f"{r.randint(30000, 60000)}: remote error: tls: bad certificate",
            ),
        )
    )
    return p


def expired_secret(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(
        lambda s: s.kind in ("api", "worker") and (bool(s.external) or any(ctx.svcs[d].kind == "db" for d in s.deps))
    )
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    dbs = [d for d in root.deps if ctx.svcs[d].kind == "db"]
    user = root.name.replace("-", "_") + "_app"
    if dbs and (not root.external or rng.random() < 0.5):
        text = f'FATAL: password authentication failed for user "{user}" (connecting to {dbs[0]}:5432)'
    else:
        text = f"{root.external} answered 401 Unauthorized: invalid API key (key id ak_{rng.getrandbits(20):05x})"
    p = Plan(
        family="expired_secret",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighErrorRate",
        category="expired_credential",
        fix="config_change",
        notes=f"the credential {root.name} uses was rotated but {root.name} kept the old one",
        onset=onset,
        also_accept=["recent_change"],
    )
    if rng.random() < 0.5:
        p.changes.append(
            {
                "ts": iso(onset - rng.randint(1, 30) * M),
                "service": root.name,
                "kind": "infra",
                "from": "secret version 7",
                "to": "secret version 8",
                "author": "vault-rotator",
                "ref": f"vault:secret/{root.name}/credentials",
                "diff": None,
            }
        )
    p.effects.append(Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.2, 0.6), M))
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(25, 80),
            lambda r: ls.error(root.style, root.name, text, r),
        )
    )
    propagate(p, ctx, chain, onset, 0.2, 0.3, caller_errors("5xx"))
    return p


def missing_permission(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind in ("api", "worker"))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    action, resource = rng.choice(
        [
            ("s3:PutObject", f"arn:aws:s3:::acme-{root.name}-exports/*"),
            ("sqs:SendMessage", f"arn:aws:sqs:eu-west-1:123456789012:{root.name}-events"),
            ("kms:Decrypt", "arn:aws:kms:eu-west-1:123456789012:key/6f1c"),
        ]
    )
    p = Plan(
        family="missing_permission",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighErrorRate",
        category="permission_denied",
        fix="config_change",
        notes=f"{root.name}'s role lost {action}",
        onset=onset,
        also_accept=["recent_change"],
    )
    if rng.random() < 0.6:  # the policy edit that dropped the permission: reverting it is the fix
        p.fix = "rollback"
        p.changes.append(
            {
                "ts": iso(onset - rng.randint(2, 90) * M),
                "service": root.name,
                "kind": "infra",
                "from": f"iam policy {root.name}-role v12",
                "to": f"iam policy {root.name}-role v13",
                "author": rng.choice(AUTHORS),
                "ref": f"{rng.getrandbits(28):07x}",
                "diff": f"--- a/iam/{root.name}.tf\n+++ b/iam/{root.name}.tf\n@@ -4,4 +4,3 @@\n"
                f'   actions = [\n     "s3:GetObject",\n-    "{action}",\n   ]',
            }
        )
    text = (
        f"AccessDenied: User: arn:aws:sts::123456789012:assumed-role/{root.name}-role/i-0{rng.getrandbits(40):010x} "
        f"is not authorized to perform: {action} on resource: {resource}"
    )
    p.effects.append(Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.1, 0.4), M))
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(25, 80),
            lambda r: ls.error(root.style, root.name, text, r),
        )
    )
    propagate(p, ctx, chain, onset, 0.1, 0.2, caller_errors("5xx"))
    return p


def dns_failure(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind in ("api", "worker") and bool(s.deps))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    dep = rng.choice(root.deps)
    host = f"{dep}.{NAMESPACE[ctx.topology]}.svc.cluster.local"
    p = Plan(
        family="dns_failure",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighErrorRate",
        category="network",
        fix="escalate",
        notes=f"{root.name} cannot resolve {host}",
        onset=onset,
    )
    text = rng.choice(
        [
            f"dial tcp: lookup {host} on 10.96.0.10:53: no such host",
            f"java.net.UnknownHostException: {host}: Name or service not known",
            f"[Errno -3] Temporary failure in name resolution ({host})",
        ]
    )
    p.effects += [
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.2, 0.6), M),
        Effect(dep, "request_rate", onset, "mul", 0.3, M),
    ]
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(25, 80),
            lambda r: ls.error(root.style, root.name, text, r),
        )
    )
    propagate(p, ctx, chain, onset, 0.2, 0.3, caller_errors("5xx"))
    return p
