"""`[[probes]]` in nightcall.toml: loaded, defaulted, and refused with the bad value named."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightcall.config import load_settings
from nightcall.config.probes import ProbeConfig
from nightcall.errors import ConfigError


def test_probes_load_beside_a_server_table(tmp_path: Path) -> None:
    """[[probes]] tables load with defaults filled in, next to [server] settings."""
    config = tmp_path / "nightcall.toml"
    config.write_text(
        '[server]\nport = 5000\n\n[[probes]]\nname = "api"\nurl = "https://api.example/health"\n'
        'interval_s = 15\n\n[[probes]]\nname = "web"\nurl = "http://web.example/"\n'
        "expected_status = 204\n"
    )
    settings, sources = load_settings(config_path=config, environ={})
    assert settings.probes == (
        ProbeConfig(name="api", url="https://api.example/health", interval_s=15.0),
        ProbeConfig(name="web", url="http://web.example/", expected_status=204),
    )
    assert settings.probes[0].service_name == "api"
    assert sources["probes"] == str(config)


def test_probes_come_from_the_environment_as_json() -> None:
    """NIGHTCALL_PROBES holds the same list as JSON."""
    settings, _ = load_settings(
        environ={"NIGHTCALL_PROBES": '[{"name": "a", "url": "http://a/", "timeout_s": 2}]'}
    )
    assert settings.probes == (ProbeConfig(name="a", url="http://a/", timeout_s=2.0),)


@pytest.mark.parametrize(
    ("probe", "message"),
    [
        ({"url": "http://a/"}, "probe #1: name is missing"),
        ({"name": "a", "url": "ftp://a/"}, "url 'ftp://a/' is not an http"),
        ({"name": "a", "url": "http://a/", "interval_s": "soon"}, "interval_s is 'soon'"),
        ({"name": "a", "url": "http://a/", "timeout_s": 0}, "must be above 0"),
        ({"name": "a", "url": "http://a/", "expected_status": 42}, "expected_status 42"),
        ({"name": "a", "url": "http://a/", "color": "red"}, "unknown key(s) 'color'"),
    ],
)
def test_bad_probes_are_refused_naming_the_value(probe: dict[str, object], message: str) -> None:
    """Each mistake is named with the probe and the value, and the hint lists the keys."""
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, overrides={"probes": [probe]})
    assert message in caught.value.message
    assert caught.value.hint is not None
    assert "expected_status" in caught.value.hint


def test_collect_host_reads_booleans_and_refuses_other_words() -> None:
    """collect_host accepts true/false forms from the environment and names a bad one."""
    settings, _ = load_settings(environ={"NIGHTCALL_COLLECT_HOST": "yes"})
    assert settings.collect_host is True
    with pytest.raises(ConfigError, match="'collect_host' has the value 'maybe'"):
        load_settings(environ={"NIGHTCALL_COLLECT_HOST": "maybe"})


def test_statsd_port_zero_turns_statsd_off_and_out_of_range_is_refused() -> None:
    """statsd_port accepts 0 (off) and refuses ports above 65535."""
    assert load_settings(environ={}, overrides={"statsd_port": 0})[0].statsd_port == 0
    with pytest.raises(ConfigError, match="statsd_port 70000 is outside 0-65535"):
        load_settings(environ={}, overrides={"statsd_port": 70000})
