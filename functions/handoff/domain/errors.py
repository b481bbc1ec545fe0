"""Typed domain errors. One place (handlers.http) maps them to HTTP problems."""

from __future__ import annotations

from dataclasses import dataclass


class HandoffError(Exception):
    """Base class of every error the domain and services raise on purpose."""


@dataclass(frozen=True)
class FieldProblem:
    """One failing field: a path into the request body and what is wrong with it."""

    loc: tuple[str | int, ...]
    message: str


class InvalidRequestError(HandoffError):
    """The request is well-formed JSON but breaks a rule of the domain."""

    def __init__(self, problems: list[FieldProblem]):
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.message}" for p in problems))
        self.problems = problems


class NotFoundError(HandoffError):
    """The resource does not exist, or belongs to someone else (indistinguishable by design)."""


class ConflictError(HandoffError):
    """The request conflicts with the current state of the resource."""


class StaleRateError(ConflictError):
    """A letter would state interest at a reference rate that is neither recorded nor confirmed.

    `stale` lists each period: `{series, period_from, period_to, assumed_percent}`.
    """

    def __init__(self, detail: str, stale: list[dict[str, str]]):
        super().__init__(detail)
        self.stale = stale


class TransitionError(ConflictError):
    """A lifecycle transition that the transition table does not allow."""


class IdempotencyConflictError(ConflictError):
    """An Idempotency-Key reused with a different request body."""


class ErasureRefusedError(ConflictError):
    """Personal data may not be erased now; `reason`: `case_open`, `legal_hold` or `upload_pending`."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


class ForbiddenError(HandoffError):
    """The caller is authenticated but its kind of key may not do this."""


class UnauthenticatedError(HandoffError):
    """The request proves no identity (e.g. a webhook without a valid signature): 401."""
