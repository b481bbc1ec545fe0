"""One Lambda function per `catalog.FUNCTIONS` entry, each with its own least-privilege role.

What a function may touch is declared in `NEEDS` below, next to nothing else: adding a function
to the catalog without declaring its needs fails the synth with a message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aws_cdk import CfnElement, Duration, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from handoff import catalog
from infra import bundle
from infra.checkov_skips import skip
from infra.constructs.data import Data
from infra.constructs.workflow import state_machine_arns, state_machine_name
from infra.nag import acknowledge
from infra.settings import StageSettings

SERVICE = "handoff"
METRICS_NAMESPACE = "Handoff"
# Lambda refuses a reservation that leaves fewer unreserved concurrent executions in the account.
MIN_UNRESERVED_CONCURRENCY = 100


class TableAccess(StrEnum):
    NONE = "none"
    READ = "read"
    READ_WRITE = "read_write"


class BucketAccess(StrEnum):
    PUT = "put"  # sign presigned uploads (PutObject) and nothing else
    READ = "read"
    READ_WRITE = "read_write"
    WRITE_LOCKED = "write_locked"  # read_write, and set Object Lock retention and legal holds (packets)
    LEGAL_HOLD = "legal_hold"  # place and lift Object Lock legal holds, nothing else (packets)
    ERASE = "erase"  # list and delete every version under the prefix (the retention function)
    ERASE_LOCKED = "erase_locked"  # erase, bypassing governance retention and lifting stale legal holds


@dataclass(frozen=True)
class Needs:
    """What one function may touch.

    `buckets`: (bucket, access, key prefix) triples, each granted and named in the environment.
    `bucket_names`: buckets whose name the function's settings model requires but which it never
    reads or writes (no permission is granted).
    """

    table: TableAccess = TableAccess.READ_WRITE
    buckets: tuple[tuple[str, BucketAccess, str], ...] = ()
    bucket_names: tuple[str, ...] = ()
    api: bool = False  # serves API Gateway requests: gets MAX_BODY_BYTES
    workflow: bool = False  # starts, stops and answers case workflow executions
    asynchronous: bool = False  # invoked asynchronously (events, Lambda-to-Lambda): gets a DLQ
    seal_secrets: bool = False  # encrypts webhook signing secrets: gets SECRETS_KEY_ID, kms:Encrypt
    open_secrets: bool = False  # decrypts webhook signing secrets: gets SECRETS_KEY_ID, kms:Decrypt
    retention: bool = False  # reads retention policies: gets DEFAULT_RETENTION_DAYS
    invokes: tuple[str, ...] = ()  # functions it invokes synchronously: gets <NAME>_FUNCTION_NAME


# Workflow steps all read PacketSettings (three bucket names); only those that render documents or
# assemble packets get bucket permissions.
_STEP = Needs(bucket_names=("documents", "evidence", "packets"), workflow=True)
# Packets are written under Object Lock (retention from the tenant's policy, legal hold if held).
_DOCUMENT_STEP = Needs(
    buckets=(
        ("documents", BucketAccess.READ_WRITE, "documents/"),
        ("evidence", BucketAccess.READ, "evidence/"),
        ("packets", BucketAccess.WRITE_LOCKED, "packets/"),
    ),
    workflow=True,
    retention=True,
)

NEEDS: dict[str, Needs] = {
    "authorizer": Needs(table=TableAccess.READ),
    # Presigned URLs are signed with the function's own credentials: an upload or download works
    # only if the role may PutObject / GetObject there. business_api signs evidence uploads, reads
    # packets (download links, /verify re-hashes them) and may not touch documents at all.
    "business_api": Needs(
        buckets=(
            ("evidence", BucketAccess.PUT, "evidence/"),
            ("packets", BucketAccess.READ, "packets/"),
            ("packets", BucketAccess.LEGAL_HOLD, "packets/"),  # the business's own legal holds
        ),
        bucket_names=("documents",),  # required by PacketSettings, never used by this function
        api=True,
        workflow=True,  # dispute, withdraw, release, direct payments steer the case workflow
        seal_secrets=True,  # issues the signing secrets of outbound webhook endpoints
        retention=True,
        invokes=("retention",),  # erasure requests: only the retention function may delete objects
    ),
    # Presigns downloads of the assigned case's documents and packet (signed with its own role).
    "partner_api": Needs(
        buckets=(
            ("documents", BucketAccess.READ, "documents/"),
            ("packets", BucketAccess.READ, "packets/"),
        ),
        bucket_names=("evidence",),
        api=True,
        workflow=True,
    ),
    "reports_api": Needs(table=TableAccess.READ, api=True),  # reads cases, timelines, partners
    "operator_api": Needs(
        buckets=(("packets", BucketAccess.LEGAL_HOLD, "packets/"),),  # the operator's legal holds
        bucket_names=("documents", "evidence"),
        api=True,
        workflow=True,
        seal_secrets=True,  # issues partners' inbound webhook secrets
        retention=True,
    ),
    # Verifies partners' signed outcome webhooks and records them on the case.
    "partner_webhooks": Needs(api=True, open_secrets=True),
    "evidence_verifier": Needs(buckets=(("evidence", BucketAccess.READ, "evidence/"),)),
    # Signs and delivers case events to businesses' endpoints, records every attempt; its queue, the
    # send rights and OUTBOUND_* come from infra/constructs/webhooks.py.
    "webhook_sender": Needs(open_secrets=True),
    # Renders documents, assembles packets from evidence + documents (multipart upload, Object Lock).
    "documents_api": Needs(
        buckets=(
            ("documents", BucketAccess.READ_WRITE, "documents/"),
            ("evidence", BucketAccess.READ, "evidence/"),
            ("packets", BucketAccess.WRITE_LOCKED, "packets/"),
        ),
        api=True,
        retention=True,
    ),
    # The only function that deletes stored objects: the daily erasure (EventBridge, asynchronous)
    # and a business's erasure request (invoked by business_api).
    "retention": Needs(
        buckets=(
            ("documents", BucketAccess.ERASE, "documents/"),
            ("evidence", BucketAccess.ERASE, "evidence/"),
            ("packets", BucketAccess.ERASE_LOCKED, "packets/"),
        ),
        asynchronous=True,
        retention=True,
    ),
    "workflow_eligibility": _STEP,
    "workflow_packet": _DOCUMENT_STEP,
    "workflow_demand": _DOCUMENT_STEP,
    "workflow_wait": _STEP,
    "workflow_routing": _STEP,
    "workflow_referral": _DOCUMENT_STEP,
    "workflow_decline": _STEP,
    "workflow_recovery": _STEP,
    "workflow_failure": _STEP,
}

_KMS_READ_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:DescribeKey")
_KMS_WRITE_ACTIONS: tuple[str, ...] = ("kms:Encrypt", "kms:GenerateDataKey")
_TABLE_ACTIONS = {
    TableAccess.READ: [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
    ],
    TableAccess.READ_WRITE: [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
    ],
}
_S3_ACTIONS = {
    BucketAccess.PUT: ["s3:PutObject"],
    BucketAccess.READ: ["s3:GetObject", "s3:GetObjectVersion"],
    BucketAccess.READ_WRITE: [
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:AbortMultipartUpload",
    ],
    BucketAccess.WRITE_LOCKED: [
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:AbortMultipartUpload",
        "s3:PutObjectRetention",
        "s3:PutObjectLegalHold",
    ],
    BucketAccess.LEGAL_HOLD: ["s3:PutObjectLegalHold"],
    BucketAccess.ERASE: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
    BucketAccess.ERASE_LOCKED: [
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:BypassGovernanceRetention",
        "s3:PutObjectLegalHold",
    ],
}
_ERASING = (BucketAccess.ERASE, BucketAccess.ERASE_LOCKED)
_KMS_FOR_BUCKET = {  # what each access needs of the data key: deleting and legal holds need none
    BucketAccess.PUT: _KMS_WRITE_ACTIONS,
    BucketAccess.READ: _KMS_READ_ACTIONS,
    BucketAccess.READ_WRITE: _KMS_READ_ACTIONS + _KMS_WRITE_ACTIONS,
    BucketAccess.WRITE_LOCKED: _KMS_READ_ACTIONS + _KMS_WRITE_ACTIONS,
    BucketAccess.LEGAL_HOLD: (),
    BucketAccess.ERASE: (),
    BucketAccess.ERASE_LOCKED: (),
}


class Functions(Construct):
    """`functions[name]` for every catalog entry; `dead_letter_queues[name]` for asynchronous ones;
    `reserved_concurrency[name]` what each reserves."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: StageSettings, data: Data) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        self.data = data
        self.buckets: dict[str, s3.IBucket] = {
            "documents": data.documents,
            "evidence": data.evidence,
            "packets": data.packets,
        }
        self.state_machine_arn, self.executions_arn = state_machine_arns(self, settings)
        self.reserved_concurrency = reserved_concurrency(settings)
        self.functions: dict[str, lambda_.Function] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for spec in catalog.FUNCTIONS:
            if spec.name not in NEEDS:
                raise ValueError(
                    f"declare what {spec.name!r} may touch in infra/constructs/functions.py NEEDS"
                )
            self.functions[spec.name] = self._function(spec, NEEDS[spec.name])
        for spec in catalog.FUNCTIONS:
            for target in NEEDS[spec.name].invokes:
                self._may_invoke(self.functions[spec.name], self.functions[target])

    def _function(self, spec: catalog.Function, needs: Needs) -> lambda_.Function:
        construct_id = "".join(part.title() for part in spec.name.split("_"))
        scope = Construct(self, construct_id)
        role = iam.Role(
            scope,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Handoff {spec.name}: only what NEEDS[{spec.name!r}] declares",
        )
        log_group = logs.LogGroup(
            scope,
            "Logs",
            retention=self.settings.retention,
            removal_policy=self.settings.removal,
            encryption_key=self.data.logs_key,
        )
        environment = {
            "POWERTOOLS_SERVICE_NAME": SERVICE,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": self.settings.log_level,
            "POWERTOOLS_LOGGER_LOG_EVENT": "false",  # events carry debtors' personal data
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
            "HANDOFF_STAGE": self.settings.name,
        }
        if needs.table is not TableAccess.NONE:
            environment["TABLE_NAME"] = self.data.table.table_name
        for bucket_name in sorted({b for b, _, _ in needs.buckets} | set(needs.bucket_names)):
            environment[f"{bucket_name.upper()}_BUCKET"] = self.buckets[bucket_name].bucket_name
        if needs.api:
            environment["MAX_BODY_BYTES"] = str(self.settings.max_body_bytes)
        if needs.workflow:
            environment["STATE_MACHINE_ARN"] = self.state_machine_arn
        if needs.seal_secrets or needs.open_secrets:
            environment["SECRETS_KEY_ID"] = self.data.secrets_key.key_arn
        if needs.retention:
            environment["DEFAULT_RETENTION_DAYS"] = str(self.settings.default_retention_days)

        dead_letter_queue = None
        if needs.asynchronous:
            dead_letter_queue = sqs.Queue(
                scope,
                "DeadLetters",
                encryption=sqs.QueueEncryption.KMS,
                encryption_master_key=self.data.messages_key,
                enforce_ssl=True,
                retention_period=Duration.days(14),
            )
            acknowledge(dead_letter_queue, "SQS3", "This queue is the function's dead-letter queue.")
            self.dead_letter_queues[spec.name] = dead_letter_queue

        function = lambda_.Function(
            scope,
            "Function",
            description=spec.description or spec.name,
            runtime=bundle.RUNTIME,
            architecture=bundle.ARCHITECTURE,
            handler=catalog.entry_point(spec),
            code=bundle.code(bundle.DOCUMENTS if spec.documents else bundle.CORE),
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment=environment,
            reserved_concurrent_executions=self.reserved_concurrency[spec.name],
            dead_letter_queue=dead_letter_queue,
            retry_attempts=2 if needs.asynchronous else None,
        )
        log_group.grant_write(role)
        self._grant(role, needs)
        acknowledge(
            function,
            "L1",
            "Python 3.12 on purpose: the lock files and arm64 wheels are built for cp312; "
            "the runtime moves together with requirements/lambda*.lock.",
        )
        acknowledge(
            role,
            "IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.",
        )
        skip(
            function,
            "CKV_AWS_117",
            "No VPC: the function reaches only AWS APIs (DynamoDB, S3, SQS, Step Functions, KMS) over "
            "TLS with IAM, and webhook_sender the public endpoints businesses register; there is no "
            "private resource to reach, and a VPC would add NAT gateways or an endpoint per service.",
        )
        skip(
            function,
            "CKV_AWS_173",
            "The environment holds resource names, ARNs and settings, never a secret (secrets are "
            "sealed with their own KMS key in the table); Lambda encrypts it at rest with its AWS "
            "managed key.",
        )
        return function

    def _grant(self, role: iam.Role, needs: Needs) -> None:
        if needs.table is not TableAccess.NONE:
            self.data.table.grant(role, *_TABLE_ACTIONS[needs.table])
            acknowledge(
                role,
                f"IAM5[Resource::<{self._logical_id(self.data.table)}.Arn>/index/*]",
                "Queries go through the table's own GSIs (gsi1, gsi2); the wildcard covers only those.",
            )
        key_actions = set(_KMS_READ_ACTIONS) if needs.table is not TableAccess.NONE else set()
        if needs.table is TableAccess.READ_WRITE:
            key_actions |= set(_KMS_WRITE_ACTIONS)
        for bucket_name, access, prefix in needs.buckets:
            bucket = self.buckets[bucket_name]
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=_S3_ACTIONS[access], resources=[bucket.arn_for_objects(f"{prefix}*")]
                )
            )
            if access in _ERASING:
                role.add_to_policy(
                    iam.PolicyStatement(
                        actions=["s3:ListBucketVersions"],
                        resources=[bucket.bucket_arn],
                        conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
                    )
                )
            reason = (
                f"Object keys are generated per case under '{prefix}'; the retention function lists and "
                "deletes the versions of an erased case there and nowhere else."
                if access in _ERASING
                else f"Object keys are generated per case under '{prefix or '/'}'; access is object-level "
                "only (no list, no delete) and limited to that prefix."
            )
            acknowledge(role, f"IAM5[Resource::<{self._logical_id(bucket)}.Arn>/{prefix}*]", reason)
            key_actions |= set(_KMS_FOR_BUCKET[access])
        if key_actions:
            self.data.key.grant(role, *sorted(key_actions))
        secret_actions = (["kms:Encrypt"] if needs.seal_secrets else []) + (
            ["kms:Decrypt"] if needs.open_secrets else []
        )
        if secret_actions:
            self.data.secrets_key.grant(role, *secret_actions)
        if needs.workflow:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure"],
                    resources=[self.state_machine_arn],
                )
            )
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["states:StopExecution", "states:DescribeExecution"],
                    resources=[self.executions_arn],
                )
            )
            acknowledge(
                role,
                f"IAM5[Resource::arn:<AWS::Partition>:states:{_nag_name(Stack.of(self).region, 'Region')}:"
                f"{_nag_name(Stack.of(self).account, 'AccountId')}:execution:"
                f"{state_machine_name(self.settings)}:*]",
                "Executions of the one case workflow; their names are per case and run.",
            )

    def _may_invoke(self, caller: lambda_.Function, target: lambda_.Function) -> None:
        """Synchronous invocation of `target` by `caller`, named in `<TARGET>_FUNCTION_NAME`."""
        name = next(n for n, f in self.functions.items() if f is target)
        target.grant_invoke(caller)
        caller.add_environment(f"{name.upper()}_FUNCTION_NAME", target.function_name)
        assert caller.role is not None
        acknowledge(
            caller.role,
            f"IAM5[Resource::<{self._logical_id(target)}.Arn>:*]",
            f"Invoking the {name} function's versions and aliases; it is the only function granted.",
        )

    def _logical_id(self, construct: IConstruct) -> str:
        """How cdk-nag names a resource's ARN in findings: `<LogicalId.Arn>`."""
        child = construct.node.default_child
        assert isinstance(child, CfnElement)
        return Stack.of(self).get_logical_id(child)


