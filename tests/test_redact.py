from __future__ import annotations

import pytest

from oncall.core.redact import MASK, contains_secret, redact


@pytest.mark.parametrize(
    "secret_text",
    [
        "connecting to postgres://app:s3cr3tPass@db.prod:5432/shop",
        "AWS key AKIAIOSFODNN7EXAMPLE loaded",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "slack token xoxb-1234567890-abcdefghijkl",
        "DB_PASSWORD=hunter2",
        '{"api_key": "ak_live_4f9a8b7c6d5e4f3a2b1c"}',
        "client_secret: 9f8e7d6c5b4a39281706",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
        "github ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    ],
)
def test_secrets_are_masked(secret_text):
    out = redact(secret_text)
    assert MASK in out
    for fragment in (
        "s3cr3tPass",
        "AKIAIOSFODNN7EXAMPLE",
        "hunter2",
        "ak_live",
        "9f8e7d6c5b4a",
        "MIIEow",
        "xoxb-1234567890",
        "ghp_abc",
        "dozjgNryP4J3",
    ):
        assert fragment not in out


@pytest.mark.parametrize(
    "prose",
    [
        "rejected token: signature verification failed for kid=k-2025-09",
        "flag refresh-token-rotation=off",
        "connection pool exhausted: no free connection after 5000ms",
        "postgres://db.prod:5432/shop",
    ],
)
def test_ordinary_text_is_kept(prose):
    assert redact(prose) == prose
    assert not contains_secret(prose)


def test_url_keeps_user_and_host():
    assert redact("redis://cache:hunter22@redis.prod:6379") == f"redis://cache:{MASK}@redis.prod:6379"
