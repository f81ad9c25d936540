"""What world 24's first contact taught (a news publisher bundled the plain DESIGN.md way, every line
filed under syslog's severity names; written after world 23's rules and scored before any rule saw it):
its layout was read and five of its six faults answered right on every seed; the sixth, a CoreDNS
change that dropped a stub domain, was blamed on the database the error names beside the host it could
not resolve, because glibc's own words for a name that does not resolve were not read as a network
failure."""

from __future__ import annotations

import pytest

from oncall.analysts.offline.patterns import classify


@pytest.mark.parametrize(
    "text",
    [
        "(2003, \"Can't connect to MySQL server on 'recs.features.internal' ([Errno -2] Name or service not known)\")",
        "socket.gaierror: [Errno 8] nodename nor servname provided, or not known",
        'could not translate host name "db.internal" to address: No address associated with hostname',
    ],
)
def test_a_name_that_does_not_resolve_in_getaddrinfos_words_is_a_network_failure(text) -> None:
    assert classify(text) == "network"
