"""Property-based fuzzing of a service's OpenAPI schema with schemathesis: no 5xx, whatever the
input. The loop drives Hypothesis directly rather than through `schemathesis.pytest`, whose lazy
fixture loader does not work with the pytest this repository uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error


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
            case.call_and_validate(headers=headers, checks=[not_a_server_error])
            calls.append(1)

        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label
    return len(operations), len(calls)
