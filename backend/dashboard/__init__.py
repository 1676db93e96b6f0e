"""The directors' dashboard (/dashboard)."""
