"""What a log line says about the cause, in the wordings of common runtimes and protocols."""

from __future__ import annotations

import pytest

from oncall.analysts.offline.patterns import classify


@pytest.mark.parametrize(
    "line, category",
    [
        ("Net::SMTPAuthenticationError: 535 5.7.8 Username and Password not accepted", "expired_credential"),
        ("StackExchange.Redis.RedisServerException: WRONGPASS invalid username-password pair", "expired_credential"),
        (
            "java.lang.UnsupportedOperationException: async-checkout path does not support legacy requests",
            "recent_change",
        ),
        ("rpc error: code = Unimplemented desc = UNIMPLEMENTED: unknown method GetQuote", "recent_change"),
        ("NotImplementedError", "recent_change"),
        ("Back-off pulling image: ImagePullBackOff", "recent_change"),
        ("upstream connect error or disconnect/reset before headers", "dependency_failure"),
        ("dial tcp: lookup cart on 10.96.0.10:53: no such host", "network"),
        ("dial tcp 10.0.4.7:8080: connect: cannot assign requested address", "resource_exhaustion"),
        ("connect EADDRNOTAVAIL 10.0.4.7:8080 - Local (0.0.0.0:0)", "resource_exhaustion"),
        (
            "checkpoint complete: wrote 9120 buffers (55.7%); write=28.112 s, sync=41.771 s, total=69.990 s",
            "resource_exhaustion",
        ),
        (
            "fsync-ing the write ahead log in SyncThread:1 took 14211ms which will adversely effect operation latency",
            "resource_exhaustion",
        ),
        ("checkpoint complete: wrote 118 buffers (0.7%); write=11.9 s, sync=0.004 s, total=11.951 s", None),
        ("request took 812ms", None),
    ],
)
def test_runtime_wordings_name_their_category(line, category):
    assert classify(line) == category
