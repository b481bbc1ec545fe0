"""The public contracts as files: JSON Schemas of the public models and openapi.json.

`python -m handoff.contracts schemas/` writes them; a test fails when the
committed files differ from what the code generates.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from handoff.catalog import API_FUNCTIONS, ROUTES, function

PROBLEM_STATUSES = {
    "400": "Malformed request: not UTF-8 JSON, nested more than 64 deep, an object key repeated, "
    "NaN or Infinity",
    "401": "Missing or invalid API key",
    "403": "This key may not call this endpoint",
    "404": "Not found (or not yours)",
    "409": "Conflict with the current state",
    "413": "Request body too large",
    "415": "The body is not application/json (any case, parameters allowed) or its charset is not UTF-8",
    "422": "Validation failed; `invalid-params` names each field",
    "500": "Internal error",
}


PUBLIC_PATHS = {route.path for route in ROUTES if not route.auth}


def public_models() -> dict[str, type[BaseModel]]:
    from handoff.domain import outcomes
    from handoff.handlers import models, operator_models
    from handoff.handlers.ledger_models import LedgerResponse
    from handoff.handlers.problems import Problem

    return {
        "case_request": models.CaseRequest,
        "case_response": models.CaseResponse,
        "contact_request": models.ContactRequest,
        "tenant_request": operator_models.TenantRequest,
        "api_key_request": operator_models.ApiKeyRequest,
        "api_key_response": operator_models.ApiKeyResponse,
        "problem": Problem,
        "ledger_response": LedgerResponse,
        **{f"webhook_{name.replace('.', '_')}": model for name, model in outcomes.OUTCOME_EVENTS.items()},
    }


def openapi_document() -> dict[str, Any]:
    """One OpenAPI document for every API function, with problem responses and bearer auth."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    from handoff.handlers.http import build_resolver
    from handoff.handlers.problems import Problem

    routers = []
    for name in API_FUNCTIONS:
        routers.extend(importlib.import_module(function(name).handler).ROUTERS)
    app = build_resolver(routers)
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title="Handoff API",
            version="1.0.0",
            description="Escalate unpaid commercial debts: intake, evidence, demands, routing, recovery.\n\n"
            "Request bodies are UTF-8 JSON nested at most 64 deep, each object key once (I-JSON); "
            "amounts, percentages and rates are decimal strings (a JSON number is refused); text fields "
            "refuse control characters (notes and descriptions take tab and line breaks). Every error "
            "is an RFC 9457 problem document.",
            security_schemes={"bearer": HTTPBearer(description="`Authorization: Bearer <api key>`")},
            security=[{"bearer": []}],
        )
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    for path, operations in document["paths"].items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if path in PUBLIC_PATHS:
                operation["security"] = []  # no API key: the health check; signed webhooks
            responses.pop("422", None)  # powertools documents its own 422; ours is a problem document
            for status, description in PROBLEM_STATUSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                        },
                    },
                )
    return document


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in public_models().items():
        path = directory / f"{name}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(by_alias=True), indent=2, sort_keys=True) + "\n")
        written.append(path)
    path = directory / "openapi.json"
    path.write_text(json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n")
    written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(written_path)
