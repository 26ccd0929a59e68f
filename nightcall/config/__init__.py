"""Settings: one table that drives the TOML file, the environment and the flags."""

from nightcall.config.settings import Settings, env_name, load_settings, setting_fields

__all__ = ["Settings", "env_name", "load_settings", "setting_fields"]
