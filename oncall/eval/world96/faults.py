"""World 96's faults, from credential, platform, storage, release, provider and load incidents at a mobile lender, in
its engineers' words: the B2C initiator's password expired on Safaricom's side and every disbursement's result
comes back "initiator information is invalid" (set the new credential); Beanstalk's managed platform update moved
the gateway to Node.js 22 in its maintenance window and bcrypt's native module no longer loads (roll the platform
back); RDS's storage filled with the loan events table and PostgreSQL stopped (grow the storage); the data team's
new scoring model is too large for the scoring service's heap and every instance dies loading it (roll the model
back); the credit bureau's monthly quota ran out in a campaign week (the bureau's: escalate); and payday's
repayments (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

OPTIONS = "{svc}/.ebextensions/01-options.config"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's GitHub Actions workflow records it: the `eb` command it ran, or the options diff."""
    path = OPTIONS.format(svc=svc)
    if not code:
        code = (
            f"--- a/{path}\n+++ b/{path}\n   aws:elasticbeanstalk:application:environment:\n-    {key}: {old}\n"
            f"+    {key}: {new}\n"
            if kind == "config"
            else f"eb deploy mkopo-prod-{svc} --label {svc}-{new} --timeout 20  # was {svc}-{old}\n"
        )
    return change_record(
        at, svc, kind, key, old, new, who, ref=f"actions run {rng.randint(7100000000, 7199999999)}", diff=code
    )


def b2c_initiator_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "b2c_initiator_expired",
        "mpesa",
        "expired_credential",
        "config_change",
        "mpesa",
        "mkopo-prod-mpesa-b2c-failures",
        "the B2C initiator's password on Safaricom's M-Pesa org portal expired (its 90-day policy); Daraja still "
        "accepts each payment request but every result callback says the initiator information is invalid, so no "
        "approved loan is paid out; reset the initiator password, encrypt the new security credential and set it",
        also_accept=["permission_denied"],
    )
    f.effects += [Effect("mpesa", "error_ratio", at, 0.05, relative=False)]
    f.bursts += [
        Burst("mpesa", at, 4, "error", "B2C result failed: ResultCode 2001 The initiator information is invalid. "
              "(ConversationID AG_20281201_{h8}, OriginatorConversationID 1{n}{k}-4{k}{n}-1)"),
        Burst("loans", at + M, 3, "warn", "loans.disburse loan LN{k}{n}{k}{n}2 disbursement failed at M-Pesa "
              "(2001), left pending"),
        Burst("notify", at + 2 * M, 2, "info", "INFO:notify.sms:SMS sent to +2547{k}{n}XXXX{n} via AfricasTalking "
              "(template disbursement_delayed)"),
    ]  # fmt: skip
    f.failing_calls.append(("mpesa", "daraja"))
    return f


def managed_platform_update(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "managed_platform_update",
        "gateway",
        "recent_change",
        "rollback",
        "gateway",
        "mkopo-prod-gateway-5xx",
        "Beanstalk's managed platform update ran in the Sunday window and moved the gateway from Node.js 20 to "
        "Node.js 22 on Amazon Linux 2023; bcrypt's prebuilt native module was built for Node 20 and no longer "
        "loads, so the web process exits at start and nginx answers 502; roll the platform version back",
    )
    code = (
        "aws elasticbeanstalk update-environment --environment-name mkopo-prod-gateway --platform-arn "
        "arn:aws:elasticbeanstalk:af-south-1::platform/Node.js 22 running on 64bit Amazon Linux 2023/6.5.0  "
        "# managed platform update, was Node.js 20 running on 64bit Amazon Linux 2023/6.4.1\n"
    )
    f.changes.append(change(at - 2 * M, "gateway", "deploy", "platform", "Node.js 20 AL2023/6.4.1",
                            "Node.js 22 AL2023/6.5.0", rng, "elasticbeanstalk managed updates", code))  # fmt: skip
    f.effects += [
        Effect("gateway", "error_ratio", at, 0.7, relative=False),
        Effect("gateway", "restarts", at, 4.0, relative=False),
    ]
    f.bursts += [
        Burst("gateway", at, 3, "error", "Error: The module '/var/app/current/node_modules/bcrypt/lib/binding/"
              "napi-v3/bcrypt_lib.node' was compiled against a different Node.js version using NODE_MODULE_VERSION "
              "115. This version of Node.js requires NODE_MODULE_VERSION 127."),
        Burst("gateway", at, 20, "error", "nginx|[error] 2{n}{k}#2{n}{k}: *{k}{n}81 connect() failed (111: Connection "
              "refused) while connecting to upstream, client: {client}, server: , request: \"POST /v1/loans "
              "HTTP/1.1\", upstream: \"http://127.0.0.1:8080/v1/loans\", host: \"api.mkopo.co.ke\""),
        Burst("gateway", at, 30, "error", 'access|"POST /v1/loans HTTP/1.1" 502 157 "-" "okhttp/4.12.0"'),
    ]  # fmt: skip
    return f


