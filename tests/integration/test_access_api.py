"""Keys and tenants: hashed secrets, revocation, kinds of key, the authorizer's refusals."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.integration.conftest import Api, scan_all


def test_unknown_and_missing_keys_get_401_problem(operator: Api) -> None:
    for api in (operator.as_key(None), operator.as_key("hk_" + "x" * 43), operator.as_key("garbage")):
        response = api.call("GET", "/v1/cases")
        assert response.status_code == 401
        assert response.content_type == "application/problem+json"


def test_health_needs_no_key(operator: Api) -> None:
    response = operator.as_key(None).call("GET", "/v1/health")

    assert response.status_code == 200
    assert response.json["status"] == "ok"


def test_revoked_key_is_refused(operator: Api, business: Api) -> None:
    assert business.call("GET", "/v1/cases").status_code == 200
    key_id = _key_id(operator, business.key)

    revoked = operator.call("DELETE", f"/v1/api-keys/{key_id}")

    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert "secret" not in revoked.json or revoked.json["secret"] is None
    assert business.call("GET", "/v1/cases").status_code == 401


def _key_id(operator: Api, secret: str | None) -> str:
    from handoff.adapters.key_store import key_repository

    assert secret
    key = key_repository().find_by_secret_hash(hashlib.sha256(secret.encode()).hexdigest())
    assert key is not None
    return key.key_id


def test_secrets_are_stored_only_as_hashes(operator: Api, business: Api, local_aws: Any) -> None:
    assert business.key
    stored = str(scan_all(local_aws))

    assert business.key not in stored
    assert hashlib.sha256(business.key.encode()).hexdigest() in stored


def test_business_key_cannot_use_operator_api(business: Api, tenant_profile: dict[str, Any]) -> None:
    response = business.call("POST", "/v1/tenants", json=tenant_profile)

    assert response.status_code == 403
    assert response.content_type == "application/problem+json"


def test_operator_key_cannot_submit_cases(operator: Api, case_payload: dict[str, Any]) -> None:
    response = operator.call(
        "POST", "/v1/cases", json=case_payload, headers={"Idempotency-Key": "op-key-123"}
    )

    assert response.status_code == 403


def test_key_kinds_need_the_right_owner(operator: Api) -> None:
    no_tenant = operator.call("POST", "/v1/api-keys", json={"kind": "business"})
    unknown_tenant = operator.call(
        "POST", "/v1/api-keys", json={"kind": "business", "tenant_id": "ten_" + "0" * 20}
    )
    unknown_partner = operator.call(
        "POST", "/v1/api-keys", json={"kind": "agency", "partner_id": "par_unknown"}
    )
    operator_with_tenant = operator.call(
        "POST", "/v1/api-keys", json={"kind": "operator", "tenant_id": "ten_x"}
    )

    assert no_tenant.status_code == 422
    assert [p["name"] for p in no_tenant.json["invalid-params"]] == ["body.tenant_id"]
    assert unknown_tenant.status_code == 422
    assert unknown_partner.status_code == 422
    assert operator_with_tenant.status_code == 422


def test_tenant_profile_is_validated(operator: Api, tenant_profile: dict[str, Any]) -> None:
    tenant_profile["payment_instructions"]["iban"] = "not an iban"

    response = operator.call("POST", "/v1/tenants", json=tenant_profile)

    assert response.status_code == 422
    assert "body.payment_instructions.iban" in [p["name"] for p in response.json["invalid-params"]]


def test_tenant_profile_round_trips(operator: Api, tenant_profile: dict[str, Any]) -> None:
    created = operator.call("POST", "/v1/tenants", json=tenant_profile).json

    fetched = operator.call("GET", f"/v1/tenants/{created['tenant_id']}").json

    assert fetched["profile"]["legal_name"] == tenant_profile["legal_name"]
    assert operator.call("GET", "/v1/tenants/ten_" + "0" * 20).status_code == 404


def test_unknown_route_is_a_404_problem(operator: Api) -> None:
    response = operator.call("GET", "/v1/nothing-here")

    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_a_body_that_is_not_utf8_gets_400_and_another_media_type_415(
    business: Api, case_payload: dict[str, Any]
) -> None:
    import json

    binary = business.call(
        "POST",
        "/v1/cases",
        data=b"\xff\xfe\x00garbage",
        headers={"Idempotency-Key": "bin-body-0001", "Content-Type": "application/json"},
    )
    text = business.call(
        "POST",
        "/v1/cases",
        data=json.dumps(case_payload),
        headers={"Idempotency-Key": "txt-body-0001", "Content-Type": "text/plain"},
    )

    assert binary.status_code == 400 and binary.content_type == "application/problem+json"
    assert text.status_code == 415 and text.content_type == "application/problem+json"
    assert business.call("GET", "/v1/cases").json["items"] == []


def test_a_known_path_with_another_method_gets_405(business: Api) -> None:
    response = business.call("PATCH", "/v1/cases")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}
