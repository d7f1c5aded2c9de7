"""Scenario table: one proposed flow per row, across every jurisdiction with a rulebook.

Each row gives the request (keyword overrides of `make_request`, dated 2025-06-01 unless
said), then the expected verdict, the mechanisms of which any one is required, and a
clause that must appear in the trace (the reason).
"""

from __future__ import annotations

from typing import Any

import pytest

from silkgate.rules import Assessor

NOT_TRANSFER = "not_transfer"


def case(
    id: str,
    verdict: str,
    required: tuple[str, ...] = (),
    clause: str | None = None,
    **request: Any,
) -> Any:
    return pytest.param(request, verdict, required, clause, id=id)


SCENARIOS = [
    # --- China (date 2025-06-01: Provisions of 2024 in force) -----------------------------
    case("cn-150k-nonsensitive-needs-standard-contract", "conditional",
         ("standard_contract", "certification"), "cn.2024.art8.contract", subjects=150_000),
    case("cn-150k-with-standard-contract-allowed-and-filing-due", "allowed", (),
         "cn.2024.art8.contract", subjects=150_000, mechanisms=("standard_contract",)),
    case("cn-99999-nonsensitive-exempt", "allowed", (), "cn.2024.art5.small", subjects=99_999),
    case("cn-100000-nonsensitive-needs-standard-contract", "conditional",
         ("standard_contract", "certification"), "cn.2024.art8.contract", subjects=100_000),
    case("cn-999999-nonsensitive-still-standard-contract", "conditional",
         ("standard_contract", "certification"), "cn.2024.art8.contract", subjects=999_999),
    case("cn-1m-nonsensitive-needs-security-assessment", "conditional",
         ("security_assessment",), "cn.2024.art7.assessment", subjects=1_000_000),
    case("cn-1m-standard-contract-not-enough", "conditional", ("security_assessment",),
         "cn.2024.art7.assessment", subjects=1_500_000, mechanisms=("standard_contract",)),
    case("cn-1m-with-security-assessment-allowed", "allowed", (), "cn.2024.art7.assessment",
         subjects=1_500_000, mechanisms=("security_assessment",)),
    case("cn-one-sensitive-subject-needs-standard-contract", "conditional",
         ("standard_contract", "certification"), "cn.2024.art8.contract",
         subjects=50, sensitive=1, categories=("health",)),
    case("cn-9999-sensitive-needs-standard-contract", "conditional",
         ("standard_contract", "certification"), "cn.2024.art8.contract",
         subjects=9_999, sensitive=9_999, categories=("health",)),
    case("cn-10000-sensitive-needs-security-assessment", "conditional",
         ("security_assessment",), "cn.2024.art7.assessment",
         subjects=10_000, sensitive=10_000, categories=("biometric",)),
    case("cn-ciio-any-personal-information-needs-assessment", "conditional",
         ("security_assessment",), "cn.2024.art7.assessment", subjects=10, ciio=True),
    case("cn-important-data-needs-assessment", "conditional", ("security_assessment",),
         "cn.2024.art7.important-data", personal=False, subjects=0, important=True,
         categories=("important_data",)),
    case("cn-important-data-not-waived-by-contract-exemption", "conditional",
         ("security_assessment",), "cn.2024.art7.important-data",
         important=True, purpose="contract_with_subject"),
    case("cn-core-data-prohibited", "prohibited", (), "cn.dsl.core-data",
         personal=False, subjects=0, core=True, categories=("core_data",)),
    case("cn-no-personal-no-important-exempt", "allowed", (), "cn.scope.non-personal",
         personal=False, subjects=0, categories=("business",)),
    case("cn-collected-abroad-reexport-exempt", "allowed", (), "cn.2024.art4.collected-abroad",
         subjects=2_000_000, collected_abroad=True),
    case("cn-contract-with-individual-exempt-at-2m", "allowed", (), "cn.2024.art5.contract",
         subjects=2_000_000, purpose="contract_with_subject"),
    case("cn-cross-border-payment-exempt", "allowed", (), "cn.2024.art5.contract",
         subjects=500_000, purpose="payment"),
    case("cn-hr-management-exempt", "allowed", (), "cn.2024.art5.hr",
         subjects=300_000, purpose="hr_management"),
    case("cn-emergency-exempt", "allowed", (), "cn.2024.art5.emergency",
         subjects=300_000, sensitive=300_000, categories=("health",), purpose="emergency"),
    case("cn-remote-access-counts-as-export", "conditional",
         ("standard_contract", "certification"), "cn.scope.remote-access",
         subjects=200_000, mode="remote_access"),
    case("cn-transit-not-a-transfer", NOT_TRANSFER, (), "cn.scope.transit", mode="transit"),
    case("cn-to-cn-not-cross-border", NOT_TRANSFER, (), "regional.same-jurisdiction",
         importer="CN"),
    case("cn-to-eu-research-offers-compute-only", "conditional",
         ("standard_contract", "certification"), "regional.compute-only",
         importer="EU", subjects=400_000, purpose="research"),
    # --- Singapore -----------------------------------------------------------------------------
    case("sg-no-safeguard-needs-binding-obligation", "conditional",
         ("binding_contract", "scc", "certification", "consent"), "sg.s26.transfer-limitation",
         exporter="SG", importer="VN"),
    case("sg-asean-mcc-contract-allowed", "allowed", (), "regional.asean-mcc",
         exporter="SG", importer="VN", mechanisms=("binding_contract",)),
    case("sg-global-cbpr-recipient-allowed", "allowed", (), "sg.reg12.certification",
         exporter="SG", importer="JP", certifications=("GLOBAL_CBPR",)),
    case("sg-consent-after-summary-deemed-compliant", "allowed", (), "sg.reg9.consent",
         exporter="SG", importer="CN", mechanisms=("consent",)),
    case("sg-contract-with-individual-deemed-compliant", "allowed", (), "sg.reg9.contract",
         exporter="SG", importer="AU", purpose="contract_with_subject"),
    case("sg-data-in-transit-deemed-compliant", "allowed", (), "sg.reg9.transit",
         exporter="SG", importer="MY", mode="transit"),
    case("sg-publicly-available-data-deemed-compliant", "allowed", (), "sg.reg9.public",
         exporter="SG", importer="US", categories=("public",)),
    case("sg-bcr-to-related-entity-allowed", "allowed", (), "sg.reg10.bcr",
         exporter="SG", importer="IN", mechanisms=("bcr",), related_entity=True),
    case("sg-bcr-to-unrelated-entity-not-enough", "conditional",
         ("binding_contract", "scc", "certification", "consent"), "sg.s26.transfer-limitation",
         exporter="SG", importer="IN", mechanisms=("bcr",)),
    case("sg-public-agency-outside-pdpa", "allowed", (), "sg.scope.public-agency",
         exporter="SG", importer="GB", public_sector=True),
    # --- Malaysia ------------------------------------------------------------------------------
    case("my-2025-needs-tia-or-safeguard", "conditional",
         ("tia", "binding_contract", "scc", "bcr", "certification", "consent"), "my.s129.2025",
         exporter="MY", importer="ID"),
    case("my-tia-establishes-equivalent-protection", "allowed", (), "my.s129.2025",
         exporter="MY", importer="ID", mechanisms=("tia",)),
    case("my-consent-exception", "allowed", (), "my.s129-3.consent",
         exporter="MY", importer="CN", mechanisms=("consent",)),
    case("my-legal-claims-exception", "allowed", (), "my.s129-3.legal-vital",
         exporter="MY", importer="US", purpose="legal_claims"),
    case("my-government-outside-pdpa", "allowed", (), "my.scope.government",
         exporter="MY", importer="SG", public_sector=True),
    # --- Thailand ------------------------------------------------------------------------------
    case("th-no-safeguard-needs-adequacy-or-safeguard", "conditional",
         ("tia", "scc", "binding_contract", "certification", "bcr", "consent"), "th.s28.2024",
         exporter="TH", importer="KH"),
    case("th-scc-appropriate-safeguard", "allowed", (), "th.s28.2024",
         exporter="TH", importer="KH", mechanisms=("scc",)),
    case("th-group-bcr-s29", "allowed", (), "th.s29.bcr",
         exporter="TH", importer="JP", mechanisms=("bcr",), related_entity=True),
    case("th-vital-interest-exception", "allowed", (), "th.s28.exceptions",
         exporter="TH", importer="MM", purpose="emergency"),
    # --- Vietnam -------------------------------------------------------------------------------
    case("vn-decree13-needs-impact-dossier", "conditional", ("tia", "dossier_filed"),
         "vn.d13.art25", exporter="VN", importer="SG"),
    case("vn-decree13-dossier-ready-allowed-file-within-60-days", "allowed", (), "vn.d13.art25",
         exporter="VN", importer="SG", mechanisms=("tia",)),
    case("vn-pdpl-2026-needs-impact-dossier", "conditional", ("tia", "dossier_filed"),
         "vn.pdpl.art20", exporter="VN", importer="KR", date="2026-03-01"),
    case("vn-pdpl-2026-employee-cloud-exempt", "allowed", (), "vn.pdpl.exemptions",
         exporter="VN", importer="KR", purpose="hr_management", date="2026-03-01"),
    case("vn-important-data-needs-approval", "conditional", ("security_assessment",),
         "vn.data-law.core-important", exporter="VN", importer="SG", important=True,
         mechanisms=("tia",), date="2025-08-01"),
    # --- Indonesia -----------------------------------------------------------------------------
    case("id-pdp-needs-equal-protection-safeguard-or-consent", "conditional",
         ("tia", "binding_contract", "scc", "bcr", "certification", "consent"), "id.pdp.art56",
         exporter="ID", importer="SG"),
    case("id-pdp-consent-last-tier-allowed", "allowed", (), "id.pdp.art56",
         exporter="ID", importer="SG", mechanisms=("consent",)),
    case("id-public-scope-operator-must-localise", "prohibited", (), "id.gr71.public-scope",
         exporter="ID", importer="SG", public_sector=True, mechanisms=("binding_contract",)),
    case("id-before-pdp-reports-to-ministry", "allowed", (), "id.moci20.coordination",
         exporter="ID", importer="SG", date="2024-01-15"),
    # --- Philippines ---------------------------------------------------------------------------
    case("ph-accountability-no-approval", "allowed", (), "ph.dpa.s21",
         exporter="PH", importer="US", subjects=5_000_000),
    case("ph-sensitive-still-no-approval", "allowed", (), "ph.dpa.s21",
         exporter="PH", importer="CN", sensitive=1000, categories=("health",)),
    # --- Brunei, Cambodia, Laos, Myanmar -------------------------------------------------------
    case("bn-before-pdpo-no-restriction", "allowed", (), "bn.none",
         exporter="BN", importer="SG", date="2025-06-01"),
    case("bn-pdpo-2026-needs-comparable-protection", "conditional",
         ("binding_contract", "bcr", "certification", "consent"), "bn.pdpo.transfer",
         exporter="BN", importer="SG", date="2026-06-01"),
    case("kh-no-transfer-restriction", "allowed", (), "kh.none", exporter="KH", importer="CN"),
    case("la-no-transfer-restriction", "allowed", (), "la.none", exporter="LA", importer="CN"),
    case("mm-no-transfer-restriction", "allowed", (), "mm.none", exporter="MM", importer="TH"),
    # --- European Union ------------------------------------------------------------------------
    case("eu-to-japan-adequacy", "allowed", (), "eu.art45.japan", exporter="EU", importer="JP"),
    case("eu-member-to-uk-adequacy", "allowed", (), "eu.art45.uk", exporter="FR", importer="GB"),
    case("eu-to-china-needs-scc-or-bcr", "conditional",
         ("scc", "bcr", "certification", "binding_contract"), "eu.art46.safeguards",
         exporter="EU", importer="CN"),
    case("eu-to-singapore-with-scc-allowed-tia-due", "allowed", (), "eu.art46.safeguards",
         exporter="DE", importer="SG", mechanisms=("scc",)),
    case("eu-to-us-dpf-certified-adequate", "allowed", (), "eu.art45.us-dpf",
         exporter="EU", importer="US", certifications=("DPF",)),
    case("eu-to-us-not-dpf-needs-scc", "conditional",
         ("scc", "bcr", "certification", "binding_contract"), "eu.art46.safeguards",
         exporter="EU", importer="US"),
    case("eu-within-eea-not-a-transfer", NOT_TRANSFER, (), "eu.scope.eea",
         exporter="DE", importer="NO"),
    case("eu-employee-remote-access-same-controller-not-a-transfer", NOT_TRANSFER, (),
         "eu.scope.same-controller", exporter="EU", importer="IN", mode="remote_access",
         same_controller=True),
    case("eu-processor-to-controller-abroad-is-a-transfer", "conditional",
         ("scc", "bcr", "certification", "binding_contract"), "eu.scope.processor",
         exporter="IE", importer="VN", role="processor"),
    case("eu-legal-claims-derogation", "allowed", (), "eu.art49.legal-claims",
         exporter="EU", importer="CN", purpose="legal_claims"),
    case("eu-non-personal-outside-chapter-v", "allowed", (), "eu.scope.non-personal",
         exporter="EU", importer="CN", personal=False, subjects=0, categories=("business",)),
    case("eu-to-china-business-offers-compute-only", "conditional",
         ("scc", "bcr", "certification", "binding_contract"), "regional.compute-only",
         exporter="EU", importer="CN", purpose="business"),
    # --- United States / California ------------------------------------------------------------
    case("us-ca-no-transfer-restriction-contract-terms", "allowed", (), "us-ca.ccpa.contracts",
         exporter="US-CA", importer="SG"),
    case("us-ca-to-us-not-leaving-the-country", NOT_TRANSFER, (), "us.scope.domestic",
         exporter="US-CA", importer="US"),
    case("us-ca-bulk-identifiers-to-china-prohibited", "prohibited", (), "us.doj.bulk-data",
         exporter="US-CA", importer="CN", subjects=150_000),
    case("us-ca-small-flow-to-china-allowed", "allowed", (), "us-ca.ccpa.contracts",
         exporter="US-CA", importer="CN", subjects=500),
    # --- destination side, and jurisdictions without a rulebook --------------------------------
    case("jp-to-eu-importer-side-gdpr-note", "allowed", (), "eu.import.gdpr",
         exporter="JP", importer="DE"),
    case("sg-to-cn-importer-side-pipl-note", "allowed", (), "cn.import.pipl",
         exporter="SG", importer="CN", mechanisms=("binding_contract",)),
    case("unknown-exporter-no-rulebook-note", "allowed", (), "default.no-rulebook",
         exporter="AU", importer="NZ"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "verdict", "required", "clause"), SCENARIOS)
def test_scenario(
    assessor: Assessor,
    request_for: Any,
    overrides: dict[str, Any],
    verdict: str,
    required: tuple[str, ...],
    clause: str | None,
) -> None:
    request = request_for(**overrides)

    decision = assessor.assess(request)

    if verdict == NOT_TRANSFER:
        assert (decision.is_transfer, decision.verdict) == (False, "allowed")
    else:
        assert decision.is_transfer
        assert decision.verdict == verdict
    assert set(decision.required_any_of) == set(required)
    assert clause in [step.clause for step in decision.trace]
