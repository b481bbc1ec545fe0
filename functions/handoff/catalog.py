"""Which Lambda function serves which API route, and every function the stack runs.

The single source for the CDK stack (API Gateway resources and functions) and for
the local runtime (which handler a request or a Step Functions task reaches). A
test checks that each API function's resolver registers exactly its routes here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Function:
    name: str
    handler: str  # module path
    entry: str = "handler"  # the callable in that module; the Lambda handler is `<module>.<entry>`
    documents: bool = False  # True: the bundle carries docxtpl and lxml
    description: str = ""
    memory_mb: int = 512
    timeout_s: int = 29
    # Reserved concurrency on AWS: this function's share of the account, and its cap, so that no
    # function can starve the others (sizing and the account's headroom: docs/deploy.md, section 4).
    reserved_concurrency: int = 10


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    auth: bool = True


STEPS = "handoff.handlers.workflow_steps"
FUNCTIONS: tuple[Function, ...] = (
    Function(
        "authorizer",
        "handoff.handlers.authorizer",
        description="API key authorizer",
        memory_mb=256,
        reserved_concurrency=50,  # its answers are cached per token: runs on cache misses only
    ),
    Function(
        "business_api",
        "handoff.handlers.business_api",
        description="Cases for businesses",
        reserved_concurrency=100,  # the busiest: intake, evidence, case reads
    ),
    Function("operator_api", "handoff.handlers.operator_api", description="Tenants and API keys"),
    Function(
        "reports_api",
        "handoff.handlers.reports_api",
        description="Recovery reports and case ledgers",
        reserved_concurrency=20,
    ),
    Function(
        "partner_api",
        "handoff.handlers.partner_api",
        description="Assignments for agencies and attorneys",
        reserved_concurrency=50,
    ),
    Function(
        "evidence_verifier",
        "handoff.handlers.evidence_verifier",
        description="Checks uploaded evidence against its declaration (S3 → SQS)",
        memory_mb=1024,
        timeout_s=120,
        reserved_concurrency=10,  # also its queue's maximum concurrency
    ),
    Function(
        "workflow_eligibility",
        STEPS,
        "check_eligibility",
        description="Workflow: eligibility",
        reserved_concurrency=20,  # runs at every intake and evidence change
    ),
    Function(
        "workflow_packet",
        STEPS,
        "assemble_packet",
        documents=True,
        description="Workflow: evidence packet",
        memory_mb=1024,
        timeout_s=300,
    ),
    Function(
        "workflow_demand",
        STEPS,
        "issue_demand",
        documents=True,
        description="Workflow: demand letter",
        memory_mb=1024,
        timeout_s=60,
    ),
    Function(
        "workflow_wait",
        STEPS,
        "wait_for",
        description="Workflow: remember a task token",
        reserved_concurrency=20,  # before every wait of every case
    ),
    Function(
        "workflow_routing", STEPS, "route", description="Workflow: routing decision", reserved_concurrency=20
    ),
    Function(
        "workflow_referral",
        STEPS,
        "send_referral",
        documents=True,
        description="Workflow: referral letter",
        memory_mb=1024,
        timeout_s=60,
    ),
    Function("workflow_decline", STEPS, "record_decline", description="Workflow: a partner declined"),
    Function("workflow_recovery", STEPS, "start_recovery", description="Workflow: recovery starts"),
    Function("workflow_failure", STEPS, "record_failure", description="Workflow: record a failed step"),
    Function(
        "partner_webhooks",
        "handoff.handlers.partner_webhooks",
        description="Signed outcome webhooks from partners (Standard Webhooks)",
        reserved_concurrency=20,  # unauthenticated route: a flood of bad signatures stops here
    ),
    Function(
        "webhook_sender",
        "handoff.handlers.webhook_sender",
        description="Outbound webhooks: signs and delivers case events, retries, dead-letters (SQS)",
        timeout_s=60,
        reserved_concurrency=20,  # also its queue's maximum concurrency
    ),
    Function(
        "retention",
        "handoff.handlers.retention_job",
        description="Daily (EventBridge) and on request: erases personal data of ended cases past retention",
        timeout_s=900,
        reserved_concurrency=5,  # the daily run and businesses' erasure requests (synchronous, rare)
    ),
    Function(
        "documents_api",
        "handoff.handlers.documents_api",
        documents=True,
        description="Legal documents (docxtpl)",
        memory_mb=1024,
        reserved_concurrency=20,
    ),
)

ROUTES: tuple[Route, ...] = (
    Route("GET", "/v1/health", "business_api", auth=False),
    Route("POST", "/v1/cases", "business_api"),
    Route("GET", "/v1/cases", "business_api"),
    Route("GET", "/v1/cases/{case_id}", "business_api"),
    Route("GET", "/v1/cases/{case_id}/events", "business_api"),
    Route("GET", "/v1/cases/{case_id}/assessment", "business_api"),
    Route("POST", "/v1/assessments", "business_api"),
    Route("POST", "/v1/cases/{case_id}/legal-events", "business_api"),
    Route("POST", "/v1/cases/{case_id}/contacts", "business_api"),
    Route("GET", "/v1/cases/{case_id}/verify", "business_api"),
    Route("POST", "/v1/cases/{case_id}/evidence", "business_api"),
    Route("GET", "/v1/cases/{case_id}/evidence", "business_api"),
    Route("POST", "/v1/cases/{case_id}/payments", "business_api"),
    Route("POST", "/v1/cases/{case_id}/dispute", "business_api"),
    Route("POST", "/v1/cases/{case_id}/withdraw", "business_api"),
    Route("POST", "/v1/cases/{case_id}/release", "business_api"),
    Route("POST", "/v1/webhook-endpoints", "business_api"),
    Route("GET", "/v1/webhook-endpoints", "business_api"),
    Route("DELETE", "/v1/webhook-endpoints/{endpoint_id}", "business_api"),
    Route("GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries", "business_api"),
    Route("POST", "/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay", "business_api"),
    Route("GET", "/v1/review-queue", "operator_api"),
    Route("POST", "/v1/review-queue/{case_id}/assign", "operator_api"),
    Route("GET", "/v1/reports/recovery", "reports_api"),
    Route("GET", "/v1/assignments", "partner_api"),
    Route("GET", "/v1/assignments/{case_id}", "partner_api"),
    Route("GET", "/v1/assignments/{case_id}/packet", "partner_api"),
    Route("GET", "/v1/assignments/{case_id}/documents/{document_id}", "partner_api"),
    Route("POST", "/v1/assignments/{case_id}/accept", "partner_api"),
    Route("POST", "/v1/assignments/{case_id}/decline", "partner_api"),
    Route("POST", "/v1/cases/{case_id}/documents", "documents_api"),
    Route("GET", "/v1/cases/{case_id}/documents", "documents_api"),
    Route("GET", "/v1/cases/{case_id}/documents/{document_id}", "documents_api"),
    Route("POST", "/v1/cases/{case_id}/packet", "documents_api"),
    Route("GET", "/v1/cases/{case_id}/packet", "business_api"),
    Route("POST", "/v1/tenants", "operator_api"),
    Route("GET", "/v1/tenants/{tenant_id}", "operator_api"),
    Route("POST", "/v1/api-keys", "operator_api"),
    Route("DELETE", "/v1/api-keys/{key_id}", "operator_api"),
    Route("POST", "/v1/partners", "operator_api"),
    Route("GET", "/v1/partners", "operator_api"),
    Route("GET", "/v1/partners/{partner_id}", "operator_api"),
    Route("PUT", "/v1/partners/{partner_id}", "operator_api"),
    Route("GET", "/v1/routing-rules", "operator_api"),
    Route("POST", "/v1/partners/{partner_id}/webhook-secrets", "operator_api"),
    Route("POST", "/v1/webhooks/partners/{partner_id}", "partner_webhooks", auth=False),  # signed
    Route("GET", "/v1/cases/{case_id}/ledger", "reports_api"),
    Route("GET", "/v1/assignments/{case_id}/ledger", "reports_api"),
    Route("PUT", "/v1/routing-rules", "operator_api"),
    Route("GET", "/v1/retention-policy", "business_api"),
    Route("GET", "/v1/cases/{case_id}/retention", "business_api"),
    Route("POST", "/v1/cases/{case_id}/legal-hold", "business_api"),
    Route("POST", "/v1/cases/{case_id}/legal-hold/lift", "business_api"),
    Route("POST", "/v1/cases/{case_id}/erasure", "business_api"),
    Route("GET", "/v1/tenants/{tenant_id}/retention-policy", "operator_api"),
    Route("PUT", "/v1/tenants/{tenant_id}/retention-policy", "operator_api"),
    Route("GET", "/v1/tenants/{tenant_id}/cases/{case_id}/retention", "operator_api"),
    Route("POST", "/v1/tenants/{tenant_id}/cases/{case_id}/legal-hold", "operator_api"),
    Route("POST", "/v1/tenants/{tenant_id}/cases/{case_id}/legal-hold/lift", "operator_api"),
    Route("GET", "/v1/reference-rates", "operator_api"),
    Route("GET", "/v1/reference-rates/{series}", "operator_api"),
    Route("PUT", "/v1/reference-rates/{series}/{effective_from}", "operator_api"),
    Route("POST", "/v1/cases/{case_id}/rate-confirmations", "business_api"),
)

API_FUNCTIONS = tuple(sorted({route.function for route in ROUTES}))


def entry_point(entry: Function) -> str:
    """The Lambda handler string, e.g. `handoff.handlers.workflow_steps.route`."""
    return f"{entry.handler}.{entry.entry}"


def function(name: str) -> Function:
    return next(f for f in FUNCTIONS if f.name == name)


def routes_of(function_name: str) -> list[Route]:
    return [route for route in ROUTES if route.function == function_name]
