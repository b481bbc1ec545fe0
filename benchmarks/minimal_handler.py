"""The handler a user would write instead: the cold-start benchmark's second baseline.

A minimal Lambda handler on the same libraries as Handoff's functions, written the way
powertools' documentation shows it: powertools Logger and Tracer, one pydantic model, boto3,
and, by the function it stands in for (`MINIMAL_HANDLER_PARTS`, comma-separated):

* `rest`: `APIGatewayRestResolver(enable_validation=True)` with one typed route;
* `idempotency`: the idempotency utility on its DynamoDB persistence layer. The layer (and so
  its DynamoDB client) is made at first use, as Handoff makes its clients: neither side's import
  pays for a boto3 client, so the comparison is about what importing costs, not clients;
* `sqs`: a `BatchProcessor` for SQS with partial batch failures;
* `docx`: docxtpl, for the functions that render letters.

`benchmarks.coldstart` imports it in a fresh interpreter next to each real handler.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from pydantic import BaseModel, Field

PARTS = frozenset(filter(None, os.environ.get("MINIMAL_HANDLER_PARTS", "").split(",")))

logger = Logger()
tracer = Tracer()


class Order(BaseModel):
    reference: str = Field(min_length=1, max_length=64)
    amount: str = Field(pattern=r"^\d+(\.\d{1,2})?$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")


def store(order: Order) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    table.put_item(Item={"pk": order.reference, "sk": "ORDER", **order.model_dump()})
    return order.model_dump()


if "idempotency" in PARTS:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(expires_after_seconds=3600)

    @cache
    def store_once() -> Any:
        persistence = DynamoDBPersistenceLayer(table_name=os.environ["TABLE_NAME"])
        return idempotent_function(
            data_keyword_argument="order", persistence_store=persistence, config=config
        )(store)

    def save(order: Order) -> dict[str, Any]:
        result: dict[str, Any] = store_once()(order=order)
        return result

else:
    save = store

if "docx" in PARTS:
    from docxtpl import DocxTemplate

    def render(template: str, order: Order) -> DocxTemplate:
        document = DocxTemplate(template)
        document.render(order.model_dump())
        return document


if "rest" in PARTS:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    app = APIGatewayRestResolver(enable_validation=True)

    @app.post("/orders")
    def create_order(order: Order) -> dict[str, Any]:
        return save(order=order)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

elif "sqs" in PARTS:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    processor = BatchProcessor(event_type=EventType.SQS)

    def record_handler(record: SQSRecord) -> None:
        save(order=Order.model_validate_json(record.body))

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_partial_response(event, record_handler, processor, context)

else:

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return save(order=Order.model_validate(event))
