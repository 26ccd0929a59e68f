"""`[[alert_receivers]]`: webhooks and files, refused with the bad value named."""

from __future__ import annotations

import pytest

from nightcall.config import load_settings
from nightcall.config.alert_receivers import AlertReceiver
from nightcall.errors import ConfigError


def test_receivers_load_with_defaults_and_headers() -> None:
    """A webhook gets the default timeout and attempts; headers become sorted pairs."""
    settings, _ = load_settings(
        environ={},
        overrides={
            "alert_receivers": [
                {
                    "name": "hook",
                    "url": "https://hooks.example/a",
                    "headers": {"X-B": "2", "X-A": "1"},
                },
                {"name": "audit", "url": "file:///tmp/alerts.jsonl", "max_attempts": 1},
            ]
        },
    )
    hook, audit = settings.alert_receivers
    assert hook == AlertReceiver(
        name="hook", url="https://hooks.example/a", headers=(("X-A", "1"), ("X-B", "2"))
    )
    assert (hook.timeout_s, hook.max_attempts, hook.is_file) == (5.0, 4, False)
    assert (audit.is_file, audit.max_attempts) == (True, 1)


@pytest.mark.parametrize(
    ("receiver", "message"),
    [
        ({"url": "https://a/"}, "name and url are required"),
        ({"name": "a", "url": "ftp://a/"}, "is not an http://, https:// or file:// URL"),
        ({"name": "a", "url": "https://a/", "format": "teams"}, "format is 'teams'"),
        ({"name": "a", "url": "file:///x", "format": "slack"}, "a file receiver writes the json"),
        ({"name": "a", "url": "https://a/", "timeout_s": 0}, "timeout_s (0.0) must be above 0"),
        ({"name": "a", "url": "https://a/", "max_attempts": 11}, "max_attempts is 11"),
        ({"name": "a", "url": "https://a/", "max_attempts": 1.5}, "not a whole number"),
        ({"name": "a", "url": "https://a/", "headers": ["x"]}, "headers is ['x']"),
        ({"name": "a", "url": "https://a/", "retries": 3}, "unknown key(s) 'retries'"),
    ],
)
def test_bad_receivers_are_refused_naming_the_value(
    receiver: dict[str, object], message: str
) -> None:
    """Each mistake names the receiver and the value; the hint lists the keys."""
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, overrides={"alert_receivers": [receiver]})
    assert message in caught.value.message
    assert caught.value.hint is not None
    assert "max_attempts" in caught.value.hint
