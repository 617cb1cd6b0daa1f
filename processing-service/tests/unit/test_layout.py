"""The domains import one way: signins → progress → grants → notifications (never back)."""

from __future__ import annotations

import ast
from pathlib import Path

import processing_service

PACKAGE = Path(processing_service.__file__).parent
ORDER = ["signins", "progress", "grants", "notifications"]


def imported_domains(folder: str) -> set[str]:
    found: set[str] = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] == "processing_service" and len(parts) > 1:
                    found.add(parts[1])
    return found - {folder}


def test_domains_never_import_the_ones_before_them() -> None:
    for index, domain in enumerate(ORDER):
        earlier = set(ORDER[:index])
        assert not imported_domains(domain) & earlier, domain


def test_domains_never_import_the_entry_points_or_the_http_layer() -> None:
    for domain in [*ORDER, "catalog", "dead_letters", "incidents"]:
        assert not imported_domains(domain) & {"api", "entrypoints", "bootstrap", "main"}, domain


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
