"""Serving the PWA: its shell, service worker, manifest and static files, hashed once at start."""

from backend.web.assets import AssetManifest
from backend.web.routes import pwa_routes

__all__ = ["AssetManifest", "pwa_routes"]