def reserved_concurrency(settings: StageSettings) -> dict[str, int]:
    """Each function's reserved concurrency: the catalog's, or the stage's override; refuses a
    total that would leave the account fewer than `MIN_UNRESERVED_CONCURRENCY` unreserved."""
    unknown = set(settings.reserved_concurrency) - {f.name for f in catalog.FUNCTIONS}
    if unknown:
        raise ValueError(f"reserved_concurrency names unknown functions: {sorted(unknown)}")
    reserved = {
        f.name: settings.reserved_concurrency.get(f.name, f.reserved_concurrency) for f in catalog.FUNCTIONS
    }
    left = settings.account_concurrency - sum(reserved.values())
    if left < MIN_UNRESERVED_CONCURRENCY:
        raise ValueError(
            f"the functions reserve {sum(reserved.values())} concurrent executions, leaving {left} of the "
            f"account's {settings.account_concurrency}; Lambda needs {MIN_UNRESERVED_CONCURRENCY} "
            "unreserved. "
            "Raise the account's quota (and account_concurrency in cdk.json) or lower reserved_concurrency."
        )
    return reserved


def _nag_name(value: str, pseudo: str) -> str:
    """How cdk-nag spells a region or account in a finding: `<AWS::Region>` unless it is known."""
    return f"<AWS::{pseudo}>" if Token.is_unresolved(value) else value
