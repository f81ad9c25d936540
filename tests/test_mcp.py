"""`oncall mcp`, driven by the official MCP SDK's client: the read tools with the copilot's schemas,
redaction and caps, never open_pr; over stdio, and over streamable HTTP behind a bearer token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import anyio
import pytest

from oncall.tools import READ_TOOLS
from tests.conftest import DEMO, ROOT
from tests.net import free_port, wait_http


def test_mcp_over_stdio_lists_the_read_tools_and_reads_the_demo_logs():
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "oncall.cli", "mcp", "--bundle", str(DEMO)],
        cwd=str(ROOT),
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")},
    )

    async def session() -> tuple[list, object, object]:
        async with Client(params, read_timeout_seconds=60) as client:
            tools = (await client.list_tools()).tools
            logs = await client.call_tool("read_logs", {"service": "api-gateway"})
            refused = await client.call_tool("open_pr", {"path": "x", "content": "y"})
            return tools, logs, refused

    tools, logs, refused = anyio.run(session)
    by_name = {t.name: t for t in tools}
    assert set(by_name) == set(READ_TOOLS) and "open_pr" not in by_name
    assert by_name["read_logs"].input_schema == READ_TOOLS["read_logs"].input_model.model_json_schema()
    text = logs.content[0].text
    assert not logs.is_error and "logs of api-gateway" in text and "ERROR" in text
    assert refused.is_error and "unknown tool 'open_pr'" in refused.content[0].text


def test_mcp_over_http_refuses_a_request_without_the_token_and_serves_one_with_it(tmp_path):
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    port = free_port()
    env = {**os.environ, "ONCALL_MCP_TOKEN": "mcp-token", "XDG_CACHE_HOME": str(tmp_path)}
    p = subprocess.Popen(
        [sys.executable, "-m", "oncall.cli", "mcp", "--bundle", str(DEMO), "--http", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_http(url, status=401, data=b"{}", timeout=30)  # up, and refusing a caller without the token

        async def session() -> object:
            headers = {"Authorization": "Bearer mcp-token"}
            async with (
                httpx2.AsyncClient(headers=headers, timeout=30) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                return await client.call_tool("read_metrics", {"service": "api-gateway"})

        result = anyio.run(session)
        assert not result.is_error and "latency_p99" in result.content[0].text
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(10)


def test_mcp_http_without_a_token_configured_is_a_usage_error():
    p = subprocess.run(
        [sys.executable, "-m", "oncall.cli", "mcp", "--bundle", str(DEMO), "--http"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"]},
    )
    assert p.returncode == 2 and "ONCALL_MCP_TOKEN" in p.stderr


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
