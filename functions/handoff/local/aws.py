"""AWS on this machine: a moto server on a loopback port, in this process.

* moto runs in server mode (not only in-process) so that presigned URLs work
  with any HTTP client, and so that moto's Step Functions interpreter, which
  always calls `http://localhost:$MOTO_PORT`, reaches the same backends.
* Every Lambda Invoke (from code or from the state machine) reaches
  `LambdaSimpleBackend.invoke`; we replace it with a dispatcher to the
  registered in-process handlers, turning an exception into the
  `Unhandled` error payload Lambda returns, with `errorType` = class name.
* moto's DynamoDB is not thread-safe; real DynamoDB's conditional writes are
  atomic. One lock around every DynamoDB action restores that guarantee.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handoff.adapters.table_schema import create_table_kwargs
from handoff.local.moto_speedups import (
    parse_each_definition_once,
    reuse_lambda_clients,
    snapshot_only_touched_items,
)

REGION = "eu-west-2"
ACCOUNT = "123456789012"
DEFAULT_RETENTION_DAYS = 30  # the local runtime's default policy (a stage sets its own in cdk.json)
Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """Enough of Lambda's context object for powertools and our handlers."""

    function_name: str
    timeout_s: int = 30
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/local"
    log_stream_name: str = "local"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


_handlers: dict[str, Handler] = {}
_function_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
_dynamodb_lock = threading.Lock()
_patched = False


def register_function(name: str, handler: Handler) -> None:
    """Make `name` invocable through Lambda with a handler that is not in the catalog (tests)."""
    _handlers[name] = handler


def handler_of(name: str) -> Handler:
    """The handler registered for `name`, else the catalog's `<module>.handler`."""
    if name not in _handlers:
        from handoff.catalog import function

        entry = function(name)
        _handlers[name] = getattr(importlib.import_module(entry.handler), entry.entry)
    return _handlers[name]


def invoke_local(name: str, event: dict[str, Any]) -> Any:
    """Run one invocation the way Lambda does: one at a time per execution environment.

    Handlers keep per-request state in module-level resolvers, as Lambda allows,
    and powertools keeps the current event on a class attribute shared by every
    resolver in the process: so the API functions take turns, while the others
    (authorizer, workflow steps) each run one invocation at a time.
    """
    from handoff.catalog import API_FUNCTIONS, FUNCTIONS

    handler = handler_of(name)
    timeout = next((f.timeout_s for f in FUNCTIONS if f.name == name), LambdaContext.timeout_s)
    with _function_locks["api" if name in API_FUNCTIONS else name]:
        return handler(event, LambdaContext(name, timeout_s=timeout))


def _function_name(name_or_arn: str) -> str:
    return name_or_arn.split(":function:")[-1].split(":")[0]


def _invoke(
    self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
) -> bytes:
    name = _function_name(function_name)
    event = json.loads(body) if body else {}
    try:
        result = invoke_local(name, event)
    except Exception as exc:  # Lambda reports any exception as an Unhandled function error
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}).encode()
    return json.dumps(result, default=str).encode()


