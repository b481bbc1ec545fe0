"""Issuing and checking keys, and the optimistic-locking retry, with in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from handoff.domain.api_keys import ApiKey
from handoff.domain.case import Case, PrincipalKind
from handoff.domain.errors import InvalidRequestError, NotFoundError
from handoff.domain.models import CaseIntake
from handoff.domain.tenants import Tenant
from handoff.services.access import issue_key, revoke_key
from handoff.services.authentication import AuthenticationError, authenticate
from handoff.services.cases import update_case
from handoff.services.ports import ConcurrentUpdateError

NOW = datetime(2026, 11, 23, tzinfo=UTC)


class FakeKeys:
    def __init__(self) -> None:
        self.by_hash: dict[str, ApiKey] = {}

    def add(self, key: ApiKey) -> None:
        self.by_hash[key.secret_sha256] = key

    def get(self, key_id: str) -> ApiKey:
        for key in self.by_hash.values():
            if key.key_id == key_id:
                return key
        raise NotFoundError(key_id)

    def find_by_secret_hash(self, secret_sha256: str) -> ApiKey | None:
        return self.by_hash.get(secret_sha256)

    def revoke(self, key_id: str, at: str) -> ApiKey:
        key = self.get(key_id)
        revoked = ApiKey(**{**key.__dict__, "revoked_at": datetime.fromisoformat(at)})
        self.by_hash[key.secret_sha256] = revoked
        return revoked


class FakeTenants:
    def __init__(self, *tenant_ids: str) -> None:
        self.ids = set(tenant_ids)

    def add(self, tenant: Tenant) -> None:
        self.ids.add(tenant.tenant_id)

    def get(self, tenant_id: str) -> Tenant:
        if tenant_id not in self.ids:
            raise NotFoundError(tenant_id)
        return Tenant(tenant_id, None, NOW)  # type: ignore[arg-type]


class NoPartners:
    def exists(self, partner_id: str) -> bool:
        return False


def test_issued_key_authenticates_as_its_tenant_until_revoked() -> None:
    keys = FakeKeys()
    issued = issue_key(
        keys, FakeTenants("ten_a"), NoPartners(), PrincipalKind.business, "ten_a", None, None, NOW
    )

    caller = authenticate(keys, f"Bearer {issued.secret}")

    assert caller.kind == PrincipalKind.business and caller.tenant_id == "ten_a"
    assert issued.secret not in str(keys.by_hash)
    revoke_key(keys, issued.key.key_id, NOW)
    with pytest.raises(AuthenticationError):
        authenticate(keys, f"Bearer {issued.secret}")


@pytest.mark.parametrize(
    "header", [None, "", "Basic abc", "Bearer short", "Bearer hk_unknown_but_long_enough"]
)
def test_bad_headers_are_refused(header: str | None) -> None:
    with pytest.raises(AuthenticationError):
        authenticate(FakeKeys(), header)


def test_business_key_for_unknown_tenant_is_refused() -> None:
    with pytest.raises(InvalidRequestError):
        issue_key(FakeKeys(), FakeTenants(), NoPartners(), PrincipalKind.business, "ten_x", None, None, NOW)


class FlakyCases:
    """Raises a concurrent-update conflict on the first `conflicts` saves."""

    def __init__(self, case: Case, conflicts: int) -> None:
        self.case, self.conflicts, self.saves = case, conflicts, 0

    def get(self, tenant_id: str, case_id: str) -> Case:
        return Case(**{**self.case.__dict__, "pending_events": []})

    def save(self, case: Case) -> None:
        self.saves += 1
        if self.saves <= self.conflicts:
            raise ConcurrentUpdateError(case.case_id)
        self.case = case

    def list_page(self, *args: Any) -> Any:
        raise AssertionError

    def events(self, *args: Any) -> Any:
        raise AssertionError


def test_update_is_retried_on_a_concurrent_write(case_payload: dict[str, Any]) -> None:
    case = Case.submit("case_1", "ten_a", CaseIntake.model_validate(case_payload), "test", NOW)
    case.pending_events = []
    repo = FlakyCases(case, conflicts=2)

    updated = update_case(
        repo, "ten_a", "case_1", lambda c: c.record("note", "test", NOW), sleep=lambda s: None
    )

    assert repo.saves == 3
    assert updated.version == 2


def test_update_gives_up_when_the_case_keeps_changing(case_payload: dict[str, Any]) -> None:
    case = Case.submit("case_1", "ten_a", CaseIntake.model_validate(case_payload), "test", NOW)
    repo = FlakyCases(case, conflicts=100)

    with pytest.raises(ConcurrentUpdateError):
        update_case(repo, "ten_a", "case_1", lambda c: c.record("note", "test", NOW), sleep=lambda s: None)
