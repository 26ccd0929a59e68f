"""`nightcall keys create|list|revoke`: the keys in the data directory's key file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from nightcall.api.keys import KeyKind, KeyRing
from nightcall.cli.options import ConfigOption, DataDirOption, JsonOption, resolve_settings
from nightcall.cli.render import keys_table, make_console
from nightcall.model import format_time_ns

keys_app = typer.Typer(help="Create, list and revoke ingest, API and Sentry keys.",
                       no_args_is_help=True)  # fmt: skip


def _keyring(config: Path | None, data_dir: Path | None) -> tuple[KeyRing, str, int]:
    settings, _ = resolve_settings(config, data_dir=data_dir)
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    return KeyRing(Path(settings.data_dir) / "keys.json"), host, settings.port


@keys_app.command("create")
def create(
    kind: Annotated[KeyKind, typer.Option(help="What the key opens.")],
    project: Annotated[str, typer.Option(help="Sentry project id (sentry keys).")] = "1",
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    json_output: JsonOption = False,
) -> None:
    """Create a key; its secret is printed once and never stored."""
    keyring, host, port = _keyring(config, data_dir)
    record, secret = keyring.create(kind, project=project)
    result: dict[str, str] = {"id": record.id, "kind": str(record.kind), "secret": secret}
    if kind is KeyKind.SENTRY:
        result["project"] = record.project
        result["dsn"] = f"http://{secret}@{host}:{port}/{record.project}"
    if json_output:
        typer.echo(orjson.dumps(result).decode())
        return
    typer.echo(f"created {kind} key {record.id}")
    typer.echo(f"secret: {secret}   (shown once: store it now)")
    if "dsn" in result:
        typer.echo(f"dsn:    {result['dsn']}")


@keys_app.command("list")
def list_keys(
    config: ConfigOption = None, data_dir: DataDirOption = None, json_output: JsonOption = False
) -> None:
    """List keys (ids and kinds; secrets are not kept)."""
    keyring, _, _ = _keyring(config, data_dir)
    keys = [
        {
            "id": k.id,
            "kind": str(k.kind),
            "project": k.project,
            "created": format_time_ns(k.created_unix * 1_000_000_000)[:19] + "Z",
        }
        for k in keyring.records()
    ]
    if json_output:
        typer.echo(orjson.dumps({"keys": keys, "next": None}).decode())
    else:
        make_console().print(keys_table(keys))


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's id from `keys list`.")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    json_output: JsonOption = False,
) -> None:
    """Revoke a key; a running server stops accepting it at once."""
    keyring, _, _ = _keyring(config, data_dir)
    record = keyring.revoke(key_id)
    if json_output:
        typer.echo(orjson.dumps({"id": record.id, "kind": str(record.kind)}).decode())
    else:
        typer.echo(f"revoked {record.kind} key {record.id}")
