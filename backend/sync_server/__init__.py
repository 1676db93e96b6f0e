"""The server side of sync protocol v1: push, pull, conflicts, and the feed of server-made records."""
