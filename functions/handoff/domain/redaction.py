"""Which recorded values are personal data, and the redaction marker that replaces them.

A personal value is committed to by a salted SHA-256 (`marker`): `redacted:sha256:<hex>`. The
timeline's hash chain is computed over `sealed` event data — each personal field already in its
marker form — so replacing the values by their markers at erasure changes no event's hash: the
chain still verifies, and any other change to an erased event (a marker included) still breaks it.

The salt is a per-case secret kept on the case item and destroyed at erasure. Until then the
markers can be recomputed from the values; afterwards nobody can test a guess ("was the note
'Jane Roe called'?") against a marker, so what is left is no longer personal data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from handoff.domain.models import CaseIntake, Contact, EntityType

MARKER_PREFIX = "redacted:sha256:"
MARKER_LENGTH = len(MARKER_PREFIX) + 64
REPLACED = "erased"  # the stem of an erased file name: `erased.pdf`

# Free text a person typed (reasons, notes, bank references) and identifiers of a debtor in court,
# by event type. Everything else in an event is a fact of the case: ids, amounts, dates, codes.
PERSONAL_EVENT_FIELDS: dict[str, frozenset[str]] = {
    "case.status_changed": frozenset({"dispute", "note", "cause"}),
    "assignment.declined": frozenset({"reason"}),
    "assignment.declining": frozenset({"reason"}),
    "legal_hold.placed": frozenset({"reason"}),
    "legal_hold.lifted": frozenset({"reason"}),
    "rate.confirmed": frozenset({"note"}),  # the business's note on a reference rate it accepted
}
# Every event of a family: `ledger.<partner event>`, `payment.<source>`, `legal.<kind>`.
PERSONAL_FIELDS_BY_FAMILY: dict[str, frozenset[str]] = {
    "ledger.": frozenset({"note", "reference", "docket"}),
    "payment.": frozenset({"reference"}),
    "legal.": frozenset({"note", "reference"}),
}

# Debtors whose name and address identify a person (a sole trader's or a partnership's is the
# people's own); a company's name and registered address are not personal data.
PERSONAL_ENTITY_TYPES = frozenset({EntityType.individual, EntityType.sole_trader, EntityType.partnership})


def is_marker(value: Any) -> bool:
    return isinstance(value, str) and len(value) == MARKER_LENGTH and value.startswith(MARKER_PREFIX)


def marker(salt: str | None, value: Any) -> str:
    """The redaction marker of `value`: a SHA-256 over the case's salt and the value's JSON form."""
    if is_marker(value):
        return str(value)
    encoded = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return MARKER_PREFIX + hashlib.sha256(f"{salt or ''}\n{encoded}".encode()).hexdigest()


def personal_fields(event_type: str) -> frozenset[str]:
    for family, fields in PERSONAL_FIELDS_BY_FAMILY.items():
        if event_type.startswith(family):
            return fields
    return PERSONAL_EVENT_FIELDS.get(event_type, frozenset())


def sealed(event_type: str, data: dict[str, Any], salt: str | None) -> dict[str, Any]:
    """`data` with every personal value replaced by its marker: what the hash chain commits to,
    and exactly what an erased event keeps."""
    fields = personal_fields(event_type)
    if not fields:
        return data
    return {k: marker(salt, v) if k in fields and v is not None else v for k, v in data.items()}


def holds_personal_data(event_type: str, data: dict[str, Any]) -> bool:
    fields = personal_fields(event_type)
    return any(data.get(k) is not None and not is_marker(data[k]) for k in fields)


def erased_filename(filename: str) -> str:
    """`Jane Roe contract.pdf` → `erased.pdf`: the kind of file stays known, the name does not."""
    return REPLACED + PurePosixPath(filename).suffix.lower()


@dataclass(frozen=True)
class RedactedIntake:
    intake: CaseIntake
    removed: dict[str, str]  # path → marker of each value dropped because its field cannot hold one
    replaced: int  # values replaced in place by their marker


def redact_intake(intake: CaseIntake, salt: str | None) -> RedactedIntake:
    """The intake without the debtor's personal data; amounts, dates, codes and references stay.

    Contacts (people) go; a personal debtor's name, street, city, postal code and registration
    number go; contact-log notes and invoice descriptions (free text) go. What the field can hold
    is replaced by its marker; what it cannot (an e-mail, a postal code) is removed and its marker
    is returned in `removed`.
    """
    removed: dict[str, str] = {}
    replaced = 0

    def mark(value: str) -> str:
        nonlocal replaced
        if is_marker(value):
            return value
        replaced += 1
        return marker(salt, value)

    debtor = intake.debtor
    for index, contact in enumerate(debtor.contacts):
        removed[f"debtor.contacts.{index}"] = marker(salt, _contact(contact))
    debtor_update: dict[str, Any] = {"contacts": []}
    if debtor.entity_type in PERSONAL_ENTITY_TYPES:
        address = debtor.address
        if address.postal_code is not None:
            removed["debtor.address.postal_code"] = marker(salt, address.postal_code)
        if debtor.registration_number is not None:
            removed["debtor.registration_number"] = marker(salt, debtor.registration_number)
        debtor_update |= {
            "legal_name": mark(debtor.legal_name),
            "registration_number": None,
            "address": address.model_copy(
                update={
                    "lines": [mark(line) for line in address.lines],
                    "city": mark(address.city),
                    "postal_code": None,
                }
            ),
        }
    contact_log = [
        attempt.model_copy(update={"note": mark(attempt.note)}) if attempt.note else attempt
        for attempt in intake.contact_log
    ]
    invoices = [
        invoice.model_copy(update={"description": mark(invoice.description)})
        if invoice.description
        else invoice
        for invoice in intake.invoices
    ]
    redacted = intake.model_copy(
        update={
            "debtor": debtor.model_copy(update=debtor_update),
            "contact_log": contact_log,
            "invoices": invoices,
        }
    )
    return RedactedIntake(redacted, removed, replaced)


def _contact(contact: Contact) -> dict[str, Any]:
    return contact.model_dump(mode="json")
