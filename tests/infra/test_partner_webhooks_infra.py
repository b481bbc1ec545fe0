"""Infra for partners' inbound webhooks: the secrets key, who may seal or open, the public route."""

from __future__ import annotations

from handoff import catalog
from tests.infra.conftest import Synthesized
from tests.infra.test_stack import actions, function_ids, logical, methods, statements_of, touches


def test_the_secrets_key_is_its_own_rotated_key(dev: Synthesized) -> None:
    key = dev.resources[logical(dev, "AWS::KMS::Key", "DataSecretsKey")]
    assert key["Properties"]["EnableKeyRotation"] is True


def test_partner_webhooks_may_open_secrets_and_operators_may_only_seal_them(dev: Synthesized) -> None:
    secrets_key = logical(dev, "AWS::KMS::Key", "DataSecretsKey")

    def on_key(name: str) -> set[str]:
        return {a for s in statements_of(dev, name) if touches(s, secrets_key) for a in actions(s)}

    assert on_key("partner_webhooks") == {"kms:Decrypt"}
    assert on_key("operator_api") == {"kms:Encrypt"}
    assert on_key("authorizer") == set() and on_key("documents_api") == set()


def test_partner_webhooks_gets_the_table_the_key_and_a_body_limit(dev: Synthesized) -> None:
    variables = dev.resources[function_ids(dev)["partner_webhooks"]]["Properties"]["Environment"]["Variables"]
    assert {"TABLE_NAME", "SECRETS_KEY_ID", "MAX_BODY_BYTES"} <= variables.keys()
    assert "STATE_MACHINE_ARN" not in variables
    assert not any(name.endswith("_BUCKET") for name in variables)


def test_the_webhook_route_is_signed_not_key_authorized(dev: Synthesized) -> None:
    route = next(r for r in catalog.ROUTES if r.function == "partner_webhooks")
    method = methods(dev)[(route.method, route.path)]
    assert route.auth is False
    assert method["AuthorizationType"] == "NONE"
