"""Ingest, API and Sentry keys in `data_dir/keys.json`, stored as SHA-256 digests.

A file, not a table, so `nightcall keys create` works whether or not a server owns the store;
the server notices changes by the file's modification time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

import orjson

from nightcall.errors import ConfigError, NotFound


class KeyKind(StrEnum):
    """What a key opens: OTLP ingest, the query API, or the Sentry endpoints."""

    INGEST = "ingest"
    API = "api"
    SENTRY = "sentry"


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyRecord:
    """A key as stored: its id, kind, digest and creation time; never the secret."""

    id: str
    kind: KeyKind
    digest: str
    created_unix: int
    project: str = ""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyRing:
    """The keys of one data directory, reloaded when the file changes; `None`: keys are off."""

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._mtime_ns = -1
        self._keys: list[KeyRecord] = []

    def records(self) -> list[KeyRecord]:
        with self._lock:
            self._reload()
            return list(self._keys)

    def is_enabled(self) -> bool:
        """Whether any key exists; from then on ingest and the API require one."""
        return bool(self.records())

    def verify(self, secret: str, kinds: set[KeyKind]) -> bool:
        """Whether `secret` is a live key of one of `kinds` (constant-time comparison)."""
        digest = _digest(secret)
        return any(hmac.compare_digest(k.digest, digest) for k in self.records() if k.kind in kinds)

    def create(self, kind: KeyKind, *, project: str = "1") -> tuple[KeyRecord, str]:
        """Make a key; the secret is returned once and never stored."""
        secret = secrets.token_hex(16)
        record = KeyRecord(
            id=_digest(secret)[:12],
            kind=kind,
            digest=_digest(secret),
            created_unix=int(time.time()),
            project=project if kind is KeyKind.SENTRY else "",
        )
        with self._lock:
            self._reload()
            self._write([*self._keys, record])
        return record, secret

    def revoke(self, key_id: str) -> KeyRecord:
        with self._lock:
            self._reload()
            matches = [k for k in self._keys if k.id == key_id]
            if not matches:
                raise NotFound(
                    f"no key with id {key_id!r}",
                    location="id",
                    hint="list the ids with `nightcall keys list`",
                )
            self._write([k for k in self._keys if k.id != key_id])
            return matches[0]

    def _reload(self) -> None:
        if self.path is None:
            return
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            self._keys, self._mtime_ns = [], -1
            return
        if mtime == self._mtime_ns:
            return
        try:
            raw = orjson.loads(self.path.read_bytes())
            self._keys = [
                KeyRecord(**{**item, "kind": KeyKind(item["kind"])}) for item in raw["keys"]
            ]
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"the key file {self.path} is damaged: {exc}",
                hint="restore it, or delete it and create new keys with `nightcall keys create`",
            ) from None
        self._mtime_ns = mtime

    def _write(self, keys: list[KeyRecord]) -> None:
        if self.path is None:
            raise ConfigError("this key ring has no file: keys cannot be created here")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        data = orjson.dumps({"keys": [asdict(k) for k in keys]}, option=orjson.OPT_INDENT_2)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        temporary.replace(self.path)
        self._keys = keys
        self._mtime_ns = self.path.stat().st_mtime_ns
