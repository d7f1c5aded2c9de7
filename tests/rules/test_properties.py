"""Properties of every decision, over generated requests (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import get_args

from hypothesis import given, settings
from hypothesis import strategies as st

from silkgate.domain import Decision, Mechanism, Purpose, TransferRequest
from silkgate.rules import Assessor

CODES = ["CN", "SG", "MY", "TH", "VN", "ID", "PH", "BN", "KH", "LA", "MM", "EU", "US-CA", "US",
         "DE", "NO", "JP", "GB", "BR", "KR", "AU", "HK", "IN"]  # fmt: skip
RANK = {"allowed": 0, "conditional": 1, "prohibited": 2}
DAYS = st.dates(dt.date(2021, 6, 1), dt.date(2027, 12, 31))
ASSESSOR = Assessor()


def build(
    *,
    exporter: str,
    importer: str,
    subjects: int,
    sensitive: int,
    personal: bool = True,
    important: bool = False,
    ciio: bool = False,
    public_sector: bool = False,
    purpose: str = "business",
    mode: str = "transfer",
    mechanisms: frozenset[str] = frozenset(),
    categories: frozenset[str] = frozenset(),
    certifications: frozenset[str] = frozenset(),
    related_entity: bool = False,
    same_controller: bool = False,
) -> TransferRequest:
    return TransferRequest.model_validate(
        {
            "exporter": {"jurisdiction": exporter, "ciio": ciio, "public_sector": public_sector},
            "importer": {
                "jurisdiction": importer,
                "certifications": sorted(certifications),
                "related_entity": related_entity,
                "same_controller": same_controller,
            },
            "data": {
                "personal": personal,
                "subjects": subjects,
                "sensitive_subjects": sensitive,
                "important_data": important,
                "categories": sorted(categories),
            },
            "purpose": purpose,
            "mode": mode,
            "mechanisms": sorted(mechanisms),
        }
    )


MECHANISM_SETS = st.frozensets(st.sampled_from(get_args(Mechanism)), max_size=3)
PURPOSES = st.sampled_from(get_args(Purpose))


@st.composite
def requests(draw: st.DrawFn) -> TransferRequest:
    subjects = draw(st.integers(0, 3_000_000))
    return build(
        exporter=draw(st.sampled_from(CODES)),
        importer=draw(st.sampled_from(CODES)),
        subjects=subjects,
        sensitive=draw(st.integers(0, subjects)),
        personal=draw(st.booleans()),
        important=draw(st.booleans()),
        ciio=draw(st.booleans()),
        public_sector=draw(st.booleans()),
        purpose=draw(PURPOSES),
        mode=draw(st.sampled_from(["transfer", "remote_access", "transit"])),
        mechanisms=draw(MECHANISM_SETS),
        categories=draw(st.frozensets(st.sampled_from(["contact", "health", "public"]))),
        certifications=draw(st.frozensets(st.sampled_from(["GLOBAL_CBPR", "DPF"]))),
        related_entity=draw(st.booleans()),
        same_controller=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(
    low=st.integers(0, 3_000_000),
    extra=st.integers(0, 3_000_000),
    sensitive=st.integers(0, 20_000),
    ciio=st.booleans(),
    purpose=PURPOSES,
    mechanisms=MECHANISM_SETS,
    importer=st.sampled_from(["SG", "EU", "US", "VN"]),
    day=DAYS,
)
def test_cn_verdict_is_monotone_in_subjects(
    low: int,
    extra: int,
    sensitive: int,
    ciio: bool,
    purpose: str,
    mechanisms: frozenset[str],
    importer: str,
    day: dt.date,
) -> None:
    sensitive = min(sensitive, low)
    common = {"exporter": "CN", "importer": importer, "sensitive": sensitive, "ciio": ciio,
              "purpose": purpose, "mechanisms": mechanisms}  # fmt: skip

    fewer = ASSESSOR.assess(build(subjects=low, **common), as_of=day)  # type: ignore[arg-type]
    more = ASSESSOR.assess(build(subjects=low + extra, **common), as_of=day)  # type: ignore[arg-type]

    assert RANK[fewer.verdict] <= RANK[more.verdict]


@settings(max_examples=300, deadline=None)
@given(
    subjects=st.integers(0, 3_000_000),
    low=st.integers(0, 3_000_000),
    extra=st.integers(0, 3_000_000),
    mechanisms=MECHANISM_SETS,
    day=DAYS,
)
def test_cn_verdict_is_monotone_in_sensitive_subjects(
    subjects: int, low: int, extra: int, mechanisms: frozenset[str], day: dt.date
) -> None:
    low, high = min(low, subjects), min(low + extra, subjects)
    common = {"exporter": "CN", "importer": "SG", "subjects": subjects, "mechanisms": mechanisms}

    fewer = ASSESSOR.assess(build(sensitive=low, **common), as_of=day)  # type: ignore[arg-type]
    more = ASSESSOR.assess(build(sensitive=high, **common), as_of=day)  # type: ignore[arg-type]

    assert RANK[fewer.verdict] <= RANK[more.verdict]


@settings(max_examples=400, deadline=None)
@given(request=requests(), day=DAYS)
def test_decision_is_consistent(request: TransferRequest, day: dt.date) -> None:
    decision = ASSESSOR.assess(request, as_of=day)

    if decision.verdict == "conditional":
        assert decision.required_any_of
    else:
        assert decision.required_any_of == ()
    assert not set(decision.required_any_of) & request.mechanisms
    if decision.alternatives:
        assert decision.verdict != "allowed"
    if not decision.is_transfer:
        assert (decision.verdict, decision.obligations) == ("allowed", ())
    assert {step.citation for step in decision.trace} <= set(decision.citations)
    assert {o.citation for o in decision.obligations} <= set(decision.citations)
    assert Decision.model_validate(decision.model_dump(mode="json")) == decision


@settings(max_examples=300, deadline=None)
@given(request=requests(), added=st.sampled_from(get_args(Mechanism)), day=DAYS)
def test_adding_a_mechanism_never_worsens_the_verdict(
    request: TransferRequest, added: str, day: dt.date
) -> None:
    more = request.model_copy(update={"mechanisms": request.mechanisms | {added}})

    before = ASSESSOR.assess(request, as_of=day)
    after = ASSESSOR.assess(more, as_of=day)

    assert RANK[after.verdict] <= RANK[before.verdict]


@settings(max_examples=200, deadline=None)
@given(request=requests(), day=DAYS)
def test_putting_a_required_mechanism_in_place_meets_that_requirement(
    request: TransferRequest, day: dt.date
) -> None:
    before = ASSESSOR.assess(request, as_of=day)
    if before.verdict != "conditional":
        return
    chosen = before.required_any_of[0]
    after = ASSESSOR.assess(
        request.model_copy(update={"mechanisms": request.mechanisms | {chosen}}), as_of=day
    )

    assert after.verdict == "allowed" or chosen not in after.required_any_of
