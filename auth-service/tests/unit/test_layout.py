"""Auth's skeleton: domain folders own their tables, routes only translate HTTP, and every write
goes through the unit of work. Read from the source, so a shortcut fails here, not in review."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from sqlmodel import SQLModel

import auth_service

PACKAGE = Path(auth_service.__file__).parent
DOMAINS = ["users", "tokens", "signin", "wallet", "personal_data", "progression", "clients"]
# Each domain's tables; the audit trail (quest_common's table) is written by `users`.
TABLES = {
    "users": {"users", "audit_entry"},
    "tokens": {"refresh_token", "signing_key"},
    "signin": {"login_throttle"},
    "wallet": {"wallet_ledger"},
    "personal_data": set(),
    # The boards are written only by the ledger's trigger (migration a0106_progression).
    "progression": {"user_badge", "leaderboard_entry", "leaderboard_count"},
    "clients": {"oauth_client"},
}
SQL_TABLE = re.compile(r"\b(?:UPDATE|INTO|FROM|JOIN)\s+([a-z_]+)\b")


def modules() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(PACKAGE)): ast.parse(path.read_text())
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def imported_modules(tree: ast.Module) -> set[str]:
    """Every module a file imports, whichever the form: `import a.b`, `from a.b import c`
    (both `a.b` and `a.b.c`, since `c` may be a module), `from a import b as c`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_only_api_main_imports_route_modules() -> None:
    for name, tree in modules().items():
        if name == "api/main.py":
            continue
        routes = {m for m in imported_modules(tree) if m.endswith(".routes")}
        assert not routes, f"{name} imports {routes}"


def test_no_route_module_uses_another_route_modules_private_helpers() -> None:
    for name, tree in modules().items():
        if not name.endswith("routes.py"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("routes"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{name} imports {private} from {node.module}"


def test_routers_are_mounted_in_api_main_only() -> None:
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "include_router"
            ):
                continue
            if name == "api/main.py":
                continue
            # The app factory takes the two routers api/main.py assembles, nothing else.
            assert name == "main.py", f"{name} mounts a router"
            argument = node.args[0]
            assert isinstance(argument, ast.Call) and isinstance(argument.func, ast.Name)
            assert argument.func.id in {"public_api", "internal_api"}, ast.unparse(node)


def test_every_write_goes_through_the_unit_of_work() -> None:
    """No `Session(...)` and no `.commit()` but the unit of work's in the service's code."""
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id != "Session", f"{name}: {ast.unparse(node)}"
            if isinstance(func, ast.Attribute) and func.attr == "commit":
                receiver = func.value
                assert isinstance(receiver, ast.Name) and receiver.id == "uow", (
                    f"{name}: {ast.unparse(node)}"
                )


def test_each_table_is_declared_in_its_domains_models() -> None:
    for domain in DOMAINS:
        importlib.import_module(f"auth_service.{domain}.models")
    declared: dict[str, str] = {}
    for mapper in SQLModel._sa_registry.mappers:
        cls = mapper.class_
        if cls.__module__.startswith("auth_service."):
            declared[str(cls.__tablename__)] = cls.__module__
    expected = {
        table: f"auth_service.{domain}.models"
        for domain, tables in TABLES.items()
        for table in tables - {"audit_entry"}
    }
    assert declared == expected
    assert not (PACKAGE / "models.py").exists()


def test_alembic_sees_every_domains_tables() -> None:
    env = ast.parse((PACKAGE.parent / "alembic" / "env.py").read_text())
    with_tables = {
        f"auth_service.{domain}.models"
        for domain, tables in TABLES.items()
        if tables - {"audit_entry"}
    }
    assert with_tables <= imported_modules(env)


def test_raw_sql_names_only_its_own_domains_tables() -> None:
    """A domain that needs another's rows calls that domain's service; a table name in SQL
    outside its owner is coupling an import graph cannot see."""
    for domain in DOMAINS:
        for path in sorted((PACKAGE / domain).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    named = set(SQL_TABLE.findall(node.value))
                    foreign = named & set().union(*TABLES.values()) - TABLES[domain]
                    assert not foreign, f"{domain}/{path.name} names {foreign} in SQL"


def test_domain_code_never_imports_the_http_layer() -> None:
    for name, tree in modules().items():
        domain = name.split("/")[0]
        if domain not in DOMAINS or name.endswith("routes.py"):
            continue
        http = {m for m in imported_modules(tree) if m.startswith("auth_service.api")}
        assert not http, f"{name} imports {http}"
