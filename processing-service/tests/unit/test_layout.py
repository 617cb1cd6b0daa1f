"""The domains import one way: events → progress → grants → notifications (never back); each
table is read and written by its own domain (others call it, or read through `views.py`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import processing_service

PACKAGE = Path(processing_service.__file__).parent
ORDER = ["events", "progress", "grants", "notifications"]

# table → (the domain folder that owns it, its table class in `<domain>/models.py`)
TABLES = {
    "player_event": ("events", "RecordedEvent"),
    "quest_progress": ("progress", "QuestProgress"),
    "reward_grant": ("grants", "Grant"),
    "notification": ("notifications", "NotificationRecord"),
    "user_tombstone": ("deletions", "UserTombstone"),
    "player": ("players", "Player"),
    "dead_letter": ("dead_letters", "DeadLetter"),
    "incident": ("incidents", "Incident"),
    "simulation": ("simulation", "Simulation"),
    "quest_definition": ("catalog", "QuestDefinition"),
    "ingested_event": ("ingestion", "IngestedEvent"),
    "ingest_source_day": ("ingestion", "IngestSourceDay"),
}
# The declared read side, the unit of work (it builds every repository) and the metadata
# loader (Alembic) may reach any table; nothing else outside its owner.
READ_SIDE = {"views.py", "unit_of_work.py", "core/db.py"}


def imported_modules(path: Path) -> Iterator[tuple[str, str | None]]:
    """(module, name imported from it) for every import: `import a.b` gives ("a.b", None),
    `from a import b` gives ("a", "b") and also ("a.b", None) in case `b` is a module."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield node.module, alias.name
                yield f"{node.module}.{alias.name}", None


def imported_domains(folder: str, *, routes: bool = True) -> set[str]:
    """The package's top-level modules a domain folder imports (its `routes.py` left out when
    `routes` is False: a route file translates HTTP, so it uses the HTTP layer's dependencies)."""
    found: set[str] = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        if not routes and path.name == "routes.py":
            continue
        for module, _name in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "processing_service" and len(parts) > 1:
                found.add(parts[1])
    return found - {folder}


def test_imports_are_seen_in_every_spelling() -> None:
    """`import a.b`, `from a import b` and `from a.b import c` all count as importing `a.b`."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text(
            "import processing_service.grants.models\n"
            "from processing_service import progress\n"
            "from processing_service.events.models import RecordedEvent\n"
        )
        modules = {m for m, _ in imported_modules(probe)}
    assert {
        "processing_service.grants.models",
        "processing_service.progress",
        "processing_service.events.models",
    } <= modules


def _outside(owner: str) -> Iterator[Path]:
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] != owner and relative.as_posix() not in READ_SIDE:
            yield path


def reaches_table(module: str, name: str | None, owner: str, table_class: str) -> bool:
    """Whether an import reaches the owner's table: its repository in any form, its models
    module as a whole, or its table class."""
    if module == f"processing_service.{owner}.repository":
        return True
    return module == f"processing_service.{owner}.models" and name in (None, table_class)


def test_no_module_imports_another_domains_table_or_repository() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {module} {name or ''}"
        for owner, table_class in TABLES.values()
        for path in _outside(owner)
        for module, name in imported_modules(path)
        if reaches_table(module, name, owner, table_class)
    ]
    assert offenders == []


def test_no_module_names_another_domains_table_in_sql() -> None:
    offenders = []
    for table, (owner, _cls) in TABLES.items():
        sql = re.compile(rf"\b(FROM|JOIN|INTO|UPDATE|TABLE)\s+{table}\b")
        for path in _outside(owner):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and sql.search(node.value)
                ):
                    offenders.append(f"{path.relative_to(PACKAGE)} names {table} in SQL")
    assert offenders == []


def test_domains_never_import_the_ones_before_them() -> None:
    for index, domain in enumerate(ORDER):
        earlier = set(ORDER[:index])
        assert not imported_domains(domain) & earlier, domain


DOMAINS = [
    *ORDER,
    "catalog",
    "dead_letters",
    "deletions",
    "incidents",
    "ingestion",
    "players",
    "ops",
    "simulation",
    "trace",
]


def test_domains_never_import_the_entry_points_or_the_http_layer() -> None:
    for domain in DOMAINS:
        assert not imported_domains(domain, routes=False) & {
            "api",
            "entrypoints",
            "bootstrap",
            "main",
        }, domain


def test_route_files_use_the_http_layer_but_never_the_entry_points() -> None:
    for domain in DOMAINS:
        routes = PACKAGE / domain / "routes.py"
        if routes.exists():
            imported = {m.split(".")[1] for m, _ in imported_modules(routes) if m.count(".")}
            assert not imported & {"entrypoints", "bootstrap", "main"}, domain


def test_routes_live_in_the_domain_folders_and_are_mounted_in_one_place() -> None:
    assert not (PACKAGE / "api" / "routes").exists()
    mounted = {m for m, _ in imported_modules(PACKAGE / "api" / "main.py")}
    for routes in PACKAGE.glob("*/routes.py"):
        assert f"processing_service.{routes.parent.name}.routes" in mounted, routes


def test_the_quest_rules_load_without_a_web_framework_or_a_database() -> None:
    """The pure rules (progress/rules.py) raise refusals but know nothing of HTTP or SQL: a fresh
    interpreter importing them loads neither fastapi nor sqlalchemy."""
    import subprocess
    import sys

    probe = (
        "import sys, processing_service.progress.rules;"
        "print(sorted(m for m in ('fastapi', 'starlette', 'sqlalchemy') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
