"""The demo consortium: four organisations in China, Singapore, Viet Nam and Thailand."""

from __future__ import annotations

from silkgate.domain import Party

DEMO_PARTIES: tuple[Party, ...] = (
    Party(
        id="cn-gxic",
        name="Guangxi Regional Health Information Centre",
        jurisdiction="CN",
        roles=frozenset({"data_provider", "compute_node", "exchange_operator"}),
        certifications=frozenset({"CN_PI_CERTIFICATION"}),
    ),
    Party(
        id="sg-lionhealth",
        name="Lion City Health Analytics Pte. Ltd.",
        jurisdiction="SG",
        roles=frozenset({"data_provider", "data_consumer", "compute_node"}),
        certifications=frozenset({"GLOBAL_CBPR", "DPTM"}),
    ),
    Party(
        id="vn-mekonglog",
        name="Mekong Cross-Border Logistics JSC",
        jurisdiction="VN",
        roles=frozenset({"data_provider", "data_consumer"}),
    ),
    Party(
        id="th-siampay",
        name="Siam Digital Payments Co., Ltd.",
        jurisdiction="TH",
        roles=frozenset({"data_provider", "compute_node"}),
        certifications=frozenset({"ISO_27701"}),
    ),
)
