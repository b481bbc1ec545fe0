"""What every rule-pack model shares: frozen, strict models, sources and how well they were checked."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel


class PackModel(LazyModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Verification(StrEnum):
    confirmed = "confirmed"
    secondary = "secondary"
    unverified = "unverified"


class Citation(PackModel):
    cite: Annotated[str, Field(min_length=1, description="Statute, instrument or source, as cited")]
    url: Annotated[str | None, Field(description="Where the source was read, when FACTS gives one")] = None
    retrieved: Annotated[date | None, Field(description="Day the source was read")] = None
