"""Field shapes every domain's models use."""

from datetime import datetime

from sqlalchemy import Column, DateTime

# PostgreSQL text cannot hold NUL: refuse it at the edge (422) instead of failing in the database.
NO_NUL = r"^[^\x00]*$"


def timestamp_column(*, nullable: bool = False) -> Column[datetime]:
    """A timezone-aware timestamp column."""
    return Column(DateTime(timezone=True), nullable=nullable)
