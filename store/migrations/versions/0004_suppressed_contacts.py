"""suppressed contacts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.derived import refresh_suppressions

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suppressed_contacts",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_suppressed_contacts")),
    )
    refresh_suppressions(op.get_bind())


def downgrade() -> None:
    op.drop_table("suppressed_contacts")
