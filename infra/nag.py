"""Acknowledging cdk-nag findings: one helper so every acknowledgement carries its reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge an AwsSolutions finding (e.g. `IAM5[Resource::*]`) on `scope` and its children."""
    if len(reason) < 20:
        raise ValueError(f"give {rule} a real reason")
    Validations.of(scope).acknowledge(Acknowledgment(id=f"AwsSolutions-{rule}", reason=reason))
