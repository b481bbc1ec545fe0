"""Work moto repeats that the local runtime does not need it to: each patch only stops a redo.

None changes what moto answers.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

_transaction = threading.local()


def snapshot_only_touched_items() -> None:
    """Make moto's TransactWriteItems rollback copy only what the transaction touches.

    moto 5.2.5 deep-copies the whole table for every item of every transaction, so the
    local runtime slowed down and grew as its table filled (≈100 MB a case after a few
    dozen). The rollback snapshot here shares untouched items and deep-copies the items of
    the partitions the transaction writes (an Update changes its item in place). Safe
    because the local runtime runs every DynamoDB action under one lock (aws.py).
    """
    import copy

    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    def snapshot(table: Any) -> Any:
        touched = _transaction.hash_keys
        copied = copy.copy(table)
        copied.items = type(table.items)(dict) if isinstance(table.items, defaultdict) else {}
        for hash_key, value in table.items.items():
            if isinstance(value, dict):
                copied.items[hash_key] = {
                    range_key: copy.deepcopy(item) if hash_key in touched else item
                    for range_key, item in value.items()
                }
            else:
                copied.items[hash_key] = copy.deepcopy(value) if hash_key in touched else value
        return copied

    class CopyDuringTransactions:
        """Stands in for the `copy` module inside moto.dynamodb.models."""

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            if isinstance(value, Table) and getattr(_transaction, "active", False):
                return snapshot(value)
            return copy.deepcopy(value, memo)

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        hash_keys = set()
        for entry in transact_items:
            operation = next(iter(entry.values()))
            table = self.tables.get(operation.get("TableName"))
            attributes = operation.get("Item") or operation.get("Key") or {}
            if table is not None and table.hash_key_attr in attributes:
                hash_keys.add(DynamoType(attributes[table.hash_key_attr]))
        _transaction.active, _transaction.hash_keys = True, hash_keys
        try:
            original(self, transact_items)
        finally:
            _transaction.active = False

    dynamodb_models.copy = CopyDuringTransactions()  # type: ignore[assignment]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def parse_each_definition_once() -> None:
    """Let moto's Step Functions interpreter lex and parse each ASL definition once.

    moto 5.2.5 runs the definition through its ANTLR parser (pure Python, ~50 ms for our
    state machine) at the start of every execution, on a thread that competes with the
    Lambda handlers for the interpreter lock. The parse tree depends only on the text, so it
    is kept; each execution still gets fresh evaluation components from moto's own
    preprocessor (~13 ms), so no state is shared between executions.
    """
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    original = AmazonStateLanguageParser.parse
    trees: dict[str, Any] = {}

    def parse(definition: str) -> tuple[Any, Any]:
        tree = trees.get(definition)
        if tree is None:
            program, tree = original(definition)
            trees[definition] = tree
            return program, tree
        return Preprocessor().visit(tree), tree

    AmazonStateLanguageParser.parse = staticmethod(parse)  # type: ignore[method-assign]


def reuse_lambda_clients() -> None:
    """Let moto's Step Functions interpreter keep one Lambda client instead of one per task.

    moto 5.2.5 builds a new boto3 client (endpoint resolution, service model, ~5 ms) for every
    Lambda task it runs. The client it builds depends only on the region and moto's port, and
    boto3 clients are thread-safe, so one per (region, port) serves every execution.
    """
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    original = lambda_eval_utils.boto_client_for
    clients: dict[tuple[str, str, str], Any] = {}
    lock = threading.Lock()

    def client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        key = (region, service, moto_server_port())
        with lock:
            if key not in clients:
                clients[key] = original(region=region, service=service, state_credentials=state_credentials)
            return clients[key]

    lambda_eval_utils.boto_client_for = client_for
