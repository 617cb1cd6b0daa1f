"""Property-based fuzzing of a service's OpenAPI schema with schemathesis, every check on: no
5xx whatever the input, and the document says what the service does (every status answered is
documented, valid input is accepted and invalid input refused, a method the path does not have
is a 405 whose `Allow` lists the methods it has, a route with a security scheme refuses a
request without credentials, responses match their schemas). The loop drives Hypothesis
directly rather than through `schemathesis.pytest`, whose lazy fixture loader does not work with
the pytest this repository uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.core.parameters import ParameterLocation

# Unknown query parameters are ignored, as HTTP servers do (a cache-busting `?_=1` is fine): not
# generated, since schemathesis would count them as invalid input that must be refused.
EXTRA_PARAMETERS = False


def with_credentials(case: Any, headers: dict[str, str]) -> dict[str, str]:
    """The case's headers plus `headers` (credentials), unless the case is about invalid
    headers: then it goes as generated, so a missing or broken `Authorization` is sent as such."""
    own = dict(case.headers or {})
    meta = case.meta
    component = meta.components.get(ParameterLocation.HEADER) if meta is not None else None
    if component is not None and component.mode is GenerationMode.NEGATIVE:
        return own
    return {**headers, **own}


def fuzz_every_operation(
    schema: Any,
    *,
    headers: dict[str, str],
    mode: GenerationMode,
    examples: int,
    skip: Callable[[Any], bool] = lambda _operation: False,
) -> tuple[int, int]:
    """Fuzz each operation of `schema` (but those `skip` names) with `examples` cases of `mode`;
    (operations in the schema, cases called). An operation without parameters or body has no
    invalid input: Hypothesis finds it unsatisfiable in negative mode, which is fine."""
    schema.config.generation.allow_extra_parameters = EXTRA_PARAMETERS
    # A NUL anywhere in a body is refused by every service (DESIGN §12: PostgreSQL text cannot
    # hold it), which a JSON Schema cannot say of unnamed properties; tests/e2e/test_hardening.py
    # sends NULs on purpose.
    schema.config.generation.allow_x00 = False
    checks = CHECKS.get_all()
    operations = [result.ok() for result in schema.get_all_operations()]
    calls: list[int] = []
    for operation in operations:
        if skip(operation):
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=with_credentials(case, headers), checks=checks)
            calls.append(1)

        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label
    return len(operations), len(calls)
