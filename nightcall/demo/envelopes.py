"""Sentry events and envelopes with explicit timestamps, shaped as sentry-python and sentry-cocoa
send them (exception with frames, release, environment, trace context, device/os/app contexts).
"""

from __future__ import annotations

from typing import Any

import orjson

from nightcall.demo.topology import MOBILE_SERVICE
from nightcall.demo.traffic import Device, MobileCrash
from nightcall.model import format_time_ns

SDK_PYTHON = {"name": "sentry.python", "version": "2.19.0"}
SDK_COCOA = {"name": "sentry.cocoa", "version": "8.36.0"}
APP_ID = "com.example.shop"


def _iso(unix_ns: int) -> str:
    return format_time_ns(unix_ns)[:26] + "Z"


def service_event(
    *,
    event_id: str,
    time_ns: int,
    service: str,
    version: str,
    instance: str,
    route: str,
    error_type: str,
    message: str,
    trace_id: str,
    span_id: str,
) -> dict[str, Any]:
    """An error event from a backend service's handler, as sentry-python reports it."""
    module = f"shop.{service}.handlers"
    function = "handle_" + route.strip("/").replace("/", "_").replace("{id}", "item") or "index"
    frames = [
        {
            "filename": "http/server.py",
            "module": "http.server",
            "function": "handle_one_request",
            "lineno": 424,
            "in_app": False,
        },
        {
            "filename": f"shop/{service}/app.py",
            "module": f"shop.{service}.app",
            "function": "dispatch",
            "lineno": 88,
            "in_app": True,
        },
        {
            "filename": f"shop/{service}/handlers.py",
            "module": module,
            "function": function,
            "lineno": 131,
            "in_app": True,
        },
    ]
    return {
        "event_id": event_id,
        "timestamp": _iso(time_ns),
        "platform": "python",
        "level": "error",
        "logger": module,
        "release": f"{service}@{version}",
        "environment": "demo",
        "server_name": instance,
        "transaction": route,
        "tags": {"service": service, "http.route": route},
        "contexts": {
            "trace": {"trace_id": trace_id, "span_id": span_id, "op": "http.server"},
            "runtime": {"name": "CPython", "version": "3.11.9"},
        },
        "exception": {
            "values": [
                {
                    "type": error_type,
                    "value": message,
                    "module": "builtins",
                    "mechanism": {"type": "generic", "handled": False},
                    "stacktrace": {"frames": frames},
                }
            ]
        },
        "sdk": SDK_PYTHON,
    }


def mobile_event(
    *, event_id: str, time_ns: int, device: Device, app_version: str, crash: MobileCrash
) -> dict[str, Any]:
    """A fatal crash of the iOS app, with the device, OS and app contexts sentry-cocoa adds."""
    frames = [
        {"function": "start", "package": "dyld", "in_app": False},
        {"function": "UIApplicationMain", "package": "UIKitCore", "in_app": False},
        {"function": crash.function, "package": crash.module, "in_app": True},
    ]
    return {
        "event_id": event_id,
        "timestamp": _iso(time_ns),
        "platform": "cocoa",
        "level": "fatal",
        "release": f"{APP_ID}@{app_version}",
        "dist": "512",
        "environment": "production",
        "tags": {
            "service": MOBILE_SERVICE,
            "device.model": device.model,
            "os.version": device.os_version,
        },
        "contexts": {
            "device": {
                "model": device.model,
                "family": device.family,
                "arch": "arm64e",
                "simulator": False,
            },
            "os": {"name": "iOS", "version": device.os_version},
            "app": {"app_version": app_version, "app_identifier": APP_ID, "app_build": "512"},
        },
        "exception": {
            "values": [
                {
                    "type": crash.type,
                    "value": crash.value,
                    "mechanism": {"type": "mach", "handled": False},
                    "stacktrace": {"frames": frames},
                }
            ]
        },
        "sdk": SDK_COCOA,
    }


def envelope(event: dict[str, Any]) -> bytes:
    """The envelope of one event: header line, item header, item payload."""
    payload = orjson.dumps(event)
    header = {"event_id": event["event_id"], "sent_at": event["timestamp"]}
    item = {"type": "event", "length": len(payload), "content_type": "application/json"}
    return orjson.dumps(header) + b"\n" + orjson.dumps(item) + b"\n" + payload + b"\n"
