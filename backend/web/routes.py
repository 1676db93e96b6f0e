"""Serving the PWA: the shell at ``/``, ``/sw.js``, ``/manifest.webmanifest`` and ``/static/...``.

Cache rules (Caddy passes them through; see the Caddyfile):

* ``/``, ``/sw.js`` and ``/manifest.webmanifest`` are ``no-cache``: always revalidated (cheaply, by
  ETag), so a new deployment is seen at the next visit and the service worker update starts;
* ``/static/<path>?v=<hash>`` is ``public, max-age=31536000, immutable`` when ``<hash>`` is the hash of
  the file this worker serves, and ``no-cache`` otherwise (a missing or stale hash must never pin
  the wrong bytes in a cache for a year).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get, head
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.types import ControllerRouterHandler

from backend.web.assets import Asset, AssetManifest

NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
# The same policy as the Caddyfile, sent by the app too, so that a page that breaks it fails in
# development and in the browser tests, not first in production.
SHELL_CSP = (
    "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_TAGS = ["pwa"]


def _not_modified(request: Request[Any, Any, Any], asset: Asset) -> bool:
    """Whether the client already holds this version (``If-None-Match``, weak or strong)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or asset.etag in tags


def _headers(asset: Asset, cache_control: str, extra: dict[str, str] | None) -> dict[str, str]:
    return {
        "Cache-Control": cache_control,
        "ETag": asset.etag,
        "X-Content-Type-Options": "nosniff",
        **(extra or {}),
    }


def _get(
    request: Request[Any, Any, Any], asset: Asset, cache_control: str, extra: dict[str, str] | None = None
) -> Response[bytes]:
    headers = _headers(asset, cache_control, extra)
    if _not_modified(request, asset):
        return Response(b"", status_code=304, headers=headers, media_type=asset.media_type)
    return Response(asset.body, headers=headers, media_type=asset.media_type)


def _head(asset: Asset, cache_control: str, extra: dict[str, str] | None = None) -> Response[None]:
    headers = _headers(asset, cache_control, extra)
    media_type = (
        f"{asset.media_type}; charset=utf-8" if asset.media_type.startswith("text/") else asset.media_type
    )
    headers |= {"Content-Type": media_type, "Content-Length": str(len(asset.body))}
    return Response(None, headers=headers)


def _static_cache(request: Request[Any, Any, Any], asset: Asset) -> str:
    return IMMUTABLE if request.query_params.get("v") == asset.hash else NO_CACHE


def pwa_routes(pwa_dir: Path) -> list[ControllerRouterHandler]:
    """The route handlers of the PWA, over the shell files of ``pwa_dir`` hashed once, now."""
    assets = AssetManifest(pwa_dir)
    shell_headers = {"Content-Security-Policy": SHELL_CSP}
    worker_headers = {"Service-Worker-Allowed": "/"}

    def static(path: str) -> Asset:
        asset = assets.static_asset(path)
        if asset is None:
            raise NotFoundException(f"no such file: /static/{path.lstrip('/')}")
        return asset

    @get("/", summary="The PWA shell", tags=_TAGS)
    async def index(request: Request[Any, Any, Any]) -> Response[bytes]:
        return _get(request, assets.index, NO_CACHE, shell_headers)

    @head("/", summary="The PWA shell (headers)", tags=_TAGS)
    async def index_head() -> Response[None]:
        return _head(assets.index, NO_CACHE, shell_headers)

    @get("/sw.js", summary="The service worker, with its precache list", tags=_TAGS)
    async def service_worker(request: Request[Any, Any, Any]) -> Response[bytes]:
        return _get(request, assets.service_worker, NO_CACHE, worker_headers)

    @head("/sw.js", summary="The service worker (headers)", tags=_TAGS)
    async def service_worker_head() -> Response[None]:
        return _head(assets.service_worker, NO_CACHE, worker_headers)

    @get("/manifest.webmanifest", summary="The web app manifest", tags=_TAGS)
    async def manifest(request: Request[Any, Any, Any]) -> Response[bytes]:
        return _get(request, assets.manifest, NO_CACHE)

    @get("/static/{path:path}", summary="A file of the PWA shell", tags=_TAGS)
    async def static_file(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[bytes]:
        asset = static(path)
        return _get(request, asset, _static_cache(request, asset))

    @head("/static/{path:path}", summary="A file of the PWA shell (headers)", tags=_TAGS)
    async def static_file_head(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[None]:
        asset = static(path)
        return _head(asset, _static_cache(request, asset))

    return [index, index_head, service_worker, service_worker_head, manifest, static_file, static_file_head]
