"""delivery receipts: ids of deliveries from outside (Slack events), so a redelivery is done once

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_receipts",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("received_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_receipts")),
    )
    op.create_index(
        op.f("ix_delivery_receipts_received_at"), "delivery_receipts", ["received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_receipts_received_at"), table_name="delivery_receipts")
    op.drop_table("delivery_receipts")
