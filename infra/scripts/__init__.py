"""Operator scripts run against a deployed stack (not part of the CDK app)."""
