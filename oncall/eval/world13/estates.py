"""World 13's estate, written after world 12's rules and scored before any rule saw it.

A shop on AWS Lambda, deployed with the Serverless Framework, so every function is named
`shop-prod-<service>`. Its logs are rows exported from CloudWatch Logs Insights: `@timestamp` as
"2026-09-14 03:12:45.123" (UTC, no zone), the raw line in `@message`, the stream in `@logStream`, and
the service only inside the log group in `@log` ("<account>:/aws/lambda/shop-prod-<service>"). No level
field: Node's runtime writes tab-separated `time  request-id  LEVEL  text`, Python's Powertools writes
JSON whose `service` is left at its default, "service_undefined", Go's standard logger states no level,
Java's Lambda log4j layout does, the runtime itself adds START/END/REPORT lines, API Gateway writes a
JSON access log and the RDS PostgreSQL instance its own prefix. Metrics are the team's recording rules
over CloudWatch (`level:metric:operation` names, durations in milliseconds), labelled `function_name`
with the full function name; only functions have them."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech in this world: apigw node python go java postgres, and (no telemetry of their own)
# dynamodb sqs s3 saas infra
ACCOUNT = "210987654321"
FUNCTION = "shop-prod-{service}"


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "function:invocations:rate1m",
        "error_ratio": "function:errors_and_throttles_per_invocation:ratio1m",
        "latency_p99": "function:duration_milliseconds:p99_1m",
        "memory_utilization": "function:max_memory_used_per_memory_size:ratio1m",
        "pool_utilization": "function:concurrent_executions_per_reserved:ratio1m",
    }
    return {k: f'{v}{{function_name="{FUNCTION}"}}' for k, v in names.items()}


SHOP = Estate(
    label="function_name",
    name="shop",
    namespace="prod",
    shipper="cloudwatch-insights",
    signals=_signals(),
    nodes=(
        Node("api", "apigw", ("authorizer", "checkout", "catalog", "orders"), 120),
        Node("authorizer", "python", ("idp",), 120),
        Node("checkout", "node", ("orders-table", "payments-queue", "orders"), 15),
        Node("orders", "node", ("orders-table", "orders-db"), 40),
        Node("catalog", "python", ("catalog-table", "search"), 70),
        Node("search", "java", ("opensearch",), 30),
        Node("payment-worker", "python", ("payments-queue", "stripe", "orders-db"), 5),
        Node("thumbnailer", "go", ("media-bucket",), 3),
        Node("orders-db", "postgres", (), 60),
        Node("orders-table", "dynamodb", (), 60),
        Node("catalog-table", "dynamodb", (), 70),
        Node("payments-queue", "sqs", (), 10),
        Node("media-bucket", "s3", (), 5),
        Node("idp", "saas", (), 120),
        Node("opensearch", "saas", (), 30),
        Node("stripe", "saas", (), 5),
        Node("network", "infra", (), 0),
    ),
)

ESTATES = {SHOP.name: SHOP}

REPORT = (
    "REPORT RequestId: {rid}\tDuration: 41.27 ms\tBilled Duration: 42 ms\tMemory Size: 1024 MB\tMax Memory Used: 187 MB"
)
BACKGROUND = {
    "apigw": ["GET /products 200", "POST /checkout 200", "GET /orders 200"],
    "node": ["order 7731 loaded from table in 12 ms", REPORT],
    "python": ["request handled", REPORT],
    "go": ["resized s3://shop-prod-media/uploads/a7/91.jpg to 3 sizes", REPORT],
    "java": ["query products took 21 ms, 48 hits", REPORT],
    "postgres": ["LOG:  checkpoint complete: wrote 211 buffers (1.3%); 0 WAL file(s) added, 0 removed, 1 recycled"],
}
NOISE = {
    "node": "Retrying conditional write on order 9912 after ConditionalCheckFailedException",
    "python": "Cold start: fetched 3 parameters from SSM in 412 ms",
    "java": "OpenSearch slow query warning: took 1204 ms",
}


def _request_id(at: datetime, service: str) -> str:
    n = (int(at.timestamp() * 1000) * 2654435761 + len(service)) % (1 << 64)
    h = f"{n:016x}{n ^ 0x9E3779B97F4A7C15:016x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _http(text: str) -> tuple[str, str, str]:
    """An access log's route, status and integration error from the line we were given:
    '<METHOD> <route> <status>[ <error>]'."""
    method, route, status, *err = text.split(" ", 3)
    return f"{method} {route}", status, err[0] if err else "-"


def raw(tech: str, service: str, at: datetime, level: str, text: str) -> str:
    """One line as each runtime writes it to CloudWatch Logs."""
    rid = _request_id(at, service)
    if text.startswith(("START ", "END ", "REPORT ", "INIT_REPORT ", "EXTENSION\t")):
        return text.replace("{rid}", rid)
    if text.startswith("Task timed out"):  # the runtime's own line: no level
        return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z {rid} {text}"
    if tech == "apigw":
        route, status, err = _http(text)
        return json.dumps(
            {
                "requestId": rid,
                "ip": "198.51.100.23",
                "requestTime": at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "routeKey": route,
                "status": status,
                "responseLength": "412" if status == "200" else "36",
                "integrationErrorMessage": err,
            }
        )
    if tech == "node":
        return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\t{level.upper()}\t{text}"
    if tech == "python":  # AWS Lambda Powertools' logger, service name never set
        doc = {
            "level": level.upper(),
            "location": "handler:61",
            "message": text.split("\n", 1)[0],
            "timestamp": at.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3] + "+0000",
            "service": "service_undefined",
            "cold_start": False,
            "function_name": FUNCTION.format(service=service),
            "function_request_id": rid,
        }
        if "\n" in text:  # 'what failed\nExceptionName: detail'
            exc = text.split("\n", 1)[1]
            doc["exception"] = f'Traceback (most recent call last):\n  File "/var/task/handler.py", line 61\n{exc}'
            doc["exception_name"] = exc.split(":", 1)[0]
        return json.dumps(doc)
    if tech == "go":  # the standard library's log package: no level at all
        return f"{at.strftime('%Y/%m/%d %H:%M:%S')} {text}"
    if tech == "java":
        return f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} {rid} {level.upper():<5} Handler - {text}"
    body = text.split(":  ", 1)[1] if text.startswith(("LOG:  ", "ERROR:  ", "FATAL:  ")) else text
    head = text.split(":", 1)[0] if ":  " in text[:8] else {"error": "ERROR", "warn": "WARNING"}.get(level, "LOG")
    return f"{at.strftime('%Y-%m-%d %H:%M:%S')} UTC:10.0.12.7(40112):app@orders:[21344]:{head}:  {body}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """A row of a Logs Insights export (`fields @timestamp, @message, @logStream, @log`)."""
    tech = estate.node(service).tech
    name = FUNCTION.format(service=service)
    group = {
        "apigw": f"/aws/vendedlogs/apigateway/{name}",
        "postgres": f"/aws/rds/instance/{name}/postgresql",
    }.get(tech, f"/aws/lambda/{name}")
    stream = name if tech in ("apigw", "postgres") else f"{at:%Y/%m/%d}/[$LATEST]{pod.split('-')[-1]}0c1d9e2f"
    return {
        "@timestamp": at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
        "@message": raw(tech, service, at, level, text),
        "@logStream": stream,
        "@log": f"{ACCOUNT}:{group}",
    }
