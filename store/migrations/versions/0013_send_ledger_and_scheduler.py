"""send_ledger, scheduler_lease and APScheduler's job table; when and to whom a campaign is sent

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("owned_campaigns") as batch:
        batch.add_column(sa.Column("send_at", store.types.Timestamp(timezone=True), nullable=True))
        batch.add_column(sa.Column("local_time", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("audience", sa.String(length=16), nullable=True))
    op.create_table(
        "send_ledger",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("due_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("updated_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_send_ledger_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "contact_id", name=op.f("pk_send_ledger")),
    )
    op.create_index(
        op.f("ix_send_ledger_campaign_id_state_due_at"), "send_ledger", ["campaign_id", "state", "due_at"]
    )
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("expires_at", store.types.Timestamp(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    op.create_index(op.f("ix_apscheduler_jobs_next_run_time"), "apscheduler_jobs", ["next_run_time"])


def downgrade() -> None:
    op.drop_index(op.f("ix_apscheduler_jobs_next_run_time"), table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
    op.drop_table("scheduler_lease")
    op.drop_index(op.f("ix_send_ledger_campaign_id_state_due_at"), table_name="send_ledger")
    op.drop_table("send_ledger")
    with op.batch_alter_table("owned_campaigns") as batch:
        batch.drop_column("audience")
        batch.drop_column("local_time")
        batch.drop_column("send_at")
