"""Follow-up of corrective actions (/dashboard/actions)."""
