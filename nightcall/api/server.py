"""`serve`: open the store, replay the WAL, start the pipeline and run uvicorn until stopped."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from fastapi import APIRouter

from nightcall.api.app import Runtime, create_app
from nightcall.api.keys import KeyRing
from nightcall.api.log_templating import log_templating
from nightcall.config import Settings
from nightcall.errors import ConfigError
from nightcall.store.pipeline import IngestPipeline
from nightcall.store.store import open_store


def check_exposure(settings: Settings, keyring: KeyRing) -> None:
    """Refuse to listen beyond loopback while no key protects ingest and the API."""
    if not settings.is_loopback() and not keyring.is_enabled():
        raise ConfigError(
            f"refusing to listen on {settings.host} without keys: anyone who can reach it could "
            "write and read your telemetry",
            location="host",
            hint="create keys with `nightcall keys create --kind api` and `--kind ingest`, or "
            "pass --host 127.0.0.1",
        )


def build_runtime(settings: Settings, *, keyring: KeyRing | None = None) -> Runtime:
    """Open everything a server needs and start the pipeline (replaying the WAL first)."""
    data_dir = Path(settings.data_dir)
    keyring = keyring or KeyRing(data_dir / "keys.json")
    check_exposure(settings, keyring)
    store = open_store(settings)
    pipeline = IngestPipeline(
        store,
        data_dir / "wal",
        segment_bytes=settings.wal_segment_bytes,
        max_pending_bytes=settings.wal_max_pending_bytes,
        batch_bytes=settings.writer_batch_bytes,
        interval_s=settings.writer_interval_s,
        prepare=log_templating(settings),
    )
    pipeline.start()
    return Runtime(settings=settings, store=store, pipeline=pipeline, keyring=keyring)


def serve(settings: Settings, *, routers: Sequence[APIRouter] = ()) -> None:
    """Run the server in the foreground; Ctrl-C or SIGTERM drains the writer, then exits.

    `routers` go to `create_app` (the CLI passes the web UI's).
    """
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    runtime = build_runtime(settings)
    runtime.closes_store = True
    try:
        uvicorn.run(
            create_app(runtime, routers=routers),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            access_log=False,
            timeout_graceful_shutdown=10,
        )
    finally:
        runtime.pipeline.close()
        runtime.store.close()
