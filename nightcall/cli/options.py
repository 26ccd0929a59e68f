"""Options every CLI command shares, and how they become `Settings`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from nightcall.config import Settings, load_settings

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="nightcall.toml to read (default: $NIGHTCALL_CONFIG, else ./nightcall.toml if any).",
        show_default=False,
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (store, WAL, keys).", show_default=False),
]
UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        envvar="NIGHTCALL_URL",
        help="A running server; without it, the local one, else the data directory itself.",
        show_default=False,
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option("--key", envvar="NIGHTCALL_KEY", help="API key for --url.", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
StartOption = Annotated[
    str | None,
    typer.Option("--start", "--since", help="RFC 3339, Unix seconds, or relative (-1h).",
                 show_default=False),
]  # fmt: skip
EndOption = Annotated[
    str | None, typer.Option("--end", help="Like --start; default now.", show_default=False)
]


def config_path(explicit: Path | None) -> Path | None:
    """The configuration file to read: the flag, then $NIGHTCALL_CONFIG, then ./nightcall.toml."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("NIGHTCALL_CONFIG")
    if from_env:
        return Path(from_env)
    local = Path("nightcall.toml")
    return local if local.is_file() else None


def resolve_settings(config: Path | None, **overrides: object) -> tuple[Settings, dict[str, str]]:
    """Effective settings for a command: defaults < file < environment < flags."""
    return load_settings(config_path=config_path(config), environ=os.environ, overrides=overrides)


def relative_start(value: str | None) -> str | None:
    """Accept `--since 30m` as well as `--since -30m`."""
    if value and value[0].isdigit() and value[-1] in "smhdw" and not value.isdigit():
        return "-" + value
    return value