def _patch_moto() -> None:
    global _patched
    if _patched:
        return
    from moto.awslambda_simple.models import LambdaSimpleBackend
    from moto.core.config import default_user_config
    from moto.dynamodb.responses import DynamoHandler

    default_user_config["lambda"] = {"use_docker": False}
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    LambdaSimpleBackend.invoke = _invoke  # type: ignore[method-assign]
    original = DynamoHandler.call_action

    def locked(self: Any) -> Any:
        with _dynamodb_lock:
            return original(self)

    DynamoHandler.call_action = locked  # type: ignore[method-assign]
    snapshot_only_touched_items()
    parse_each_definition_once()
    reuse_lambda_clients()
    logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    _patched = True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalAws:
    """A running moto server and the names of the resources provisioned in it."""

    port: int
    prefix: str = "handoff-local"
    server: Any = None
    mappings: list[Any] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def table(self) -> str:
        return self.prefix

    @property
    def documents_bucket(self) -> str:
        return f"{self.prefix}-documents"

    @property
    def evidence_bucket(self) -> str:
        return f"{self.prefix}-evidence"

    @property
    def packets_bucket(self) -> str:
        return f"{self.prefix}-packets"

    @property
    def state_machine_arn(self) -> str:
        return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{self.prefix}-case-workflow"

    @property
    def outbound_queue(self) -> str:
        return f"{self.prefix}-outbound-webhooks"

    @property
    def evidence_queue(self) -> str:
        return f"{self.prefix}-evidence-uploads"

    def environment(self) -> dict[str, str]:
        """What every function reads, locally: the endpoint and the resource names."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "MOTO_PORT": str(self.port),
            "TABLE_NAME": self.table,
            "DOCUMENTS_BUCKET": self.documents_bucket,
            "EVIDENCE_BUCKET": self.evidence_bucket,
            "PACKETS_BUCKET": self.packets_bucket,
            "STATE_MACHINE_ARN": self.state_machine_arn,
            "OUTBOUND_QUEUE_URL": f"{self.endpoint}/{ACCOUNT}/{self.outbound_queue}",
            "OUTBOUND_DEAD_LETTER_QUEUE_URL": f"{self.endpoint}/{ACCOUNT}/{self.outbound_queue}-dlq",
            "ALLOW_LOOPBACK_WEBHOOKS": "true",
            "SECRETS_KEY_ID": f"alias/{self.prefix}-secrets",
            "DEFAULT_RETENTION_DAYS": str(DEFAULT_RETENTION_DAYS),
            "RETENTION_FUNCTION_NAME": "retention",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "Handoff",
            "POWERTOOLS_DEV": "false",
        }

    def provision(self) -> None:
        import boto3

        dynamodb = boto3.client("dynamodb", endpoint_url=self.endpoint, region_name=REGION)
        dynamodb.create_table(**create_table_kwargs(self.table))  # type: ignore[arg-type]
        s3 = boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION)
        for bucket in (self.documents_bucket, self.evidence_bucket, self.packets_bucket):
            # Versioned, as on AWS; packets with Object Lock (which can only be set at creation).
            s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": REGION},  # type: ignore[typeddict-item]
                ObjectLockEnabledForBucket=bucket == self.packets_bucket,
            )
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        sqs = boto3.client("sqs", endpoint_url=self.endpoint, region_name=REGION)
        evidence_queue = self._queue(sqs, self.evidence_queue, max_receives=3)
        s3.put_bucket_notification_configuration(
            Bucket=self.evidence_bucket,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {"QueueArn": self._queue_arn(self.evidence_queue), "Events": ["s3:ObjectCreated:*"]}
                ]
            },
        )
        self._state_machine()
        self._queue(sqs, self.outbound_queue, max_receives=5)
        kms = boto3.client("kms", endpoint_url=self.endpoint, region_name=REGION)
        key_id = kms.create_key(Description="webhook signing secrets")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/{self.prefix}-secrets", TargetKeyId=key_id)
        from handoff.local.event_sources import SqsMapping

        self.mappings = [SqsMapping(evidence_queue, "evidence_verifier").start(sqs)]
        self.map_queue(self.outbound_queue, "webhook_sender")

    def map_queue(self, queue: str, function_name: str) -> None:
        """Deliver a provisioned queue's messages to a function, as an event source mapping does."""
        import boto3

        from handoff.local.event_sources import SqsMapping

        sqs = boto3.client("sqs", endpoint_url=self.endpoint, region_name=REGION)
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        self.mappings.append(SqsMapping(url, function_name).start(sqs))

    def _state_machine(self) -> None:
        """The one ASL file, with the substitutions CDK makes on AWS, pointing at local functions."""
        import boto3

        from handoff.workflow_definition import local_substitutions, render

        definition = render(
            local_substitutions(lambda name: f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
        )
        sfn = boto3.client("stepfunctions", endpoint_url=self.endpoint, region_name=REGION)
        sfn.create_state_machine(
            name=self.state_machine_arn.rsplit(":", 1)[-1],
            definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/{self.prefix}-workflow",
        )

    def stop_executions(self) -> None:
        """Stop every running execution (tests call this, so none reaches into the next test)."""
        import boto3

        sfn = boto3.client("stepfunctions", endpoint_url=self.endpoint, region_name=REGION)
        for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=self.state_machine_arn, statusFilter="RUNNING"
        ):
            for execution in page["executions"]:
                sfn.stop_execution(executionArn=execution["executionArn"], cause="test finished")

    @staticmethod
    def _queue_arn(name: str) -> str:
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def _queue(self, sqs: Any, name: str, max_receives: int) -> str:
        """A queue with a dead-letter queue after `max_receives` attempts, as the stack has."""
        dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives})
        url: str = sqs.create_queue(
            QueueName=name, Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": "5"}
        )["QueueUrl"]
        return url

    def stop(self) -> None:
        for mapping in self.mappings:
            mapping.stop()
        self.mappings = []
        if self.server is not None:
            self.server.stop()
            self.server = None


def start_local_aws(port: int | None = None, prefix: str = "handoff-local") -> LocalAws:
    """Start moto on a loopback port, patch it, provision the stack's resources, export the env."""
    from moto.server import ThreadedMotoServer

    _patch_moto()
    aws = LocalAws(port or free_port(), prefix)
    _use(aws)
    aws.server = ThreadedMotoServer(ip_address="127.0.0.1", port=aws.port, verbose=False)
    aws.server.start()
    aws.provision()
    return aws


def attach_local_aws(port: int, prefix: str = "handoff-local") -> LocalAws:
    """Use the AWS of a local runtime already running (`serve --aws-port`) from this process."""
    aws = LocalAws(port, prefix)
    _use(aws)
    return aws


def _use(aws: LocalAws) -> None:
    """Export the environment of `aws` and forget every client, repository and setting built before."""
    from handoff.adapters.aws import reset_clients
    from handoff.adapters.dynamodb import reset_repositories
    from handoff.adapters.partner_store import reset_partner_repositories
    from handoff.adapters.retention import reset_retention
    from handoff.config import (
        api_settings,
        business_api_settings,
        document_settings,
        erasure_request_settings,
        evidence_settings,
        outbound_settings,
        packet_settings,
        retention_job_settings,
        retention_settings,
        secrets_settings,
        table_settings,
        workflow_settings,
    )
    from handoff.handlers.wiring import reset_wiring

    os.environ.update(aws.environment())
    settings = (
        api_settings,
        business_api_settings,
        document_settings,
        outbound_settings,
        secrets_settings,
        evidence_settings,
        packet_settings,
        table_settings,
        workflow_settings,
        retention_settings,
        erasure_request_settings,
        retention_job_settings,
    )
    for cached in (
        reset_clients,
        reset_repositories,
        reset_partner_repositories,
        reset_retention,
        reset_wiring,
        *(s.cache_clear for s in settings),
    ):
        cached()
