"""analysis_jobs.proposal_id: the comparison a browser upload belongs to

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 13:12:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analysis_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal_id", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_analysis_jobs_proposal_id", ["proposal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("analysis_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_analysis_jobs_proposal_id")
        batch_op.drop_column("proposal_id")
