"""Suppressing checkov findings: one helper so every suppression carries its reason.

checkov (an independent scanner of the synthesized CloudFormation) reads a resource's
suppressions from its Metadata, `{"checkov": {"skip": [{"id": "CKV_AWS_117", "comment": ...}]}}`.
The infra tests run checkov on the dev and prod templates and fail on any finding not suppressed
here; what matters is fixed in the constructs instead (log groups under a KMS key, a reserved
concurrency for every function).
"""

from __future__ import annotations

import re

from aws_cdk import CfnResource
from constructs import IConstruct

CHECK_ID = re.compile(r"^CKV2?_AWS_\d+$")


def skip(scope: IConstruct, check: str, reason: str) -> None:
    """Suppress checkov's `check` (e.g. `CKV_AWS_117`) on the CloudFormation resource of `scope`."""
    if not CHECK_ID.match(check):
        raise ValueError(f"{check!r} is not a checkov AWS check id (CKV_AWS_<n> or CKV2_AWS_<n>)")
    if len(reason) < 20:
        raise ValueError(f"give {check} a real reason")
    resource = scope if isinstance(scope, CfnResource) else scope.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{scope.node.path} has no CloudFormation resource to carry the suppression")
    existing = resource.get_metadata("checkov") or {}
    skips = [entry for entry in existing.get("skip", []) if entry["id"] != check]
    resource.add_metadata("checkov", {"skip": [*skips, {"id": check, "comment": reason}]})
