"""The shared state: processed events, feedback, conversations, subscriptions, reminder slots.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, **options) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **options)


def upgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("key", sa.String(255), primary_key=True),
        _when("seen_at", nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("entry", sa.String(255)),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("question", sa.Text),
        _when("at", nullable=False),
    )
    op.create_table(
        "conversations",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("reference", sa.JSON, nullable=False),
        _when("updated_at", nullable=False),
    )
    op.create_table(
        "subscriptions",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("channel_id", sa.String(255), primary_key=True),
        sa.Column("at", sa.String(5), nullable=False),
        sa.Column("every_day", sa.Boolean, nullable=False),
        sa.Column("skip_holidays", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(255)),
        _when("created_at", nullable=False),
    )
    op.create_table(
        "reminder_slots",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("channel_id", sa.String(255), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64)),
        _when("lease_until"),
        _when("next_attempt_at"),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        _when("updated_at", nullable=False),
    )
    op.create_index("reminder_slots_day", "reminder_slots", ["day", "status"])


def downgrade() -> None:
    op.drop_index("reminder_slots_day", table_name="reminder_slots")
    for table in ("reminder_slots", "subscriptions", "conversations", "feedback",
                  "processed_events"):
        op.drop_table(table)
