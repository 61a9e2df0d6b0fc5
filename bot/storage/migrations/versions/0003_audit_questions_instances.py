"""The admin audit log, the question log, knowledge-base releases and instance heartbeats.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name: str, **options) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **options)


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _when("at", nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("channel_id", sa.String(255)),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("arguments", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
    )
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _when("at", nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("asker", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("entry", sa.String(255)),
        sa.Column("principle", sa.Integer),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_index("question_log_at", "question_log", ["at"])
    op.create_index("feedback_at", "feedback", ["at"])
    op.create_table(
        "knowledge_releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        _when("at", nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_table(
        "instances",
        sa.Column("instance", sa.String(128), primary_key=True),
        sa.Column("version", sa.String(64), nullable=False),
        _when("seen_at", nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("instances")
    op.drop_table("knowledge_releases")
    op.drop_index("feedback_at", table_name="feedback")
    op.drop_index("question_log_at", table_name="question_log")
    op.drop_table("question_log")
    op.drop_table("audit_log")
