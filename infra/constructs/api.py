"""API Gateway REST API built from `catalog.ROUTES`, its authorizer, problem+json gateway
responses, access logs, throttling, and a WAF web ACL on the stage.
"""

from __future__ import annotations

import json
import re

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from handoff import catalog
from handoff.handlers.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE, TITLES
from infra.checkov_skips import skip
from infra.nag import acknowledge
from infra.settings import StageSettings

AUTHORIZER = "authorizer"
BODY_METHODS = {"POST", "PUT", "PATCH"}
SYNCHRONOUS = (
    "API Gateway invokes it synchronously: a failure is the caller's answer (a problem document, or "
    "the gateway's 5xx) and the caller retries; there is no event to keep in a dead-letter queue."
)
# Cheap early refusal (401 without invoking the authorizer), the same rule as services.access.
BEARER_PATTERN = r"^[Bb][Ee][Aa][Rr][Ee][Rr] +[^ ]{16,} *$"

# Gateway-made errors as RFC 9457 problems. Types reuse the handlers' slugs where one exists.
_GATEWAY_TITLES = {
    **TITLES,
    "too-many-requests": "Too many requests",
    "bad-request": "The request was refused",
}
# response type → (status, slug); status None = the gateway's own (DEFAULT_4XX / DEFAULT_5XX).
GATEWAY_PROBLEMS: dict[str, tuple[int | None, str]] = {
    "UNAUTHORIZED": (401, "unauthorized"),
    "ACCESS_DENIED": (403, "forbidden"),
    "MISSING_AUTHENTICATION_TOKEN": (404, "not-found"),  # REST APIs answer unknown routes this way
    "BAD_REQUEST_PARAMETERS": (400, "validation-error"),
    "BAD_REQUEST_BODY": (400, "malformed-request"),
    "REQUEST_TOO_LARGE": (413, "payload-too-large"),
    "THROTTLED": (429, "too-many-requests"),
    "DEFAULT_4XX": (None, "bad-request"),
    "DEFAULT_5XX": (None, "internal-error"),
}


