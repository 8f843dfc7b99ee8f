"""The app's import layers, read from the source with ``ast`` (no import is executed).

domain (pure rules) <- db (SQL) <- oss, notify, services <- routes <- main, cli. A module may
import downwards, never upwards. The OSS simulator (``app.ossim``) is a second program: only
the entry points start it, and it shares with the app nothing but pure helpers.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

ENTRY_POINTS = ("app.main", "app.cli", "app.__main__")


@dataclass(frozen=True, slots=True)
class Rule:
    """Modules under ``source`` may import from app only what ``allowed`` says (module
    prefixes), and never what ``forbidden`` names."""

    source: tuple[str, ...]
    why: str
    allowed: tuple[str, ...] | None = None  # None: anything not forbidden
    forbidden: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()


RULES = (
    Rule(("app.domain",), "domain logic is pure: it imports only itself",
         allowed=("app.domain",)),
    Rule(("app.db",), "the store sits right above the domain",
         allowed=("app.db", "app.domain")),
    Rule(("app.reference",), "reference data is below the services and the routes",
         forbidden=("app.routes", "app.services", "app.oss", "app.ossim", "app.notify",
                    "app.security")),
    Rule(("app",), "only the routes, the app factory and the command line know the routes",
         forbidden=("app.routes",), exempt=("app.routes", *ENTRY_POINTS)),
    Rule(("app.oss", "app.db", "app.domain", "app.services", "app.routes", "app.notify",
          "app.reference", "app.security"),
         "the simulator is its own program, started by the entry points only",
         forbidden=("app.ossim",)),
    Rule(("app.ossim",), "the simulator shares only pure helpers with the app",
         allowed=("app.ossim", "app.domain", "app.clock", "app.oss.pia", "app.oss.pacing")),
    Rule(("app",), "nothing below the entry points imports them",
         forbidden=ENTRY_POINTS, exempt=ENTRY_POINTS),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    base = APP.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve_relative(module: str, path: Path, node: ast.ImportFrom) -> str:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def app_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of an ``app`` module in the file, at any depth
    (imports inside functions count: they are still dependencies)."""
    module = module_name(path)
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = (_resolve_relative(module, path, node) if node.level
                    else node.module or "")
            for alias in node.names:
                # ``from app.db import oss`` imports the module app.db.oss
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if _is_module(sub) else base))
    return sorted({(line, name) for line, name in found
                   if name == "app" or name.startswith("app.")})


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations() -> list[str]:
    found: list[str] = []
    for path in sorted(APP.rglob("*.py")):
        module = module_name(path)
        for rule in RULES:
            if not _under(module, rule.source) or _under(module, rule.exempt):
                continue
            for line, target in app_imports(path):
                if target == "app":
                    continue  # the package's own docstring
                bad = _under(target, rule.forbidden) or (
                    rule.allowed is not None and not _under(target, rule.allowed))
                if bad:
                    where = path.relative_to(APP.parent)
                    found.append(f"{where}:{line} {module} imports {target}: {rule.why}")
    return found


def test_no_module_imports_across_its_layer() -> None:
    found = violations()
    assert not found, "import layer violations:\n  " + "\n  ".join(found)


def test_the_checker_sees_every_kind_of_import() -> None:
    # the reader itself: absolute, from-package, relative and nested imports all count
    names = {name for _, name in app_imports(APP / "oss" / "service.py")}
    assert "app.db.oss" in names  # ``from app.db import oss as oss_store``
    assert "app.oss.forwarder" in names
    names = {name for _, name in app_imports(APP / "cli.py")}
    assert "app.main" in names  # imported inside a function
