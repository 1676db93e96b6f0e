"""Persistence: engine, session factory, tables and migrations."""
