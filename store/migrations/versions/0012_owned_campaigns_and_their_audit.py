"""owned_campaigns and campaign_audit: the campaigns Tailor drafts, their approval, and an
append-only record of everything done to them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: The audit is kept for good: the database itself refuses to change or remove an entry, so that
#: no code path (nor a hand-typed statement) can rewrite who approved what.
APPEND_ONLY = "the campaign audit is append-only"
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER campaign_audit_no_{verb} BEFORE {verb.upper()} ON campaign_audit
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
    for verb in ("update", "delete")
]
POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION campaign_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER campaign_audit_append_only BEFORE UPDATE OR DELETE ON campaign_audit
        FOR EACH ROW EXECUTE FUNCTION campaign_audit_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "owned_campaigns",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.Text(), nullable=False),
        sa.Column("definition", store.types.Document, nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("drafted_by", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("approvals_required", sa.SmallInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("reachable", sa.BigInteger(), nullable=False),
        sa.Column("approved_count", sa.BigInteger(), nullable=True),
        sa.Column("approved_reachable", sa.BigInteger(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("thread_ts", sa.Text(), nullable=True),
        sa.Column("created_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.Column("updated_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_owned_campaigns_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_owned_campaigns")),
    )
    op.create_table(
        "campaign_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("at", store.types.Timestamp(timezone=True), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("definition", store.types.Document, nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_audit_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_audit")),
    )
    op.create_index(op.f("ix_campaign_audit_campaign_id"), "campaign_audit", ["campaign_id"], unique=False)
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER campaign_audit_append_only ON campaign_audit")
        op.execute("DROP FUNCTION campaign_audit_append_only()")
    op.drop_index(op.f("ix_campaign_audit_campaign_id"), table_name="campaign_audit")
    op.drop_table("campaign_audit")  # SQLite drops the table's triggers with it
    op.drop_table("owned_campaigns")
