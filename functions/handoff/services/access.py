"""Use cases of the operator: tenants and API keys (authenticating a key: `services.authentication`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handoff.domain.api_keys import ApiKey, hash_secret, new_secret
from handoff.domain.case import PrincipalKind
from handoff.domain.errors import FieldProblem, InvalidRequestError, NotFoundError
from handoff.domain.ids import new_id
from handoff.domain.tenants import Tenant, TenantProfile
from handoff.services.ports import KeyRepository, PartnerDirectory, TenantRepository


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once, never stored


def create_tenant(tenants: TenantRepository, profile: TenantProfile, now: datetime) -> Tenant:
    tenant = Tenant(new_id("ten"), profile, now)
    tenants.add(tenant)
    return tenant


def issue_key(
    keys: KeyRepository,
    tenants: TenantRepository,
    partners: PartnerDirectory,
    kind: PrincipalKind,
    tenant_id: str | None,
    partner_id: str | None,
    label: str | None,
    now: datetime,
) -> IssuedKey:
    """Issue a key for a business (tenant_id), a partner (partner_id) or an operator (neither)."""
    problems = _owner_problems(kind, tenant_id, partner_id)
    if problems:
        raise InvalidRequestError(problems)
    if tenant_id:
        try:
            tenants.get(tenant_id)
        except NotFoundError as exc:
            raise InvalidRequestError([FieldProblem(("tenant_id",), "no such tenant")]) from exc
    if partner_id and not partners.exists(partner_id):
        raise InvalidRequestError([FieldProblem(("partner_id",), "no such partner")])
    key_id = new_id("key")
    secret = new_secret()
    key = ApiKey(key_id, kind, hash_secret(secret), now, tenant_id, partner_id, label=label)
    keys.add(key)
    return IssuedKey(key, secret)


def _owner_problems(kind: PrincipalKind, tenant_id: str | None, partner_id: str | None) -> list[FieldProblem]:
    if kind == PrincipalKind.business:
        wanted, unwanted = ("tenant_id", tenant_id), ("partner_id", partner_id)
    elif kind in (PrincipalKind.agency, PrincipalKind.attorney):
        wanted, unwanted = ("partner_id", partner_id), ("tenant_id", tenant_id)
    else:
        problems = []
        for name, value in (("tenant_id", tenant_id), ("partner_id", partner_id)):
            if value:
                problems.append(FieldProblem((name,), "operator keys belong to no tenant or partner"))
        return problems
    problems = []
    if not wanted[1]:
        problems.append(FieldProblem((wanted[0],), f"a {kind} key needs {wanted[0]}"))
    if unwanted[1]:
        problems.append(FieldProblem((unwanted[0],), f"a {kind} key takes no {unwanted[0]}"))
    return problems


def revoke_key(keys: KeyRepository, key_id: str, now: datetime) -> ApiKey:
    return keys.revoke(key_id, now.isoformat())


def seed_key(keys: KeyRepository, kind: PrincipalKind, secret: str, label: str, now: datetime) -> ApiKey:
    """Store a key whose secret the platform engineer chose (the local operator key)."""
    existing = keys.find_by_secret_hash(hash_secret(secret))
    if existing is not None:
        return existing
    key = ApiKey(new_id("key"), kind, hash_secret(secret), now, label=label)
    keys.add(key)
    return key
