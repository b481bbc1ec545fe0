"""The composition root for handlers: services get their adapters here, built once per container."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial, wraps
from typing import Any, ParamSpec, TypeVar

from handoff.adapters.aws import s3, s3_storage
from handoff.adapters.dynamodb import (
    case_repository,
    document_repository,
    evidence_repository,
    tenant_repository,
)
from handoff.config import (
    packet_settings,
    reference_rate_settings,
    retention_job_settings,
    retention_settings,
    workflow_settings,
)
from handoff.domain.clock import utcnow
from handoff.domain.jurisdictions.pack import RulePack
from handoff.domain.reference_rates import rates_in_force
from handoff.services.documents import DocumentStore
from handoff.services.packets import PacketDeps
from handoff.services.reference_rates import MaintainedRates
from handoff.services.retention import Buckets, ErasureDeps, HoldDeps, retention_policy
from handoff.services.workflow import WorkflowDeps

P = ParamSpec("P")
R = TypeVar("R")


def _render(kind: Any, context: Any) -> Any:
    from handoff.adapters import docx_renderer  # docxtpl stays out of functions that never render

    return docx_renderer.render(kind, context)


def _build_context(kind: Any, **inputs: Any) -> Any:
    from handoff.domain import document_contexts

    return document_contexts.build_context(kind, **inputs)


def _write_packet(bucket: str, key: str, members: Any, metadata: dict[str, Any]) -> Any:
    from handoff.adapters.packet_zip import assemble_packet

    return assemble_packet(s3(), bucket, key, members, metadata)


def _s3_member(path: str, bucket: str, key: str, source: str) -> Any:
    from handoff.adapters.packet_zip import S3Member

    return S3Member(path, bucket, key, source)


def _bytes_member(path: str, content: bytes, source: str) -> Any:
    from handoff.adapters.packet_zip import BytesMember

    return BytesMember(path, content, source)


@cache
def document_store() -> DocumentStore:
    settings = packet_settings()
    return DocumentStore(
        cases=case_repository(),
        tenants=tenant_repository(),
        documents=document_repository(),
        storage=s3_storage(),
        bucket=settings.documents_bucket,
        render=_render,
        build_context=_build_context,
    )


@cache
def packet_deps() -> PacketDeps:
    settings = packet_settings()
    storage = s3_storage()
    return PacketDeps(
        documents=document_store(),
        evidence=evidence_repository(),
        write=_write_packet,
        s3_member=_s3_member,
        bytes_member=_bytes_member,
        evidence_bucket=settings.evidence_bucket,
        packets_bucket=settings.packets_bucket,
        read_chunks=partial(storage.chunks),
        download_url=storage.download_url,
        discard=storage.delete,
        locks=storage,
        retention_days=_retention_days,
    )


def _retention_days(tenant_id: str) -> int:
    """The tenant's days after a case ends (its policy, else the default): read when a packet is locked."""
    default = retention_settings().default_retention_days
    return retention_policy(tenant_repository(), tenant_id, default).days_after_close


@cache
def hold_deps() -> HoldDeps:
    return HoldDeps(case_repository(), s3_storage(), packet_settings().packets_bucket)


@cache
def erasure_deps() -> ErasureDeps:
    from handoff.adapters.retention import retention_store

    settings = retention_job_settings()
    return ErasureDeps(
        cases=case_repository(),
        tenants=tenant_repository(),
        evidence=evidence_repository(),
        documents=document_repository(),
        store=retention_store(),
        objects=s3_storage(),
        buckets=Buckets(settings.evidence_bucket, settings.documents_bucket, settings.packets_bucket),
        default_days=settings.default_retention_days,
    )


def reset_wiring() -> None:
    document_store.cache_clear()
    packet_deps.cache_clear()
    workflow_deps.cache_clear()
    hold_deps.cache_clear()
    erasure_deps.cache_clear()
    maintained_rates.cache_clear()


@cache
def maintained_rates() -> MaintainedRates:
    """The seed with every recorded fixing: what each claim in this function reads."""
    from handoff.adapters.reference_rate_store import reference_rate_store

    ttl = reference_rate_settings().reference_rates_cache_seconds
    return MaintainedRates(reference_rate_store(), ttl)


def maintained_pack() -> RulePack:
    return maintained_rates().pack()


def with_maintained_rates(handler: Callable[P, R]) -> Callable[P, R]:
    """Run a Lambda entry point with the recorded fixings in force for every claim it computes."""

    @wraps(handler)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with rates_in_force(maintained_pack):
            return handler(*args, **kwargs)

    return run


def _engine() -> Any:
    from handoff.adapters.aws import stepfunctions
    from handoff.adapters.workflow_engine import StepFunctionsEngine

    return StepFunctionsEngine(stepfunctions(), workflow_settings().state_machine_arn)


def _routing(case: Any, excluded: list[str]) -> Any:
    from handoff.adapters.partner_store import partner_repository
    from handoff.adapters.routing_store import routing_rules_repository
    from handoff.services.decisions import routing_of

    rules, _version = routing_rules_repository().get()
    creditor = tenant_repository().get(case.tenant_id).profile
    return routing_of(case, creditor, rules, partner_repository().list_all(), excluded, utcnow().date())


def route_for_quote(as_of: Any) -> Any:
    """Routing of an unsaved case, as it would be decided on `as_of`."""
    from handoff.adapters.partner_store import partner_repository
    from handoff.adapters.routing_store import routing_rules_repository
    from handoff.services.decisions import routing_of

    def route(case: Any, excluded: Any) -> Any:
        rules, _version = routing_rules_repository().get()
        creditor = tenant_repository().get(case.tenant_id).profile
        return routing_of(case, creditor, rules, partner_repository().list_all(), excluded, as_of)

    return route


def partner_of(partner_id: str) -> Any:
    from handoff.adapters.partner_store import partner_repository

    return partner_repository().get(partner_id)


def _eligibility(case: Any, evidence: list[Any]) -> Any:
    from handoff.services.decisions import eligibility_of

    return eligibility_of(case, evidence, utcnow().date())


@cache
def workflow_deps() -> WorkflowDeps:
    from handoff.adapters.partner_store import partner_repository

    settings = workflow_settings()
    return WorkflowDeps(
        packets=packet_deps(),
        engine=_engine(),
        partners=partner_repository(),
        routing=_routing,
        eligibility=_eligibility,
        seconds_per_day=settings.handoff_seconds_per_day,
        acceptance_days=settings.acceptance_days,
        max_partner_tries=settings.max_partner_tries,
    )
