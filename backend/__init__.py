"""Rasd: the Litestar application of the field-inspection system."""
