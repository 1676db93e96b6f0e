"""HTTP plumbing shared by every feature: problems, language, the session middleware."""
