"""The tree keeps DESIGN.md's shape: layers import only downward, packages declare their API."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import nightcall

ROOT = Path(nightcall.__file__).parent
# Each layer and the layers it may import (besides itself, `nightcall` and `nightcall.errors`).
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "config": {"model"},
    "ingest": {"model", "config"},
    "store": {"model", "config"},
    "analysis": {"model", "config", "store"},
    "explain": {"model", "config", "store", "analysis"},
    "incidents": {"model", "config", "store", "analysis", "explain"},
    "alerts": {"model", "config", "store", "analysis", "explain"},
    "api": {"model", "config", "ingest", "store", "analysis", "explain", "incidents", "alerts"},
    "web": {"model", "config", "store", "analysis", "explain", "incidents", "alerts", "api"},
    "demo": {"model", "config"},
    "cli": {"model", "config", "ingest", "store", "analysis", "explain", "incidents", "alerts",
            "api", "web", "demo"},
}  # fmt: skip
SHARED = {"errors"}


def _modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def _layer(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n.split(".")[1] for n in names if n.startswith("nightcall.") and n.count(".") >= 1}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way(path: Path) -> None:
    """A module imports only its own layer, the shared modules and the layers below it."""
    layer = _layer(path)
    if layer in SHARED or layer == "__init__":
        return
    assert layer in ALLOWED, f"{layer} is not a layer of DESIGN.md: add it to ALLOWED"
    forbidden = _imported_layers(path) - ALLOWED[layer] - SHARED - {layer}
    assert not forbidden, f"{path.relative_to(ROOT)} ({layer}) imports {sorted(forbidden)}"


def _packages() -> list[Path]:
    return sorted(p for p in ROOT.rglob("__init__.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("init", _packages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_init_only_reexports(init: Path) -> None:
    """Every `__init__.py` holds a docstring, imports and a sorted `__all__`, and no logic."""
    tree = ast.parse(init.read_text())
    for node in tree.body:
        is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        is_import = isinstance(node, ast.Import | ast.ImportFrom)
        is_assignment = isinstance(node, ast.Assign)
        assert is_docstring or is_import or is_assignment, f"{init}: logic at line {node.lineno}"
    module_name = ".".join(("nightcall", *init.parent.relative_to(ROOT).parts))
    module = importlib.import_module(module_name)
    exported = list(getattr(module, "__all__", []))
    assert exported == sorted(exported), f"{module_name}.__all__ is not sorted"
    for name in exported:
        assert hasattr(module, name), f"{module_name}.__all__ names {name}, which it lacks"
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
    }
    assert imported <= set(exported), f"{module_name} imports {imported - set(exported)} unexported"


def test_every_package_has_an_init() -> None:
    """Every folder of Python modules under nightcall/ is a package with its `__init__.py`."""
    folders = {p.parent for p in _modules()}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert not missing, f"folders without __init__.py: {missing}"


def test_no_catch_all_modules() -> None:
    """No module is named utils, helpers or misc: a module is named for its concept."""
    bad = [p for p in _modules() if p.stem in {"utils", "helpers", "misc", "common"}]
    assert not bad
