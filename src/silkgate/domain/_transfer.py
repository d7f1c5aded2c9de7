"""TransferRequest and Decision, shaped exactly as docs/contracts.md fixes them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from silkgate.domain._base import DomainModel
from silkgate.domain._categories import DataCategory
from silkgate.domain._jurisdiction import jurisdiction

Purpose = Literal[
    "business", "contract_with_subject", "hr_management", "emergency", "research", "payment",
    "logistics", "public_interest", "legal_claims",
]  # fmt: skip
Mode = Literal["transfer", "remote_access", "transit"]
Mechanism = Literal[
    "consent", "separate_consent", "standard_contract", "certification", "security_assessment",
    "scc", "bcr", "binding_contract", "adequacy_decision", "tia", "dossier_filed",
    "contractual_necessity",
]  # fmt: skip
Verdict = Literal["allowed", "conditional", "prohibited"]
Alternative = Literal["compute_only"]
ExporterRole = Literal["controller", "processor"]


class Exporter(DomainModel):
    jurisdiction: str
    ciio: bool = Field(False, description="critical information infrastructure operator")
    public_sector: bool = False
    role: ExporterRole = "controller"

    @field_validator("jurisdiction")
    @classmethod
    def _known(cls, code: str) -> str:
        return jurisdiction(code, field="exporter.jurisdiction").code


class Importer(DomainModel):
    jurisdiction: str
    certifications: frozenset[str] = frozenset()
    related_entity: bool = False
    same_controller: bool = False

    @field_validator("jurisdiction")
    @classmethod
    def _known(cls, code: str) -> str:
        return jurisdiction(code, field="importer.jurisdiction").code


class DataDescription(DomainModel):
    personal: bool
    subjects: int = Field(0, ge=0, description="distinct individuals sent abroad since 1 January")
    sensitive_subjects: int = Field(0, ge=0)
    important_data: bool = False
    core_data: bool = False
    collected_abroad: bool = False
    categories: frozenset[DataCategory] = frozenset()

    @model_validator(mode="after")
    def _consistent(self) -> DataDescription:
        if self.sensitive_subjects > self.subjects:
            raise ValueError("sensitive_subjects cannot exceed subjects")
        return self


class TransferRequest(DomainModel):
    """One proposed cross-border flow, as `silkgate assess` reads it."""

    exporter: Exporter
    importer: Importer
    data: DataDescription
    purpose: Purpose = "business"
    mode: Mode = "transfer"
    mechanisms: frozenset[Mechanism] = frozenset()
    date: dt.date | None = None


class Obligation(DomainModel):
    """Something that must be done for a flow to stay lawful, by whom and by when."""

    id: str = Field(min_length=1, examples=["cn.scc.filing"])
    what: str
    authority: str | None = None
    deadline_days: int | None = Field(None, ge=0)
    citation: str


class TraceStep(DomainModel):
    """One clause the assessor considered and what it did to the verdict."""

    clause: str
    effect: str
    citation: str


class Decision(DomainModel):
    """The assessor's answer for one TransferRequest."""

    is_transfer: bool
    verdict: Verdict
    required_any_of: tuple[Mechanism, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    citations: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    trace: tuple[TraceStep, ...] = ()

    @model_validator(mode="after")
    def _allowed_needs_nothing(self) -> Decision:
        if self.verdict == "allowed" and self.required_any_of:
            raise ValueError("an allowed decision requires no further mechanism")
        return self
