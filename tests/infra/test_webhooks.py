"""Outbound webhooks in the stack: queue, dead-letter queue, the sender's mapping and rights."""

from __future__ import annotations

import json

from infra.constructs.webhooks import MAX_RECEIVES, SENDER, case_writers
from tests.infra.conftest import Synthesized
from tests.infra.test_stack import actions, function_ids, ref_id, statements_of


def _queue(dev: Synthesized, prefix: str) -> str:
    (found,) = [k for k in dev.of_type("AWS::SQS::Queue") if k.startswith(prefix)]
    return found


def _env(dev: Synthesized, name: str) -> dict[str, object]:
    variables: dict[str, object] = dev.resources[function_ids(dev)[name]]["Properties"]["Environment"][
        "Variables"
    ]
    return variables


def test_outbound_queue_feeds_the_sender_with_partial_batch_failures_and_a_dead_letter_queue(
    dev: Synthesized,
) -> None:
    events, dead = _queue(dev, "WebhooksEvents"), _queue(dev, "WebhooksDeadLetters")
    redrive = dev.resources[events]["Properties"]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == MAX_RECEIVES
    assert ref_id(redrive["deadLetterTargetArn"]) == dead
    (mapping,) = [
        m["Properties"]
        for m in dev.of_type("AWS::Lambda::EventSourceMapping").values()
        if ref_id(m["Properties"]["EventSourceArn"]) == events
    ]
    assert ref_id(mapping["FunctionName"]) == function_ids(dev)[SENDER]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_every_case_writer_may_publish_and_only_to_the_outbound_queue(dev: Synthesized) -> None:
    events = _queue(dev, "WebhooksEvents")
    assert {"business_api", "partner_api", "evidence_verifier", "workflow_routing"} <= case_writers()
    for name in case_writers() | {SENDER}:
        assert ref_id(_env(dev, name)["OUTBOUND_QUEUE_URL"]) == events, name
        sends = [s for s in statements_of(dev, name) if "sqs:SendMessage" in actions(s)]
        assert sends and all(events in json.dumps(s["Resource"]) or name == SENDER for s in sends), name
    assert "OUTBOUND_QUEUE_URL" not in _env(dev, "authorizer")


def test_sender_reads_the_signing_secrets_and_dead_letters_itself(dev: Synthesized) -> None:
    env = _env(dev, SENDER)
    assert ref_id(env["OUTBOUND_DEAD_LETTER_QUEUE_URL"]) == _queue(dev, "WebhooksDeadLetters")
    assert "SECRETS_KEY_ID" in env
    assert env["ALLOW_LOOPBACK_WEBHOOKS"] == "false"  # said explicitly: deployed stacks never reach loopback
    assert _env(dev, "business_api")["ALLOW_LOOPBACK_WEBHOOKS"] == "false"  # registers endpoints
    assert "SECRETS_KEY_ID" in _env(dev, "business_api")  # seals new endpoints' secrets
