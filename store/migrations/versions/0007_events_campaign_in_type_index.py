"""events by type and time carry the campaign (PostgreSQL): campaign filters read the index alone

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEX = "ix_events_type_occurred_at_contact_id"
COLUMNS = ["type", "occurred_at", "contact_id"]


def upgrade() -> None:
    # SQLite has no INCLUDE; its stores are small enough to read the campaign from the row.
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(INDEX, table_name="events")
        op.create_index(INDEX, "events", COLUMNS, postgresql_include=["campaign_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(INDEX, table_name="events")
        op.create_index(INDEX, "events", COLUMNS)
