"""Network diagnostics done with Python's own resolver, httpx and ssl: no `dig`, `curl`, `openssl`.

Each connects only where its validated parameters say (the policy in `params` has already
refused hosts that are neither loopback nor allow-listed), follows no redirect (a redirect
could lead off the allow-list), ignores proxy variables, and reads a bounded part of any body.
A target that refuses, times out or fails verification is a finding, so the run is "ok" and
the summary says what the target did.
"""

from __future__ import annotations

import socket
import ssl
import time

import httpx

from nightcall.explain.diagnostics.params import Params
from nightcall.explain.diagnostics.record import Fact, ProbeOutput

CONNECT_TIMEOUT_S = 5.0
MAX_BODY_BYTES = 4096  # of an HTTP answer, kept for the excerpt


def dns_lookup(params: Params) -> ProbeOutput:
    """Resolve `host` with the system resolver (as the service would), timing the answer."""
    host = str(params["host"])
    started = time.perf_counter()
    try:
        answers = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        elapsed_ms = 1000 * (time.perf_counter() - started)
        facts: dict[str, Fact] = {
            "resolved": 0,
            "lookup_ms": round(elapsed_ms, 1),
            "error": str(exc),
        }
        summary = f"{host} does not resolve after {elapsed_ms:.0f} ms: {exc}"
        return ProbeOutput(text=summary, summary=summary, facts=facts)
    elapsed_ms = 1000 * (time.perf_counter() - started)
    addresses = sorted({str(answer[4][0]) for answer in answers})
    facts = {"resolved": len(addresses), "lookup_ms": round(elapsed_ms, 1)}
    text = "\n".join([f"{host} resolved in {elapsed_ms:.1f} ms:", *addresses])
    summary = f"{host} -> {', '.join(addresses[:4])} in {elapsed_ms:.0f} ms"
    return ProbeOutput(text=text, summary=summary, facts=facts)


def http_probe(params: Params) -> ProbeOutput:
    """GET `url` once: status, time to headers and to the body, size; no redirects followed."""
    url = str(params["url"])
    timeout = httpx.Timeout(CONNECT_TIMEOUT_S)
    started = time.perf_counter()
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream("GET", url, headers={"User-Agent": "nightcall-diagnostics"}) as answer,
        ):
            headers_ms = 1000 * (time.perf_counter() - started)
            body = bytearray()
            size = 0
            for chunk in answer.iter_bytes():
                size += len(chunk)
                if len(body) < MAX_BODY_BYTES:
                    body += chunk[: MAX_BODY_BYTES - len(body)]
            total_ms = 1000 * (time.perf_counter() - started)
    except httpx.HTTPError as exc:
        elapsed_ms = 1000 * (time.perf_counter() - started)
        summary = f"GET {url} failed after {elapsed_ms:.0f} ms: {type(exc).__name__}: {exc}"
        facts: dict[str, Fact] = {
            "status": 0,
            "total_ms": round(elapsed_ms, 1),
            "error": type(exc).__name__,
        }
        return ProbeOutput(text=summary, summary=summary, facts=facts)
    facts = {
        "status": answer.status_code,
        "headers_ms": round(headers_ms, 1),
        "total_ms": round(total_ms, 1),
        "body_bytes": size,
    }
    lines = [
        f"HTTP {answer.status_code} {answer.reason_phrase} in {total_ms:.1f} ms "
        f"(headers {headers_ms:.1f} ms), {size} bytes"
    ]
    lines += [f"{name}: {value}" for name, value in answer.headers.items()]
    lines += ["", body.decode("utf-8", errors="replace")]
    summary = f"GET {url} -> {answer.status_code} in {total_ms:.0f} ms, {size} bytes"
    if answer.is_redirect:
        summary += f" (redirect to {answer.headers.get('location', '?')}, not followed)"
    return ProbeOutput(text="\n".join(lines), summary=summary, facts=facts)


def _name(pairs: object) -> str:
    """`CN=example.com, O=Example` from ssl's nested tuples."""
    if not isinstance(pairs, tuple):
        return ""
    return ", ".join(f"{key}={value}" for rdn in pairs for key, value in rdn)


def tls_certificate(params: Params) -> ProbeOutput:
    """The certificate `host:port` offers (subject, issuer, names, expiry), verified."""
    host, port = str(params["host"]), int(params["port"])
    context = ssl.create_default_context()
    started = time.perf_counter()
    try:
        with (
            socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            certificate = tls.getpeercert() or {}
            version = tls.version() or "?"
    except ssl.SSLCertVerificationError as exc:
        summary = (
            f"{host}:{port} offers a certificate that fails verification: {exc.verify_message}"
        )
        facts: dict[str, Fact] = {"verified": 0, "error": str(exc.verify_message)}
        return ProbeOutput(text=f"{summary}\n{exc}", summary=summary, facts=facts)
    except (OSError, ssl.SSLError) as exc:
        summary = f"no TLS handshake with {host}:{port}: {exc}"
        return ProbeOutput(text=summary, summary=summary, facts={"verified": 0, "error": str(exc)})
    handshake_ms = 1000 * (time.perf_counter() - started)
    expires = str(certificate.get("notAfter", ""))
    days_left = (ssl.cert_time_to_seconds(expires) - time.time()) / 86400 if expires else 0.0
    alt_names: tuple[tuple[str, str], ...] = certificate.get("subjectAltName", ())  # type: ignore[assignment]  # typeshed's _PeerCertRetDictType is a loose union
    names = [value for kind, value in alt_names if kind == "DNS"]
    facts = {
        "verified": 1,
        "days_left": round(days_left, 1),
        "not_after": expires,
        "handshake_ms": round(handshake_ms, 1),
        "tls_version": version,
    }
    lines = [
        f"subject: {_name(certificate.get('subject'))}",
        f"issuer: {_name(certificate.get('issuer'))}",
        f"names: {', '.join(names)}",
        f"not before: {certificate.get('notBefore', '')}",
        f"not after: {expires} ({days_left:.1f} days left)",
        f"protocol: {version}",
    ]
    summary = f"{host}:{port} certificate valid, expires {expires} ({days_left:.0f} days left)"
    return ProbeOutput(text="\n".join(lines), summary=summary, facts=facts)
