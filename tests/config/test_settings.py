"""Settings: defaults, then the TOML file, then the environment, then flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightcall.config import load_settings, render_configuration_reference
from nightcall.errors import ConfigError

DOC = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_precedence_is_default_file_environment_flag(tmp_path: Path) -> None:
    """Each source overrides the one before it, and `sources` says where each value came from."""
    config = tmp_path / "nightcall.toml"
    config.write_text('[server]\nport = 5000\nhost = "127.0.0.2"\nretention_days = 7\n')
    settings, sources = load_settings(
        config_path=config,
        environ={"NIGHTCALL_PORT": "6000", "NIGHTCALL_RETENTION_DAYS": "3"},
        overrides={"retention_days": 0},
    )
    assert (settings.host, settings.port, settings.retention_days) == ("127.0.0.2", 6000, 0)
    assert sources["host"] == str(config)
    assert sources["port"] == "NIGHTCALL_PORT"
    assert sources["retention_days"] == "flag"
    assert sources["log_level"] == "default"


def test_bad_value_names_the_setting_and_the_value() -> None:
    """A value of the wrong type is refused with a message naming the setting and the value."""
    with pytest.raises(ConfigError, match=r"'port' has the value 'many'") as caught:
        load_settings(environ={"NIGHTCALL_PORT": "many"})
    assert caught.value.hint == "set port (or NIGHTCALL_PORT) to a int"


def test_unknown_key_in_file_lists_the_valid_ones(tmp_path: Path) -> None:
    """A misspelt key in nightcall.toml is refused, naming it and the valid settings."""
    config = tmp_path / "nightcall.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'prot'") as caught:
        load_settings(config_path=config, environ={})
    assert caught.value.hint is not None
    assert "port" in caught.value.hint


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"retention_days": -1}, "retention_days is -1"),
        ({"port": 70000}, "port 70000 is outside"),
        ({"max_body_bytes": 10}, "max_body_bytes must be at least"),
        ({"log_level": "loud"}, "log_level 'loud' is not one of"),
    ],
)
def test_out_of_range_values_are_refused(overrides: dict[str, object], message: str) -> None:
    """Values of the right type but outside their range are refused with what is allowed."""
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={}, overrides=overrides)


def test_unreadable_file_says_which_file(tmp_path: Path) -> None:
    """A TOML syntax error names the file and says how to fix it."""
    config = tmp_path / "nightcall.toml"
    config.write_text("port = \n")
    with pytest.raises(ConfigError, match=str(config)):
        load_settings(config_path=config, environ={})


def test_configuration_reference_is_current() -> None:
    """docs/configuration.md is what `nightcall config docs` prints (regenerate it if not)."""
    assert DOC.read_text() == render_configuration_reference()
