"""currency rates: every purchase's amount converted into the store's currency at its day's rate

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from settings import load_settings
from store import audiences, derived

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    op.create_table(
        "currency_rates",
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("factor", sa.Numeric(), nullable=False),
        sa.PrimaryKeyConstraint("currency", "day", name=op.f("pk_currency_rates")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "unconverted_purchases",
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("purchases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("currency", name=op.f("pk_unconverted_purchases")),
    )
    op.create_table(
        "store_settings",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_store_settings")),
    )
    # A store imported before this revision summed its amounts as stored, whatever their
    # currency: they are converted now, once, into the workspace's currency (TAILOR_CURRENCY), and the tables
    # that hold money are built again from them.
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM events)")).scalar():
        log.warning(
            "converting the stored purchases into one currency and building the campaign pairs, once ..."
        )
        derived.refresh_purchase_tables(conn, load_settings().pricing())
        audiences.rebuild(conn)


def downgrade() -> None:
    op.drop_table("store_settings")
    op.drop_table("unconverted_purchases")
    op.drop_table("currency_rates")
