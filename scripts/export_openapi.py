"""Write each service's OpenAPI document to frontend/openapi/<service>.json.

The frontend's typed client (`npm run client`, @hey-api/openapi-ts) is generated from these
files. The schema comes straight from each app factory, so no server, database or broker is
needed: `create_app()` only builds routes; connections open in the lifespan, which never runs.

Usage: uv run python scripts/export_openapi.py [--check]
  --check  exit 1 when a committed file differs from the current schema (nothing is written).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "frontend" / "openapi"

# service name (file name and client folder) -> package with `main:create_app`
SERVICES: dict[str, str] = {
    "auth": "auth_service",
    "catalog": "catalog_service",
    "processing": "processing_service",
}


def schema_of(package: str) -> dict[str, Any]:
    module = importlib.import_module(f"{package}.main")
    app = module.create_app()
    schema: dict[str, Any] = app.openapi()
    # The browser never calls `/internal/...` (the gateway does not even route it), so the
    # UI's client carries only the public API.
    paths: dict[str, Any] = schema.get("paths", {})
    schema["paths"] = {path: ops for path, ops in paths.items() if not path.startswith("/internal")}
    return schema


def render(schema: dict[str, Any]) -> str:
    # Sorted keys and a trailing newline: regenerating an unchanged API gives identical bytes.
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    # Development settings only build the schema; production would demand real secrets.
    os.environ.setdefault("ENVIRONMENT", "development")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stale: list[str] = []
    for name, package in SERVICES.items():
        path = OUT_DIR / f"{name}.json"
        text = render(schema_of(package))
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("stale OpenAPI files (run `make client`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
