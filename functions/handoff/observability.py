"""The one place that creates Logger, Tracer and Metrics.

Never log whole events or request bodies: they carry debtors' personal data.
Log identifiers (case id, tenant id, key id), statuses and counts only.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "handoff"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="Handoff", service=SERVICE)
