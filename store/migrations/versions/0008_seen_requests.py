"""delivery_receipts becomes seen_requests: it holds the Slack requests already handled, and
"delivery" is the sending room's word

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _move("delivery_receipts", "seen_requests")


def downgrade() -> None:
    _move("seen_requests", "delivery_receipts")


def _move(old: str, new: str) -> None:
    """A new table and its rows (a day's ids at most): its key and index get their own names on
    both databases, where a rename would keep the old table's in their names."""
    op.create_table(
        new,
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("received_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{new}")),
    )
    op.create_index(op.f(f"ix_{new}_received_at"), new, ["received_at"], unique=False)
    op.execute(f"INSERT INTO {new} (id, received_at) SELECT id, received_at FROM {old}")
    op.drop_index(op.f(f"ix_{old}_received_at"), table_name=old)
    op.drop_table(old)
