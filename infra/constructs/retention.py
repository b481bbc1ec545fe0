"""The daily retention run: an EventBridge schedule invokes the retention function once a day.

The function (its role, its dead-letter queue, its grants) is in `functions.py` like every other;
this construct only schedules it. `python -m handoff.local retention` delivers the same event locally.
"""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

FUNCTION = "retention"
SCHEDULE_UTC = {"hour": "3", "minute": "17"}  # daily, away from the top of the hour


class Retention(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.Function,
        dead_letter_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self.rule = events.Rule(
            self,
            "Daily",
            description="Erase the personal data of ended cases whose retention has run out",
            schedule=events.Schedule.cron(**SCHEDULE_UTC),
        )
        # EventBridge retries a failed delivery, then parks it in the function's dead-letter queue;
        # a failed run is harmless to repeat (every erasure step is idempotent) and the next day runs anyway.
        self.rule.add_target(
            targets.LambdaFunction(function, dead_letter_queue=dead_letter_queue, retry_attempts=2)
        )