def problem_template(status: int | None, slug: str) -> str:
    """A mapping template rendering an RFC 9457 problem; `detail` is the gateway's own message."""
    fixed = {"type": PROBLEM_BASE + slug, "title": _GATEWAY_TITLES[slug]}
    if status is not None:
        fixed["status"] = status  # type: ignore[assignment]
    head = json.dumps(fixed)[:-1]
    return head + ', "detail": $context.error.messageString, "request_id": "$context.requestId"}'


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StageSettings,
        functions: dict[str, lambda_.Function],
        logs_key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=settings.retention,
            removal_policy=settings.removal,
            encryption_key=logs_key,
        )
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"handoff-{settings.name}",
            description="Handoff: collections handoff API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=settings.removal,
            deploy_options=apigw.StageOptions(
                stage_name=settings.name,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
                logging_level=settings.api_method_logging,
                data_trace_enabled=False,  # full request logs would carry debtors' personal data
                metrics_enabled=True,
                tracing_enabled=True,
                throttling_rate_limit=settings.api_throttle_rate,
                throttling_burst_limit=settings.api_throttle_burst,
            ),
        )
        acknowledge(
            self.rest_api,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level API Gateway logging role; this AWS-managed policy is the documented one.",
        )
        self.authorizer = apigw.TokenAuthorizer(
            self,
            "ApiKeyAuthorizer",
            handler=functions[AUTHORIZER],
            identity_source=apigw.IdentitySource.header("Authorization"),
            validation_regex=BEARER_PATTERN,
            results_cache_ttl=Duration.seconds(settings.authorizer_cache_seconds),
        )
        skip(functions[AUTHORIZER], "CKV_AWS_116", SYNCHRONOUS)
        skip(
            self.rest_api.deployment_stage,
            "CKV_AWS_120",
            "No response cache: answers depend on the caller's key (tenant, partner) and on the case's "
            "current state; a cached answer could reach another caller or be stale. The authorizer's "
            "results are cached per token.",
        )
        # Cheap checks before any Lambda runs: path parameters present, write bodies are JSON
        # objects (400 malformed-request, as the handlers answer). Field rules stay in the models.
        self.validator = self.rest_api.add_request_validator(
            "RequestValidator", validate_request_parameters=True, validate_request_body=True
        )
        self.json_object = self.rest_api.add_model(
            "JsonObject",
            content_type="application/json",
            schema=apigw.JsonSchema(schema=apigw.JsonSchemaVersion.DRAFT4, type=apigw.JsonSchemaType.OBJECT),
            description="Any JSON object; the handler validates the fields",
        )
        self._add_routes(functions)
        self._add_gateway_responses()
        self.web_acl = self._add_firewall(settings)

    def _add_routes(self, functions: dict[str, lambda_.Function]) -> None:
        integrations = {
            name: apigw.LambdaIntegration(functions[name], allow_test_invoke=False)
            for name in catalog.API_FUNCTIONS
        }
        for name in catalog.API_FUNCTIONS:
            skip(functions[name], "CKV_AWS_116", SYNCHRONOUS)
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        for route in catalog.ROUTES:
            resource = self.rest_api.root.resource_for_path(route.path)
            parameters = {
                f"method.request.path.{name}": True for name in re.findall(r"\{(\w+)\}", route.path)
            }
            models = {"application/json": self.json_object} if route.method in BODY_METHODS else None
            method = resource.add_method(
                route.method,
                integrations[route.function],
                authorizer=self.authorizer if route.auth else None,
                authorization_type=apigw.AuthorizationType.CUSTOM
                if route.auth
                else apigw.AuthorizationType.NONE,
                request_parameters=parameters or None,
                request_models=models,
                request_validator=self.validator if parameters or models else None,
            )
            self.methods[(route.method, route.path)] = method
            acknowledge(
                method,
                "COG4",
                "Machine clients authenticate with hashed API keys through the Lambda TOKEN authorizer "
                "(DESIGN §8), not Cognito user pools.",
            )
            if not route.auth:
                reason = (
                    f"{route.method} {route.path} is the public liveness check; it returns no data."
                    if route.path == "/v1/health"
                    else f"{route.method} {route.path} is authenticated by its Standard Webhooks "
                    "signature (per-partner secrets), verified in the handler before anything is read."
                )
                acknowledge(method, "APIG4", reason)
                skip(method, "CKV_AWS_59", reason)

    def _add_gateway_responses(self) -> None:
        for response_type, (status, slug) in GATEWAY_PROBLEMS.items():
            self.rest_api.add_gateway_response(
                f"Problem{response_type.title().replace('_', '')}",
                type=apigw.ResponseType.of(response_type),
                status_code=str(status) if status is not None else None,
                response_headers={"Content-Type": f"'{PROBLEM_CONTENT_TYPE}'"},
                templates={"application/json": problem_template(status, slug)},
            )

    def _add_firewall(self, settings: StageSettings) -> wafv2.CfnWebACL:
        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            )

        def managed(priority: int, name: str) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=name
                    )
                ),
                visibility_config=visibility(name),
            )

        too_many = json.dumps(
            {
                "type": PROBLEM_BASE + "too-many-requests",
                "title": _GATEWAY_TITLES["too-many-requests"],
                "status": 429,
                "detail": "too many requests from this address; slow down",
            }
        )
        web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility(f"handoff-{settings.name}"),
            custom_response_bodies={
                "too-many-requests": wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=too_many
                )
            },
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="RatePerClientIp",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(
                        block=wafv2.CfnWebACL.BlockActionProperty(
                            custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                                response_code=429, custom_response_body_key="too-many-requests"
                            )
                        )
                    ),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            aggregate_key_type="IP", limit=settings.waf_requests_per_5_min
                        )
                    ),
                    visibility_config=visibility("RatePerClientIp"),
                ),
                managed(1, "AWSManagedRulesAmazonIpReputationList"),
                managed(2, "AWSManagedRulesKnownBadInputsRuleSet"),
            ],
        )
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.rest_api.deployment_stage.stage_arn,
            web_acl_arn=web_acl.attr_arn,
        )
        return web_acl
