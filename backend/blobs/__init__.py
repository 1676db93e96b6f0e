"""Attachment blobs: resumable, content-addressed uploads (``/api/blobs``)."""
