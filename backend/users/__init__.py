"""User accounts and their devices, managed by admins (API) and operators (``rasd`` CLI)."""
