"""Where Handoff keeps its data: a customer-managed KMS key, the single table, the buckets."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from handoff.adapters import table_schema
from infra.checkov_skips import skip
from infra.nag import acknowledge
from infra.settings import StageSettings


class Data(Construct):
    """KMS key (rotated), the DynamoDB table of `table_schema`, and the S3 buckets.

    Buckets: `documents` (generated letters), `evidence` (uploads), `packets` (evidence ZIPs),
    all KMS-encrypted with the same key, versioned, TLS-only, private, logged to `access_logs`.
    """

    def __init__(self, scope: Construct, construct_id: str, *, settings: StageSettings) -> None:
        super().__init__(scope, construct_id)
        removal = settings.removal

        self.key = kms.Key(
            self,
            "Key",
            description="Handoff data at rest: the table and the buckets",
            enable_key_rotation=True,
            removal_policy=removal,
            pending_window=Duration.days(7 if removal == RemovalPolicy.DESTROY else 30),
        )
        # Queues and the alarm topic get their own key: S3 must be allowed to use the queue key
        # for notifications from the evidence bucket, and that bucket is encrypted with `key` —
        # one key for both would make the key policy and the bucket depend on each other.
        self.messages_key = kms.Key(
            self,
            "MessagesKey",
            description="Handoff messages: queues and the alarm topic",
            enable_key_rotation=True,
            removal_policy=removal,
            pending_window=Duration.days(7 if removal == RemovalPolicy.DESTROY else 30),
        )
        # Webhook signing secrets (sealed by `adapters.secret_box`) get a key of their own: only the
        # functions that issue, sign or verify webhooks may use it, and nothing else is under it.
        self.secrets_key = kms.Key(
            self,
            "SecretsKey",
            description="Handoff webhook signing secrets (sealed with an encryption context)",
            enable_key_rotation=True,
            removal_policy=removal,
            pending_window=Duration.days(7 if removal == RemovalPolicy.DESTROY else 30),
        )

        # Log groups (functions, API access, workflow) get a key of their own that only CloudWatch Logs
        # may use, and only for this account's log groups in this region.
        self.logs_key = kms.Key(
            self,
            "LogsKey",
            description="Handoff logs: the functions', the API's access and the workflow's log groups",
            enable_key_rotation=True,
            removal_policy=removal,
            pending_window=Duration.days(7 if removal == RemovalPolicy.DESTROY else 30),
        )
        stack = Stack.of(self)
        self.logs_key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )

        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string(table_schema.PARTITION_KEY),
            sort_key=_string(table_schema.SORT_KEY),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=settings.deletion_protection,
            time_to_live_attribute=table_schema.TTL_ATTRIBUTE,
            removal_policy=removal,
        )
        for name, pk, sk in table_schema.GLOBAL_INDEXES:
            self.table.add_global_secondary_index(
                index_name=name,
                partition_key=_string(pk),
                sort_key=_string(sk),
                projection_type=dynamodb.ProjectionType.ALL,
            )

        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            # Server access logging only delivers to SSE-S3 buckets, not SSE-KMS ones.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal,
            # Who read or wrote evidence is in these logs: a deleted or overwritten log object is
            # kept as a noncurrent version until the logs themselves would have expired.
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=Duration.days(365),
                    noncurrent_version_expiration=Duration.days(365),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
        )
        acknowledge(
            self.access_logs,
            "S1",
            "This is the server access log bucket; logging it into itself would loop.",
        )
        skip(
            self.access_logs,
            "CKV_AWS_18",
            "This is the server access log bucket of the others; logging it into itself would loop.",
        )

        self.documents = self._bucket("Documents", "documents/", removal)
        self.evidence = self._bucket("Evidence", "evidence/", removal)
        # Object Lock is switched on (it can only be set at creation), so packets can be put under
        # legal hold or retention when a case goes to court; no default retention is imposed.
        self.packets = self._bucket("Packets", "packets/", removal, object_lock=True)

    def _bucket(
        self, construct_id: str, log_prefix: str, removal: RemovalPolicy, *, object_lock: bool = False
    ) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            versioned=True,
            object_lock_enabled=object_lock or None,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=log_prefix,
            removal_policy=removal,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-multipart-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=Duration.days(365),
                ),
            ],
        )


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)
