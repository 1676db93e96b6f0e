"""Accounts: passwords, sessions, sign-in and its rate limit."""
