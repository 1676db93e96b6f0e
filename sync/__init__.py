"""The sync engine of Rasd, free of any web framework (see DESIGN.md, "Sync protocol (v1)")."""
