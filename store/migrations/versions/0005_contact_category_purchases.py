"""per-contact purchase table by category

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types
from store.derived import refresh_category_purchases

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_category_purchases",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("priced_orders", sa.Integer(), nullable=False),
        sa.Column("spend", sa.Numeric(), nullable=True),
        sa.Column("first_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.Column("last_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contact_id", "category", name=op.f("pk_contact_category_purchases")),
    )
    refresh_category_purchases(op.get_bind())


def downgrade() -> None:
    op.drop_table("contact_category_purchases")
