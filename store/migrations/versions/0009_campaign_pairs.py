"""campaign pairs: each (campaign, contact) pair with a send and its flags and revenue, for reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_pairs",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("flags", sa.SmallInteger(), nullable=False),
        sa.Column("revenue", sa.Numeric(), nullable=True),
        sa.PrimaryKeyConstraint(
            "contact_id",
            "campaign_id",
            name=op.f("pk_campaign_pairs"),
            postgresql_include=["flags", "revenue"],
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "campaign_audiences",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("first_sent_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.Column("attribution_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_audiences")),
    )
    # A store imported before this revision gets its pairs from revision 0010, which converts
    # their revenue into the store's currency: built here, they would be built twice.


def downgrade() -> None:
    op.drop_table("campaign_audiences")
    op.drop_table("campaign_pairs")
