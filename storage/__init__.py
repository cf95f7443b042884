"""Steward's persistence: SQLModel tables, keyword-only queries, sessions and migrations."""
