"""Whose a line is when no field of it names a catalogued service: the names its other fields give.

A Windows server's event log names the program that wrote an event (`ProviderName`: `Contoso.Claims.Api`,
`AD FS`) and the server (`MachineName`: `CONTOSO-API01`), never the service as the catalog names it. An SRE
reads the program's name for the service whose words it holds, and gives a server's other events (IIS's
WAS, Schannel, the .NET runtime) to the service the server runs. Both are decided from a sample of the
file's lines (`fields.Found`) and read as a map of the values seen (embedded._parsed)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from oncall.core.catalog import word_spellings

# a field named for where a line ran: its values are servers, each running one service
HOST_NAMED = re.compile(r"(?i)host|machine|computer|server|node|instance")
# of the sampled lines, the share a field must name services on (and two services at least) to be read
NAMING_SHARE = 1 / 4
# of a server's lines whose service is named, the share one service must have for the server to be its
SERVER_SHARE = 2 / 3


@dataclass(frozen=True)
class Owner:
    """A field (a FIELDS path) and the catalogued service each of its values seen names."""

    path: str
    services: tuple[tuple[str, str], ...]  # (value as written, service)
    server: bool = False  # the field names servers, each given the service most of its lines are


def words(value: str) -> set[str]:
    """The words of a name in lower case, split at anything not a letter and where a capital follows a small
    letter: `Contoso.Claims.Api` and `ClaimsApi` give claims and api, `CONTOSO-API01` api (and contoso)."""
    return set(re.findall(r"[a-z]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", value).lower()))


def _parts(service: str) -> list[str]:
    return [p.lower() for p in re.split(r"[-_.]", service) if p]


def _squashed(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# a database server's own event source or process (SQL Server's default instance and its named ones, PostgreSQL's,
# MySQL's, MariaDB's, MongoDB's): it names no service, but it is the estate's database
DATABASE_SERVER = re.compile(r"(?i)^(MSSQLSERVER|MSSQL\$\w+|postgres(ql)?|mysqld?|mariadbd?|mongod)$")
# the words a catalogued service's name says it is a database with
DATABASE_WORDS = frozenset(
    {"db", "database", "sql", "mssql", "postgres", "postgresql", "pg", "mysql", "mariadb", "mongo", "mongodb"}
)


def _spelt_as(core: str, name: str, services: list[str]) -> bool:
    """Whether `name` is `core` as the telemetry spells every service: itself, or `core` inside an affix another
    service's name carries too (`postgresql.service` beside `api.service`; not `mongodb` beside `db`, nor
    `orders-db`: another database)."""
    if name == core:
        return True
    before, found, after = name.partition(core)
    return bool(found) and any(f"{before}{x}{after}" in services for x in services if x != core)


def named(value: str, services: list[str]) -> str | None:
    """The service a program's or a server's name names: the one every word of whose name it holds (or a
    contraction of it: `db`), the longest if several; else the one service with a word of the name no other
    service's name has (`Contoso.Portal` is portal-web's when only portal-web says portal); or the one it is
    when written without its separators (`AD FS` is adfs). A database server's own name (DATABASE_SERVER) is
    the one service named a database. None when no one service is named."""
    if DATABASE_SERVER.match(value):
        databases = [s for s in services if DATABASE_WORDS & set(_parts(s))]
        # (one service however the telemetry spells it: postgresql, postgresql.service)
        core = min(databases, key=len, default=None)
        return core if core is not None and all(_spelt_as(core, d, services) for d in databases) else None
    said = words(value)
    squashed = _squashed(value)
    whole = [s for s in services if all(any(w in said for w in word_spellings(p)) for p in _parts(s))]
    whole += [s for s in services if _squashed(s) == squashed and s not in whole]
    if whole:
        most = max(len(_parts(s)) for s in whole)
        longest = [s for s in whole if len(_parts(s)) == most]
        return longest[0] if len(longest) == 1 else None
    having: dict[str, set[str]] = {}
    for s in services:
        for p in _parts(s):
            for w in word_spellings(p):
                having.setdefault(w, set()).add(s)
    own = {next(iter(having[w])) for w in said if len(having.get(w, ())) == 1}
    return own.pop() if len(own) == 1 else None


def owners(lines: list[dict[str, str]], services: list[str], hostlike: Callable[[str], bool]) -> tuple[Owner, ...]:
    """From sampled lines' texts (FIELDS path -> value, the fields that may name their owner), the fields read
    for a line's service, first first: those whose values name services (`named`) on NAMING_SHARE of the
    lines, two services at least, the most often naming first; then each server field (`hostlike`), its
    servers named by what most of their named lines are (SERVER_SHARE). None when no field names services."""
    if not lines or not services:
        return ()
    cache: dict[str, str | None] = {}
    maps: dict[str, dict[str, str]] = {}
    hits: Counter[str] = Counter()
    for line in lines:
        for path, value in line.items():
            if value not in cache:
                cache[value] = named(value, services)
            if (service := cache[value]) is not None:
                maps.setdefault(path, {})[value] = service
                hits[path] += 1
    chosen = [
        p
        for p in sorted(hits, key=lambda p: (-hits[p], p))
        if hits[p] >= NAMING_SHARE * len(lines) and len(set(maps[p].values())) >= 2
    ]
    if not chosen:
        return ()

    def service_of(line: dict[str, str]) -> str | None:
        return next((maps[p][line[p]] for p in chosen if line.get(p) in maps[p]), None)

    servers: list[Owner] = []
    for path in sorted({p for line in lines for p in line if hostlike(p)}):
        tally: dict[str, Counter[str]] = {}
        read = maps[path] if path in chosen else {}  # (its values read already, by their own names)
        for line in lines:
            server, service = line.get(path), service_of(line)
            if server is not None and service is not None and server not in read:
                tally.setdefault(server, Counter())[service] += 1
        ran = {
            value: top
            for value, counts in tally.items()
            for top, n in counts.most_common(1)
            if n >= SERVER_SHARE * sum(counts.values())
        }
        if ran:
            servers.append(Owner(path, tuple(sorted(ran.items())), server=True))
    return (*(Owner(p, tuple(sorted(maps[p].items()))) for p in chosen), *servers)
