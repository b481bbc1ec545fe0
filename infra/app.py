"""CDK entry point: `cdk synth -c stage=dev|prod` (default dev). Checked by cdk-nag on every synth."""

from __future__ import annotations

import os
from typing import Any

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra.settings import stage_settings
from infra.stack import HandoffStack


def create_app(
    context: dict[str, Any] | None = None, outdir: str | None = None, env: Environment | None = None
) -> tuple[App, HandoffStack]:
    """The app and its stack; `env` defaults to the CLI's account and region (if any)."""
    app = App(context=context, outdir=outdir)
    if env is None:
        env = Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
        )
    settings = stage_settings(app)
    stack = HandoffStack(
        app,
        f"Handoff-{settings.name}",
        settings=settings,
        description=f"Handoff collections-handoff API ({settings.name})",
        env=env
        or Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
        ),
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def main() -> None:
    app, _ = create_app()
    app.synth()


if __name__ == "__main__":
    main()
