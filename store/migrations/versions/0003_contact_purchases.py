"""per-contact purchase table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types
from store.derived import refresh_purchases

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_purchases",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("priced_orders", sa.Integer(), nullable=False),
        sa.Column("spend", sa.Numeric(), nullable=True),
        sa.Column("first_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.Column("last_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_purchases")),
    )
    # A store that already holds events gets its table now, not at its next import.
    refresh_purchases(op.get_bind())


def downgrade() -> None:
    op.drop_table("contact_purchases")
