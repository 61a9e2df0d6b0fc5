"""Index processed event ids by when they were seen, so old ones can be forgotten cheaply.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("processed_events_seen_at", "processed_events", ["seen_at"])


def downgrade() -> None:
    op.drop_index("processed_events_seen_at", table_name="processed_events")
