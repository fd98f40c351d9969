"""The API against its own OpenAPI document: generated requests (valid and not) never get a 500,
and every response matches the documented shapes and status codes."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed: pip install 'searchlib[server]'")
schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance  # noqa: E402

from searchlib.server import create_app  # noqa: E402
from tests.server.articles import HOSTILE, build_index, dated_articles  # noqa: E402

# schemathesis reads the schema when the module is collected, so the index is built then.
_INDEX = Path(tempfile.mkdtemp(prefix="searchlib-openapi-"))
atexit.register(shutil.rmtree, _INDEX, ignore_errors=True)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(build_index(_INDEX, [HOSTILE, *dated_articles(30)])))


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SEARCHLIB_API_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case) -> None:  # noqa: ANN001 - a schemathesis Case
    # Every other check runs (no 5xx, documented status codes, content types and body shapes).
    # Left out: "valid data is accepted" — a well-typed query can still have nothing to search for
    # ("!!", "le la les"), a documented 400 — and "invalid data is rejected", whose invalid values
    # cannot be told from valid ones once in a query string (a boolean in a list of names arrives
    # as the name "false"); tests/server/test_api.py checks the rejections that matter.
    case.call_and_validate(excluded_checks=[positive_data_acceptance, negative_data_rejection])
