"""The shop's iOS app, live: sessions on many phones, crashes reported through sentry-sdk.

Each crash is a fatal Sentry event with the device, OS and app contexts a mobile SDK attaches,
plus an OTLP log record from that device (its resource names the device and OS), as the app's
OpenTelemetry logger would send it. Faults raise the crash rate of one device and OS version.
"""

from __future__ import annotations

import random
import time
from typing import Any

import sentry_sdk
from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource

from nightcall.demo import signals as sig
from nightcall.demo.effects import conditions_at, mobile_crash
from nightcall.demo.envelopes import APP_ID
from nightcall.demo.process import ProcessConfig
from nightcall.demo.topology import MOBILE_SERVICE
from nightcall.demo.traffic import APP_VERSIONS, DEVICES, SESSIONS_PER_REQUEST, DayCurve, Device


def _provider(device: Device, app_version: str, config: ProcessConfig) -> LoggerProvider:
    resource = Resource.create(
        {
            "service.name": MOBILE_SERVICE,
            "service.version": app_version,
            "device.model.identifier": device.model,
            "device.manufacturer": "Apple",
            "os.name": "iOS",
            "os.type": "darwin",
            "os.version": device.os_version,
        }
    )
    headers = {"Authorization": f"Bearer {config.key}"} if config.key else {}
    exporter = OTLPLogExporter(endpoint=config.url.rstrip("/") + "/v1/logs", headers=headers)
    provider = LoggerProvider(resource=resource)
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter, schedule_delay_millis=1000))
    return provider


def run_mobile(config: ProcessConfig) -> int:
    """Run app sessions until the run ends; returns the exit code."""
    rng = random.Random(config.seed)
    faults = config.fault_list()
    curve = DayCurve(day_s=config.day_s, mean_rate_per_s=config.mean_rate_per_s)
    sentry_sdk.init(
        dsn=config.dsn,
        environment="production",
        default_integrations=False,
        auto_enabling_integrations=False,
    )
    providers: dict[tuple[str, str, str], LoggerProvider] = {}
    try:
        while time.time() < config.until_s:
            t_s = time.time() - config.origin_s
            rate = max(0.05, SESSIONS_PER_REQUEST * curve.rate_per_s(max(0.0, t_s)))
            time.sleep(min(1.0, rng.expovariate(rate)))
            device = rng.choices(DEVICES, weights=[d.weight for d in DEVICES])[0]
            app_version = rng.choice(APP_VERSIONS)
            crash = mobile_crash(device, conditions_at(faults, MOBILE_SERVICE, t_s), rng)
            if crash is None:
                continue
            with sentry_sdk.new_scope() as scope:
                scope.set_context(
                    "device",
                    {
                        "model": device.model,
                        "family": device.family,
                        "arch": "arm64e",
                        "simulator": False,
                    },
                )
                scope.set_context("os", {"name": "iOS", "version": device.os_version})
                scope.set_context("app", {"app_version": app_version, "app_identifier": APP_ID})
                scope.set_tag("service", MOBILE_SERVICE)
                scope.set_tag("device.model", device.model)
                scope.set_tag("os.version", device.os_version)
                event: dict[str, Any] = {
                    "level": "fatal",
                    "platform": "cocoa",
                    "release": f"{APP_ID}@{app_version}",
                    "exception": {
                        "values": [
                            {
                                "type": crash.type,
                                "value": crash.value,
                                "mechanism": {"type": "mach", "handled": False},
                                "stacktrace": {
                                    "frames": [
                                        {
                                            "function": crash.function,
                                            "package": crash.module,
                                            "in_app": True,
                                        }
                                    ]
                                },
                            }
                        ]
                    },
                }
                # sentry-python types `platform` as "python" only; the protocol takes "cocoa".
                sentry_sdk.capture_event(event)  # type: ignore[arg-type]
            key = (device.model, device.os_version, app_version)
            if key not in providers:
                providers[key] = _provider(device, app_version, config)
            logger = providers[key].get_logger(sig.SCOPE_NAME)
            logger.emit(
                LogRecord(
                    timestamp=time.time_ns(),
                    severity_text="FATAL",
                    severity_number=SeverityNumber.FATAL,
                    body=sig.LOG_MOBILE_CRASH.format(type=crash.type, value=crash.value),
                    attributes={"exception.type": crash.type, "code.function": crash.function},
                )
            )
    finally:
        sentry_sdk.flush(timeout=2)
        for provider in providers.values():
            provider.shutdown()
    return 0
