"""Persistence: SQLAlchemy models, the async engine, and queries as plain async functions.

Knows nothing of GraphQL or tracing.
"""
