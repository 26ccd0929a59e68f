"""Settings: one table that drives the TOML file, the environment and the flags."""

from nightcall.config.reference import render_configuration_reference
from nightcall.config.settings import Settings, env_name, load_settings, setting_fields

__all__ = [
    "Settings",
    "env_name",
    "load_settings",
    "render_configuration_reference",
    "setting_fields",
]
