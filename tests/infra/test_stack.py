"""What the synthesized template guarantees, one guarantee per test (dev stage unless said)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from handoff import catalog
from handoff.adapters import table_schema
from handoff.handlers.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group("infra")

DATA_BUCKETS = ("DataDocuments", "DataEvidence", "DataPackets")
WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


# ---------------------------------------------------------------- helpers over the template


def ref_id(value: Any) -> str:
    """The logical id in {"Ref": id} or {"Fn::GetAtt": [id, attr]}."""
    if "Ref" in value:
        return str(value["Ref"])
    return str(value["Fn::GetAtt"][0])


def logical(synth: Synthesized, resource_type: str, prefix: str) -> str:
    (found,) = [k for k in synth.of_type(resource_type) if k.startswith(prefix)]
    return found


def function_ids(synth: Synthesized) -> dict[str, str]:
    """Catalog function name → logical id of its AWS::Lambda::Function (matched by handler)."""
    by_handler = {v["Properties"]["Handler"]: k for k, v in synth.of_type("AWS::Lambda::Function").items()}
    return {f.name: by_handler[catalog.entry_point(f)] for f in catalog.FUNCTIONS}


def statements_of(synth: Synthesized, function_name: str) -> list[dict[str, Any]]:
    """Every IAM statement attached to the role of one catalog function."""
    function = synth.resources[function_ids(synth)[function_name]]
    role = ref_id(function["Properties"]["Role"])
    assert not synth.resources[role]["Properties"].get("ManagedPolicyArns"), "no managed policies"
    statements: list[dict[str, Any]] = []
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def actions(statement: dict[str, Any]) -> set[str]:
    value = statement["Action"]
    return {value} if isinstance(value, str) else set(value)


def touches(statement: dict[str, Any], logical_id: str) -> bool:
    return logical_id in json.dumps(statement["Resource"])


def resource_paths(synth: Synthesized) -> dict[str, str]:
    """Logical id of each AWS::ApiGateway::Resource → its full path."""
    resources = synth.of_type("AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path(logical_id: str) -> str:
        if logical_id not in paths:
            props = resources[logical_id]["Properties"]
            parent = props["ParentId"]
            prefix = path(parent["Ref"]) if "Ref" in parent else ""
            paths[logical_id] = f"{prefix}/{props['PathPart']}"
        return paths[logical_id]

    for logical_id in resources:
        path(logical_id)
    return paths


def methods(synth: Synthesized) -> dict[tuple[str, str], dict[str, Any]]:
    """(HTTP method, path) → method properties."""
    paths = resource_paths(synth)
    found = {}
    for method in synth.of_type("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        found[(props["HttpMethod"], paths[props["ResourceId"]["Ref"]])] = props
    return found


# ---------------------------------------------------------------- data


def test_table_has_schema_keys_pitr_kms_and_ttl(dev: Synthesized) -> None:
    (table,) = [t["Properties"] for t in dev.of_type("AWS::DynamoDB::Table").values()]
    assert table["KeySchema"] == [
        {"AttributeName": table_schema.PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": table_schema.SORT_KEY, "KeyType": "RANGE"},
    ]
    assert {g["IndexName"] for g in table["GlobalSecondaryIndexes"]} == {
        name for name, _, _ in table_schema.GLOBAL_INDEXES
    }
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["SSESpecification"]["SSEType"] == "KMS"
    assert ref_id(table["SSESpecification"]["KMSMasterKeyId"]).startswith("DataKey")
    assert table["TimeToLiveSpecification"] == {"AttributeName": table_schema.TTL_ATTRIBUTE, "Enabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"


def test_every_kms_key_rotates(dev: Synthesized) -> None:
    keys = dev.of_type("AWS::KMS::Key")
    # data at rest; messages (queues, alarm topic); webhook signing secrets; log groups
    assert len(keys) == 4
    assert all(k["Properties"]["EnableKeyRotation"] is True for k in keys.values())


def test_every_bucket_blocks_public_access_and_is_encrypted(dev: Synthesized) -> None:
    buckets = dev.of_type("AWS::S3::Bucket")
    assert len(buckets) == 4
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ]
        if logical_id.startswith(DATA_BUCKETS):
            assert rule["SSEAlgorithm"] == "aws:kms", logical_id
            assert ref_id(rule["KMSMasterKeyID"]).startswith("DataKey"), logical_id
        else:  # the access log bucket: S3 server access logs cannot be delivered to SSE-KMS buckets
            assert rule["SSEAlgorithm"] == "AES256"


def test_data_buckets_are_versioned_logged_and_abort_multipart_uploads(dev: Synthesized) -> None:
    access_logs = logical(dev, "AWS::S3::Bucket", "DataAccessLogs")
    for prefix in DATA_BUCKETS:
        props = dev.resources[logical(dev, "AWS::S3::Bucket", prefix)]["Properties"]
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        assert ref_id(props["LoggingConfiguration"]["DestinationBucketName"]) == access_logs
        assert any(
            rule.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation") == 1
            and rule["Status"] == "Enabled"
            for rule in props["LifecycleConfiguration"]["Rules"]
        ), prefix


def test_every_bucket_policy_denies_requests_without_tls(dev: Synthesized) -> None:
    policies = {ref_id(p["Properties"]["Bucket"]): p for p in dev.of_type("AWS::S3::BucketPolicy").values()}
    for bucket in dev.of_type("AWS::S3::Bucket"):
        statements = policies[bucket]["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny"
            and s["Condition"].get("Bool", {}).get("aws:SecureTransport") == "false"
            and s["Action"] == "s3:*"
            for s in statements
            if "Condition" in s
        ), bucket


def test_queues_are_encrypted_tls_only_with_a_dead_letter_queue(dev: Synthesized) -> None:
    queues = dev.of_type("AWS::SQS::Queue")
    assert all(
        ref_id(q["Properties"]["KmsMasterKeyId"]).startswith("DataMessagesKey") for q in queues.values()
    )
    uploads = dev.resources[_uploads(dev)]
    redrive = uploads["Properties"]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 3
    assert ref_id(redrive["deadLetterTargetArn"]).startswith("EvidenceUploadsDeadLetters")
    queue_policies = dev.of_type("AWS::SQS::QueuePolicy").values()
    tls_denied = {
        ref_id(queue)
        for policy in queue_policies
        for queue in policy["Properties"]["Queues"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s.get("Condition", {}))
    }
    assert tls_denied == set(queues)


def _uploads(synth: Synthesized) -> str:
    (found,) = [k for k in synth.of_type("AWS::SQS::Queue") if re.match(r"EvidenceUploads[0-9A-F]{8}$", k)]
    return found


def test_evidence_uploads_reach_the_verifier_with_partial_batch_failures(dev: Synthesized) -> None:
    verifier = function_ids(dev)["evidence_verifier"]
    (mapping,) = [
        m
        for m in dev.of_type("AWS::Lambda::EventSourceMapping").values()
        if ref_id(m["Properties"]["FunctionName"]) == verifier
    ]
    props = mapping["Properties"]
    assert ref_id(props["EventSourceArn"]) == _uploads(dev)
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    (notifications,) = dev.of_type("Custom::S3BucketNotifications").values()
    (queue_config,) = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert queue_config["Events"] == ["s3:ObjectCreated:*"]
    assert queue_config["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "evidence/"}]


def test_queue_consumers_poll_within_their_reserved_concurrency(dev: Synthesized) -> None:
    """More pollers than the reservation would throttle batches, count receives and dead-letter
    messages that were never processed."""
    mappings = dev.of_type("AWS::Lambda::EventSourceMapping").values()
    assert len(mappings) == 2  # evidence uploads, outbound webhooks
    for mapping in mappings:
        function = dev.resources[ref_id(mapping["Properties"]["FunctionName"])]["Properties"]
        reserved = function["ReservedConcurrentExecutions"]
        assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": reserved}


# ---------------------------------------------------------------- functions


def test_one_function_per_catalog_entry_arm64_python312_traced(dev: Synthesized) -> None:
    ids = function_ids(dev)
    assert len(set(ids.values())) == len(catalog.FUNCTIONS)
    for spec in catalog.FUNCTIONS:
        props = dev.resources[ids[spec.name]]["Properties"]
        assert props["Runtime"] == "python3.12", spec.name
        assert props["Architectures"] == ["arm64"], spec.name
        assert props["TracingConfig"] == {"Mode": "Active"}, spec.name
        assert props["MemorySize"] == spec.memory_mb
        assert props["Timeout"] == spec.timeout_s
        env = props["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == "handoff"
        assert env["POWERTOOLS_LOG_LEVEL"] == "DEBUG"  # dev
        assert env["POWERTOOLS_LOGGER_LOG_EVENT"] == "false"


def test_every_function_has_its_own_role_and_a_log_group_with_retention(dev: Synthesized) -> None:
    ids = function_ids(dev)
    roles = [ref_id(dev.resources[i]["Properties"]["Role"]) for i in ids.values()]
    assert len(set(roles)) == len(roles)
    for name, logical_id in ids.items():
        group = ref_id(dev.resources[logical_id]["Properties"]["LoggingConfig"]["LogGroup"])
        assert dev.resources[group]["Properties"]["RetentionInDays"] == 14, name


def test_environment_names_what_the_settings_models_read(dev: Synthesized) -> None:
    ids = function_ids(dev)

    def env(name: str) -> dict[str, Any]:
        variables: dict[str, Any] = dev.resources[ids[name]]["Properties"]["Environment"]["Variables"]
        return variables

    for name in catalog.API_FUNCTIONS:
        assert env(name)["MAX_BODY_BYTES"] == "1048576"
        assert "TABLE_NAME" in env(name)
    assert {"EVIDENCE_BUCKET", "PACKETS_BUCKET", "DOCUMENTS_BUCKET", "STATE_MACHINE_ARN"} <= env(
        "business_api"
    ).keys()
    assert "EVIDENCE_BUCKET" in env("evidence_verifier")
    assert {"DOCUMENTS_BUCKET", "EVIDENCE_BUCKET", "PACKETS_BUCKET"} <= env("documents_api").keys()
    assert not any(k.endswith("_BUCKET") for k in env("authorizer"))


# ---------------------------------------------------------------- least privilege


def test_no_policy_grants_wildcard_actions(dev: Synthesized) -> None:
    for logical_id, policy in dev.of_type("AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            for action in actions(statement):
                assert action != "*" and not action.endswith(":*"), (logical_id, action)


def test_only_functions_that_render_documents_touch_the_documents_bucket(dev: Synthesized) -> None:
    documents = logical(dev, "AWS::S3::Bucket", "DataDocuments")
    touching = {
        f.name for f in catalog.FUNCTIONS if any(touches(s, documents) for s in statements_of(dev, f.name))
    }
    renderers = {f.name for f in catalog.FUNCTIONS if f.documents}
    # the assigned partner downloads the case's documents; the retention function erases them
    assert touching == renderers | {"partner_api", "retention"}
    assert "documents_api" in touching
    partner = [s for s in statements_of(dev, "partner_api") if touches(s, documents)]
    assert all(set(actions(s)) <= {"s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt"} for s in partner)


def test_business_api_may_only_sign_evidence_uploads_read_packets_and_hold_them(dev: Synthesized) -> None:
    s3 = [s for s in statements_of(dev, "business_api") if any(a.startswith("s3:") for a in actions(s))]
    granted = {(frozenset(actions(s)), ref_id(s["Resource"]["Fn::Join"][1][0])) for s in s3}
    packets = logical(dev, "AWS::S3::Bucket", "DataPackets")
    assert granted == {
        (frozenset({"s3:PutObject"}), logical(dev, "AWS::S3::Bucket", "DataEvidence")),
        (frozenset({"s3:GetObject", "s3:GetObjectVersion", "s3:PutObjectLegalHold"}), packets),
    }
    assert [s["Resource"]["Fn::Join"][1][1] for s in s3] == ["/evidence/*", "/packets/*"]


def test_only_the_retention_function_may_list_or_delete_objects(dev: Synthesized) -> None:
    for name in function_ids(dev):
        for statement in statements_of(dev, name):
            if name != "retention":
                assert not {a for a in actions(statement) if a.startswith(("s3:List", "s3:Delete"))}, name


def test_authorizer_reads_the_table_and_nothing_else(dev: Synthesized) -> None:
    granted = set().union(*(actions(s) for s in statements_of(dev, "authorizer")))
    assert not granted & WRITE_ACTIONS
    assert not {a for a in granted if a.startswith(("s3:", "sqs:", "states:"))}
    assert "dynamodb:Query" in granted


def test_only_step_functions_and_steering_apis_touch_the_workflow(dev: Synthesized) -> None:
    steering = {
        name
        for name in function_ids(dev)
        if any(a.startswith("states:") for s in statements_of(dev, name) for a in actions(s))
    }
    steps = {f.name for f in catalog.FUNCTIONS if f.name.startswith("workflow_")}
    assert steering == steps | {"business_api", "partner_api", "operator_api"}


# ---------------------------------------------------------------- API


def test_a_method_per_catalog_route_integrated_with_its_function(dev: Synthesized) -> None:
    found = methods(dev)
    assert set(found) == {(r.method, r.path) for r in catalog.ROUTES}
    ids = function_ids(dev)
    for route in catalog.ROUTES:
        integration = found[(route.method, route.path)]["Integration"]
        assert integration["Type"] == "AWS_PROXY"
        assert ids[route.function] in json.dumps(integration["Uri"]), route


def test_authorizer_guards_every_auth_route_and_not_health(dev: Synthesized) -> None:
    (authorizer_id,) = dev.of_type("AWS::ApiGateway::Authorizer")
    found = methods(dev)
    for route in catalog.ROUTES:
        props = found[(route.method, route.path)]
        if route.auth:
            assert props["AuthorizationType"] == "CUSTOM", route
            assert props["AuthorizerId"] == {"Ref": authorizer_id}, route
        else:
            assert props["AuthorizationType"] == "NONE", route
            assert "AuthorizerId" not in props, route
    assert found[("GET", "/v1/health")]["AuthorizationType"] == "NONE"


def test_authorizer_is_a_cached_token_authorizer_on_the_authorization_header(dev: Synthesized) -> None:
    (authorizer,) = dev.of_type("AWS::ApiGateway::Authorizer").values()
    props = authorizer["Properties"]
    assert props["Type"] == "TOKEN"
    assert props["IdentitySource"] == "method.request.header.Authorization"
    assert props["AuthorizerResultTtlInSeconds"] == 60  # dev
    assert re.match(props["IdentityValidationExpression"], "Bearer " + "k" * 32)
    assert not re.match(props["IdentityValidationExpression"], "Basic abc")
    assert function_ids(dev)["authorizer"] in json.dumps(props["AuthorizerUri"])


def test_write_methods_validate_a_json_object_body(dev: Synthesized) -> None:
    (validator_id, validator) = next(iter(dev.of_type("AWS::ApiGateway::RequestValidator").items()))
    assert validator["Properties"]["ValidateRequestBody"] is True
    for (verb, path), props in methods(dev).items():
        if verb == "POST":
            assert props["RequestValidatorId"] == {"Ref": validator_id}, path
            assert "application/json" in props["RequestModels"], path


@pytest.mark.parametrize(
    ("response_type", "status"),
    [
        ("UNAUTHORIZED", "401"),
        ("ACCESS_DENIED", "403"),
        ("REQUEST_TOO_LARGE", "413"),
        ("THROTTLED", "429"),
        ("DEFAULT_4XX", None),
        ("DEFAULT_5XX", None),
    ],
)
def test_gateway_errors_are_problem_json_with_a_stable_type(
    dev: Synthesized, response_type: str, status: str | None
) -> None:
    (props,) = [
        r["Properties"]
        for r in dev.of_type("AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == response_type
    ]
    assert props.get("StatusCode") == status
    assert props["ResponseParameters"]["gatewayresponse.header.Content-Type"] == f"'{PROBLEM_CONTENT_TYPE}'"
    template = props["ResponseTemplates"]["application/json"]
    # What API Gateway would render, with its variables filled in.
    rendered = template.replace("$context.error.messageString", '"Unauthorized"').replace(
        "$context.requestId", "req-1"
    )
    problem = json.loads(rendered)
    assert problem["type"].startswith(PROBLEM_BASE)
    assert problem["title"]
    if status is not None:
        assert problem["status"] == int(status)


def test_stage_logs_access_throttles_and_traces_without_data_trace(dev: Synthesized) -> None:
    (stage,) = dev.of_type("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    assert props["StageName"] == "dev"
    assert props["TracingEnabled"] is True
    log_group = ref_id(props["AccessLogSetting"]["DestinationArn"])
    assert dev.resources[log_group]["Type"] == "AWS::Logs::LogGroup"
    (settings,) = props["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == 50 and settings["ThrottlingBurstLimit"] == 100
    assert settings["DataTraceEnabled"] is False
    assert settings["LoggingLevel"] == "INFO"


def test_waf_rate_limits_per_ip_and_is_associated_with_the_stage(dev: Synthesized) -> None:
    (acl_id, acl) = next(iter(dev.of_type("AWS::WAFv2::WebACL").items()))
    assert acl["Properties"]["Scope"] == "REGIONAL"
    rate = [r for r in acl["Properties"]["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate and rate[0]["Statement"]["RateBasedStatement"] == {"AggregateKeyType": "IP", "Limit": 1000}
    assert rate[0]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    (association,) = dev.of_type("AWS::WAFv2::WebACLAssociation").values()
    (stage_id,) = dev.of_type("AWS::ApiGateway::Stage")
    assert ref_id(association["Properties"]["WebACLArn"]) == acl_id
    assert stage_id in json.dumps(association["Properties"]["ResourceArn"])


# ---------------------------------------------------------------- workflow


def test_state_machine_definition_is_inline_with_every_step_resolved(dev: Synthesized) -> None:
    (machine,) = dev.of_type("AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    definition = json.dumps(props["DefinitionString"])
    assert "${Fn" not in definition and "${Retry" not in definition
    ids = function_ids(dev)
    for name in ("workflow_eligibility", "workflow_packet", "workflow_routing", "workflow_failure"):
        assert ids[name] in definition
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False


# ---------------------------------------------------------------- monitoring


def test_alarms_for_api_5xx_each_function_and_each_dead_letter_queue(dev: Synthesized) -> None:
    alarms = [a["Properties"] for a in dev.of_type("AWS::CloudWatch::Alarm").values()]

    def watched(metric: str) -> set[str]:
        return {
            json.dumps(d["Value"])
            for a in alarms
            if a.get("MetricName") == metric
            for d in a.get("Dimensions", [])
        }

    for name, logical_id in function_ids(dev).items():
        assert any(logical_id in v for v in watched("Errors")), name
        assert any(logical_id in v for v in watched("Throttles")), name
    assert any(a.get("MetricName") == "5XXError" and a["Namespace"] == "AWS/ApiGateway" for a in alarms)
    dlqs = [k for k in dev.of_type("AWS::SQS::Queue") if "DeadLetters" in k]
    for dlq in dlqs:
        assert any(dlq in v for v in watched("ApproximateNumberOfMessagesVisible")), dlq
    assert all(a["AlarmActions"] for a in alarms)
    assert len(dev.of_type("AWS::CloudWatch::Dashboard")) == 1


# ---------------------------------------------------------------- stages


def test_prod_protects_data_and_keeps_logs_longer(prod: Synthesized) -> None:
    (table,) = prod.of_type("AWS::DynamoDB::Table").values()
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert all(b["DeletionPolicy"] == "Retain" for b in prod.of_type("AWS::S3::Bucket").values())
    assert {g["Properties"]["RetentionInDays"] for g in prod.of_type("AWS::Logs::LogGroup").values()} == {180}
    ids = function_ids(prod)
    verifier = prod.resources[ids["evidence_verifier"]]["Properties"]
    assert verifier["ReservedConcurrentExecutions"] == 10
    assert verifier["Environment"]["Variables"]["POWERTOOLS_LOG_LEVEL"] == "INFO"


def test_dev_can_be_torn_down(dev: Synthesized) -> None:
    (table,) = dev.of_type("AWS::DynamoDB::Table").values()
    assert table["Properties"].get("DeletionProtectionEnabled") in (False, None)
    assert table["DeletionPolicy"] == "Delete"


def test_packets_bucket_has_object_lock_available(dev: Synthesized) -> None:
    packets = dev.of_type("AWS::S3::Bucket")[logical(dev, "AWS::S3::Bucket", "DataPackets")]

    assert packets["Properties"]["ObjectLockEnabled"] is True


def test_failed_and_timed_out_workflow_executions_raise_alarms(dev: Synthesized) -> None:
    metrics = {
        alarm["Properties"].get("MetricName")
        for alarm in dev.of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "AWS/States"
    }

    assert {"ExecutionsFailed", "ExecutionsTimedOut"} <= metrics
