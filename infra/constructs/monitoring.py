"""Alarms (API 5xx, per-function errors and throttles, dead-letter depth) and one dashboard.

Alarms notify an SNS topic; `alarm_email` in the stage settings subscribes an address.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.settings import StageSettings

PERIOD = Duration.minutes(5)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StageSettings,
        key: kms.IKey,
        rest_api: apigw.RestApi,
        functions: Mapping[str, lambda_.IFunction],
        dead_letter_queues: Mapping[str, sqs.IQueue],
        state_machine: sfn.IStateMachine,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", master_key=key, enforce_ssl=True)
        # Alarms publish to the encrypted topic as the CloudWatch service.
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey")
        if settings.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(settings.alarm_email))
        notify = actions.SnsAction(self.topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {}

        def alarm(name: str, metric: cloudwatch.Metric, description: str, threshold: float = 1) -> None:
            created = metric.create_alarm(
                self,
                name,
                alarm_description=description,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            created.add_alarm_action(notify)
            self.alarms[name] = created

        alarm(
            "Api5xx",
            rest_api.metric_server_error(period=PERIOD, statistic="Sum"),
            "The API answered 5xx (handler crash, timeout or integration error).",
        )
        for name, function in functions.items():
            title = "".join(part.title() for part in name.split("_"))
            alarm(
                f"{title}Errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                f"{name} raised unhandled errors.",
            )
            alarm(
                f"{title}Throttles",
                function.metric_throttles(period=PERIOD, statistic="Sum"),
                f"{name} was throttled (reserved or account concurrency exhausted).",
            )
        alarm(
            "WorkflowFailedExecutions",
            state_machine.metric_failed(period=PERIOD, statistic="Sum"),
            "A case workflow execution failed: the case is `failed` with the cause on its timeline.",
        )
        alarm(
            "WorkflowTimedOutExecutions",
            state_machine.metric_timed_out(period=PERIOD, statistic="Sum"),
            "A case workflow execution timed out as a whole.",
        )
        for name, queue in dead_letter_queues.items():
            title = "".join(part.title() for part in name.split("_"))
            alarm(
                f"{title}DeadLetters",
                queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
                f"Messages are waiting in the {name} dead-letter queue: inspect and redrive.",
            )

        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"handoff-{settings.name}")
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="API requests and errors",
                left=[rest_api.metric_count(period=PERIOD)],
                right=[
                    rest_api.metric_client_error(period=PERIOD),
                    rest_api.metric_server_error(period=PERIOD),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="API latency (p99)",
                left=[rest_api.metric_latency(period=PERIOD, statistic="p99")],
                right=[rest_api.metric_integration_latency(period=PERIOD, statistic="p99")],
                width=12,
            ),
        )
        dashboard.add_widgets(
            *[
                cloudwatch.GraphWidget(
                    title=name,
                    left=[function.metric_invocations(period=PERIOD), function.metric_errors(period=PERIOD)],
                    right=[function.metric_duration(period=PERIOD, statistic="p99")],
                    width=8,
                )
                for name, function in functions.items()
            ]
        )
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms.values()), width=24)
        )
