"""Cycles, schedules and assignments (/manage/planning)."""
