"""Indicator readings, entry and import (/manage/indicators)."""