def rds_storage_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "rds_storage_full",
        "db",
        "resource_exhaustion",
        "scale",
        "loans",
        "mkopo-prod-loans-5xx",
        "the loan events table grew with every status poll the app makes and RDS's 200 GB filled (storage "
        "autoscaling was never enabled); PostgreSQL could not write its WAL and stopped accepting writes; grow "
        "the allocated storage and turn on storage autoscaling",
    )
    f.effects += [
        Effect("db", "disk_utilization", t - 300 * M, 1.0, relative=False, ramp=300 * M),
        Effect("loans", "error_ratio", at, 0.5, relative=False),
        Effect("mpesa", "error_ratio", at + M, 0.2, relative=False),
        Effect("gateway", "error_ratio", at + M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("db", at, 2, "error", "PANIC:  could not write to file \"pg_wal/xlogtemp.{n}{k}91\": No space left on "
              "device"),
        Burst("db", at, 1, "error", "FATAL:  the database system is in recovery mode"),
        Burst("loans", at, 8, "error", "django.request Internal Server Error: /api/v1/loans/apply "
              "(django.db.utils.OperationalError: connection to server at \"mkopo-prod-db.c8x2k1.af-south-1.rds."
              "amazonaws.com\" (172.31.9.44), port 5432 failed: FATAL:  the database system is in recovery mode)"),
        Burst("mpesa", at + M, 3, "error", "error|C2B confirmation not recorded|POST /c2b/confirmation 500"),
    ]  # fmt: skip
    return f


def scoring_model_heap(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "scoring_model_heap",
        "scoring",
        "recent_change",
        "rollback",
        "loans",
        "mkopo-prod-loans-latency-p99",
        "the data team set MODEL_URI to the v14 gradient-boosted model (2.3 GB, three times v13); scoring loads it "
        "at start into a 1.5 GB heap, runs out of memory and Beanstalk replaces the instance; loans waits on "
        "scoring until its 5 s timeout; set MODEL_URI back to v13",
    )
    f.changes.append(change(at - 3 * M, "scoring", "config", "MODEL_URI",
                            "s3://mkopo-models/scoring/v13/model.bin", "s3://mkopo-models/scoring/v14/model.bin",
                            rng, "data.wanjiru"))  # fmt: skip
    f.effects += [
        Effect("scoring", "memory_utilization", at, 0.99, relative=False),
        Effect("scoring", "restarts", at, 3.0, relative=False),
        Effect("scoring", "request_rate", at, 0.3),
        Effect("loans", "latency_p99", at + M, 9.0),
        Effect("loans", "error_ratio", at + M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("scoring", at, 2, "error", "o.s.boot.SpringApplication               : Application run failed "
              "java.lang.OutOfMemoryError: Java heap space at k.c.m.scoring.model.ModelLoader.load("
              "ModelLoader.java:88)"),
        Burst("scoring", at, 6, "error", "nginx|[error] 3{n}{k}#3{n}{k}: *{k}{n}02 upstream prematurely closed "
              "connection while reading response header from upstream, client: {client}, server: , request: "
              "\"POST /score HTTP/1.1\", upstream: \"http://127.0.0.1:5000/score\", host: \"scoring.internal\""),
        Burst("loans", at + M, 5, "error", "loans.apply scoring unavailable for application {k}{n}{k}{n}4: "
              "ReadTimeout(HTTPConnectionPool(host='scoring.internal', port=80): Read timed out. (read timeout=5))"),
    ]  # fmt: skip
    return f


def crb_quota_exhausted(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "crb_quota_exhausted",
        "crb",
        "dependency_failure",
        "escalate",
        "scoring",
        "mkopo-prod-scoring-bureau-errors",
        "the month's credit-report quota with Metropol ran out on the 27th in the campaign week; every bureau "
        "check is answered 429 and applications wait for a report; ask Metropol to raise the quota (and hold the "
        "campaign's SMS)",
    )
    f.effects += [Effect("scoring", "error_ratio", at, 0.35, relative=False)]
    f.bursts += [
        Burst("scoring", at, 6, "warn", "k.c.m.scoring.CreditCheckClient        : bureau report failed for "
              "application {k}{n}{k}{n}4: 429 Too Many Requests from https://api.metropol.co.ke/v2/report: "
              "Monthly quota exceeded for API key mkp-prod"),
        Burst("loans", at + M, 3, "warn", "loans.apply application {k}{n}{k}{n}4 held: no credit report yet"),
    ]  # fmt: skip
    f.failing_calls.append(("scoring", "crb"))
    return f


def payday_repayments(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "payday_repayments",
        "mpesa",
        "no_incident",
        "none",
        "mpesa",
        "mkopo-prod-mpesa-latency-p99",
        "month-end payday: repayments through the paybill came four times faster than on an ordinary evening; "
        "mpesa's latency crossed its alarm until Beanstalk's autoscaling added instances; every callback was "
        "recorded (no incident)",
    )
    f.changes.append(change(at + 4 * M, "mpesa", "scale", "instances", "2", "5", rng, "aws autoscaling",
                            "Environment health: Added instance [i-0b7c41e9] and 2 more to your environment "
                            "(autoscaling: CPUUtilization above 70)\n"))  # fmt: skip
    f.effects += [
        Effect("mpesa", "request_rate", at, 4.0),
        Effect("db", "request_rate", at, 1.8),
        Effect("mpesa", "latency_p99", at, 2.2, until=at + 10 * M),
        Effect("mpesa", "cpu_utilization", at, 0.82, relative=False, until=at + 10 * M),
    ]
    f.bursts += [Burst("mpesa", at, 30, "info", "info|C2B repayment confirmed|POST /c2b/confirmation 200")]
    return f


FAULTS = [b2c_initiator_expired, managed_platform_update, rds_storage_full, scoring_model_heap, crb_quota_exhausted,
          payday_repayments]  # fmt: skip
