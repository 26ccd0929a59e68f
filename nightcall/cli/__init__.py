"""The `nightcall` command line."""

from nightcall.cli.main import app, main

__all__ = ["app", "main"]
