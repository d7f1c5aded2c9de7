"""schemathesis fuzzes the OpenAPI spec: no 5xx, responses conform to the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from silkgate.api import create_app
from silkgate.demo import init_consortium
from silkgate.gate import Platform

pytestmark = pytest.mark.slow


def test_openapi_fuzzing_finds_no_server_error_or_schema_violation(platform: Platform) -> None:
    init_consortium(platform)
    secret = platform.accounts.issue(label="fuzz", roles=["admin"]).secret
    app = create_app(platform.settings, platform)
    app.state.platform = platform  # what the lifespan sets; the ASGI transport skips it
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for operation in schema.get_all_operations():
        op = operation.ok()
        if op.method.upper() in ("POST", "DELETE") and "/tokens" in op.path:
            continue

        @settings(max_examples=4, deadline=None, phases=[Phase.generate], derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)  # fmt: skip
        @given(case=op.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {secret}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            case.validate_response(
                response,
                checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
            )

        run()
    assert not failures
