"""Evaluations per agency and cycle (/dashboard/evaluations)."""
