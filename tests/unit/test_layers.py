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
    Rule(("app.oss", "app.notify"), "OSS and notifications are below the services: the "
         "services call them, never the other way round",
         forbidden=("app.services", "app.security")),
    Rule(("app",), "only the routes, the app factory and the command line know the routes",
         forbidden=("app.routes",), exempt=("app.routes", *ENTRY_POINTS)),
    Rule(("app",), "the simulator is its own program, started by the entry points only",
         forbidden=("app.ossim",), exempt=("app.ossim", *ENTRY_POINTS)),
    Rule(("app.ossim",), "the simulator shares only pure helpers with the app",
         allowed=("app.ossim", "app.domain", "app.clock", "app.oss.pia", "app.oss.pacing")),
    Rule(("app",), "nothing below the entry points imports them",
         forbidden=ENTRY_POINTS, exempt=ENTRY_POINTS),
)


def module_name(path: Path, root: Path = APP) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str, root: Path) -> bool:
    base = root.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve_relative(module: str, path: Path, node: ast.ImportFrom) -> str:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def app_imports(path: Path, root: Path = APP) -> list[tuple[int, str]]:
    """(line, module) of every import of an ``app`` module in the file, at any depth
    (imports inside functions count: they are still dependencies)."""
    module = module_name(path, root)
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
                found.append((node.lineno, sub if _is_module(sub, root) else base))
    return sorted({(line, name) for line, name in found
                   if name == "app" or name.startswith("app.")})


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(root: Path = APP) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        imports = [(line, target) for line, target in app_imports(path, root)
                   if target != "app"]  # app/__init__.py holds nothing but a docstring
        for rule in RULES:
            if not _under(module, rule.source) or _under(module, rule.exempt):
                continue
            for line, target in imports:
                if _under(target, rule.forbidden) or (
                        rule.allowed is not None and not _under(target, rule.allowed)):
                    where = path.relative_to(root.parent)
                    found.append(f"{where}:{line} {module} imports {target}: {rule.why}")
    return found


def test_no_module_imports_across_its_layer() -> None:
    assert APP.joinpath("domain", "nik.py").is_file()
    found = violations()
    assert not found, "import layer violations:\n  " + "\n  ".join(found)


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    root = tmp_path / "app"
    for name, text in {
        "__init__.py": "",
        "oss/__init__.py": "",
        "oss/pia.py": "",
        "db/__init__.py": "",
        "db/ok.py": "from app.domain.nik import parse_nik\nfrom . import store\n",
        "db/store.py": "import app.oss.pia\n",
        "db/nested.py": "def f():\n    from app.oss import pia\n",
        "db/relative.py": "from ..oss.pia import x\n",
        "domain/__init__.py": "",
        "domain/nik.py": "from app import clock\n",
        "clock.py": "",
        "oss/sim.py": "from app.ossim.server import Simulator\n",
        "cli.py": "from app.ossim import process\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    found = [line.split(":")[0] + " -> " + line.split(" imports ")[1].split(":")[0]
             for line in violations(root)]
    assert found == [
        "app/db/nested.py -> app.oss.pia",
        "app/db/relative.py -> app.oss.pia",
        "app/db/store.py -> app.oss.pia",
        "app/domain/nik.py -> app.clock",
        "app/oss/sim.py -> app.ossim.server",
    ]
