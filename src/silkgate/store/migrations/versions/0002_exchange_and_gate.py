"""exchange and gate: classifications, catalog, offers, orders, decisions, obligations,
usage records, invoices, trust scores and signals

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "classifications",
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.PrimaryKeyConstraint("content_hash", name=op.f("pk_classifications")),
    )
    op.create_table(
        "catalog",
        sa.Column("dataset_id", sa.String(63), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("important_data", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("vault_ref", sa.String(200), nullable=False),
        sa.Column("ledger_tx", sa.String(64), nullable=False),
        sa.Column("published_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_catalog_dataset_id_datasets")
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_catalog")),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("dataset_id", sa.String(63), nullable=False),
        sa.Column("owner", sa.String(63), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("price", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("ledger_tx", sa.String(64), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_offers_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(["owner"], ["parties.id"], name=op.f("fk_offers_owner_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    op.create_index(op.f("ix_offers_dataset_id"), "offers", ["dataset_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("dataset_id", sa.String(63), nullable=False),
        sa.Column("requester", sa.String(63), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("document_hash", sa.String(64), nullable=False),
        sa.Column("ledger_txs", sa.JSON(), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_decisions_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["requester"], ["parties.id"], name=op.f("fk_decisions_requester_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_dataset_id"), "decisions", ["dataset_id"])
    op.create_index(op.f("ix_decisions_requester"), "decisions", ["requester"])
    op.create_index(op.f("ix_decisions_verdict"), "decisions", ["verdict"])
    op.create_table(
        "orders",
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("offer_id", sa.String(63), nullable=False),
        sa.Column("dataset_id", sa.String(63), nullable=False),
        sa.Column("consumer", sa.String(63), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("transitions", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("grant_id", sa.String(64), nullable=True),
        sa.Column("decision_id", sa.String(63), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_orders_offer_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_orders_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["consumer"], ["parties.id"], name=op.f("fk_orders_consumer_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    for column in ("offer_id", "dataset_id", "consumer"):
        op.create_index(op.f(f"ix_orders_{column}"), "orders", [column])
    op.create_table(
        "obligations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.String(63), nullable=False),
        sa.Column("party", sa.String(63), nullable=False),
        sa.Column("obligation", sa.String(100), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("authority", sa.String(200), nullable=True),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("blocking", sa.Boolean(), nullable=False),
        sa.Column("due_at", _tz(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("met_at", _tz(), nullable=True),
        sa.Column("evidence_hash", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_obligations_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(
            ["party"], ["parties.id"], name=op.f("fk_obligations_party_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligations")),
    )
    op.create_index(op.f("ix_obligations_decision_id"), "obligations", ["decision_id"])
    op.create_index(op.f("ix_obligations_party"), "obligations", ["party"])
    op.create_table(
        "usage_records",
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("party", sa.String(63), nullable=False),
        sa.Column("provider", sa.String(63), nullable=False),
        sa.Column("dataset_id", sa.String(63), nullable=False),
        sa.Column("offer_id", sa.String(63), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("amount", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("at", _tz(), nullable=False),
        sa.Column("invoice_id", sa.String(63), nullable=True),
        sa.ForeignKeyConstraint(
            ["party"], ["parties.id"], name=op.f("fk_usage_records_party_parties")
        ),
        sa.ForeignKeyConstraint(
            ["provider"], ["parties.id"], name=op.f("fk_usage_records_provider_parties")
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_usage_records_dataset_id_datasets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_records")),
    )
    for column in ("party", "dataset_id", "at"):
        op.create_index(op.f(f"ix_usage_records_{column}"), "usage_records", [column])
    op.create_table(
        "invoices",
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("party", sa.String(63), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total", sa.String(40), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("document_hash", sa.String(64), nullable=False),
        sa.Column("ledger_txs", sa.JSON(), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(["party"], ["parties.id"], name=op.f("fk_invoices_party_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
    )
    op.create_index(op.f("ix_invoices_party"), "invoices", ["party"])
    op.create_table(
        "trust_scores",
        sa.Column("party", sa.String(63), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("suspended_grants", sa.JSON(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party"], ["parties.id"], name=op.f("fk_trust_scores_party_parties")
        ),
        sa.PrimaryKeyConstraint("party", name=op.f("pk_trust_scores")),
    )
    op.create_table(
        "trust_signals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("party", sa.String(63), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party"], ["parties.id"], name=op.f("fk_trust_signals_party_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_signals")),
    )
    op.create_index(op.f("ix_trust_signals_party"), "trust_signals", ["party"])


def downgrade() -> None:
    for table in ("trust_signals", "trust_scores", "invoices", "usage_records", "obligations",
                  "orders", "decisions", "offers", "catalog", "classifications"):  # fmt: skip
        op.drop_table(table)
