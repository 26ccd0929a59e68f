"""Log and error-message signatures: words that name a cause, counted per service in SQL.

A person grepping the logs at 3 a.m. looks for these first: "certificate has expired", "out of
memory", "too many open files". Each signature is a handful of case-insensitive phrases used
across languages and libraries (OpenSSL, Go's x509, Java's SSL stack, the JVM, glibc, common
pool libraries), never the wording of one application.
"""

from __future__ import annotations

from dataclasses import dataclass

from nightcall.model import HypothesisKind
from nightcall.store.connection import literal
from nightcall.store.queries_traces import Window
from nightcall.store.schema import ERROR_EVENTS, LOGS
from nightcall.store.store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class Signature:
    """A named family of phrases and the kind of cause it points at."""

    name: str
    kind: HypothesisKind
    phrases: tuple[str, ...]


SIGNATURES: tuple[Signature, ...] = (
    Signature(name="certificate_expired", kind=HypothesisKind.CERTIFICATE_EXPIRY,
              phrases=("certificate has expired", "certificate expired", "cert expired",
                       "certificate_verify_failed", "x509: certificate", "certexpired",
                       "notafter")),
    Signature(name="out_of_memory", kind=HypothesisKind.MEMORY_LEAK,
              phrases=("out of memory", "outofmemoryerror", "oomkilled", "memoryerror",
                       "cannot allocate memory", "heap space")),
    Signature(name="pool_exhausted", kind=HypothesisKind.RESOURCE_EXHAUSTION,
              phrases=("acquiring connection", "connection pool", "pool exhausted",
                       "too many connections", "queuepool limit", "waiting for connection",
                       "too many open files", "emfile", "thread pool", "rejectedexecution")),
    Signature(name="network_errors", kind=HypothesisKind.NETWORK_DEGRADATION,
              phrases=("connection reset", "connection refused", "no route to host",
                       "network is unreachable", "broken pipe", "econnreset",
                       "i/o timeout", "packet loss")),
    Signature(name="gc_pause", kind=HypothesisKind.GC_OR_MEMORY_RECLAIM_PAUSE,
              phrases=("gc overhead", "stop-the-world", "full gc", "gc pause",
                       "allocation failure")),
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureHit:
    """How often one signature appeared in one service's logs or error events, first when."""

    service: str
    signature: Signature
    count: int
    first_ns: int
    sample: str


def _condition(column: str, phrases: tuple[str, ...]) -> str:
    return " OR ".join(f"positionCaseInsensitive({column}, {literal(p)}) > 0" for p in phrases)


def find_signatures(store: Store, window: Window) -> list[SignatureHit]:
    """Every (service, signature) seen in warning-or-worse logs or error events in `window`."""
    hits: list[SignatureHit] = []
    sources = (
        (LOGS.name, "Body", "Timestamp", "SeverityNumber >= 13"),
        (ERROR_EVENTS.name, "concat(ExceptionType, ': ', ExceptionValue)", "Timestamp", "1"),
    )
    for table, text, time_column, floor in sources:
        selects = ", ".join(
            f"countIf({_condition(text, s.phrases)}) AS c{i},"
            f" toUnixTimestamp64Nano(minIf({time_column}, {_condition(text, s.phrases)})) AS t{i},"
            f" anyIf({text}, {_condition(text, s.phrases)}) AS s{i}"
            for i, s in enumerate(SIGNATURES)
        )
        rows = store.select(
            f"SELECT ServiceName AS service, {selects} FROM {store.table(table)}"
            f" WHERE {window.sql(time_column)} AND {floor} GROUP BY service"
        )
        for row in rows:
            for i, signature in enumerate(SIGNATURES):
                if int(row[f"c{i}"]) > 0:
                    hits.append(
                        SignatureHit(
                            service=str(row["service"]),
                            signature=signature,
                            count=int(row[f"c{i}"]),
                            first_ns=int(row[f"t{i}"]),
                            sample=str(row[f"s{i}"])[:300],
                        )
                    )
    return hits
