"""The PWA shell as the server sees it: its files, their content hashes and the service worker.

Everything is read and hashed once, when the app starts, and then served from memory: the shell is
small (tens of kilobytes) and every worker must answer with exactly the bytes it hashed.

The scheme, end to end:

* every shell file (``index.html``, ``manifest.webmanifest`` and everything under ``css/``, ``js/``,
  ``locales/`` and ``icons/``) gets a short SHA-256 of its content;
* the references to ``/static/...`` in ``index.html`` and the manifest are rewritten to carry
  ``?v=<hash>``; those requests get a year of immutable cache, any other gets ``no-cache`` (the hash
  in the query is only trusted when it is the hash of what this worker serves);
* ``sw.js`` is served with the precache list ``[{url, hash}, ...]`` and a cache version derived from
  all hashes written into it, so any change of any shell file changes the service worker byte for
  byte, and the browser installs the new version.

JS modules, CSS and catalogues are served exactly as they are on disk; only the two documents that
name them (``index.html`` and the manifest) are rewritten, and nothing else.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from backend.web.module_graph import static_closure

HASH_LENGTH = 16  # hex digits: 64 bits, plenty to tell versions of one file apart

# Directories of the shell served under /static/, and the file kinds they may hold. Anything else
# under pwa/ (tests/, icons/make_icons.py, editor files) is never served.
STATIC_DIRS = ("css", "js", "locales", "icons")
# Litestar adds "; charset=utf-8" to text/* types itself.
MEDIA_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
# Served but not precached: the large icons that only installing the app uses. The browser fetches
# them from the manifest, online, when it installs; the app never shows them, so a phone need not
# download them to work offline (icon-192.png, which notifications show, stays in the shell).
INSTALL_ONLY = frozenset({"icons/icon-512.png", "icons/icon-maskable-512.png"})
INDEX_MEDIA_TYPE = "text/html"
MANIFEST_MEDIA_TYPE = "application/manifest+json"
SERVICE_WORKER_MEDIA_TYPE = "text/javascript"

# A double-quoted reference to a static file, in HTML attributes and in JSON alike.
_STATIC_REF = re.compile(r'"/static/(?P<path>[A-Za-z0-9_./-]+)"')
# The shell's entry module, with the indentation of its line: what it imports is listed before it.
_ENTRY_SCRIPT = re.compile(
    r'^(?P<indent>[ \t]*)<script type="module" src="/static/(?P<path>[^"?]+)\?v=', re.MULTILINE
)
# The object literal of sw.js that the server replaces (see pwa/sw.js).
_BUILD_SLOT = re.compile(r"/\* @build \*/.*?/\* @end-build \*/", re.DOTALL)


def content_hash(body: bytes) -> str:
    """The short SHA-256 (hex) that names a version of a file; pwa/sw.js checks it the same way."""
    return hashlib.sha256(body).hexdigest()[:HASH_LENGTH]


@dataclass(frozen=True, slots=True)
class Asset:
    """One file as served: its public URL, bytes, hash and media type."""

    url: str
    body: bytes
    hash: str
    media_type: str

    @classmethod
    def of(cls, url: str, body: bytes, media_type: str) -> Asset:
        return cls(url=url, body=body, hash=content_hash(body), media_type=media_type)

    @property
    def etag(self) -> str:
        return f'"{self.hash}"'


class AssetManifest:
    """The shell files of one PWA directory, hashed once.

    Raises ``FileNotFoundError`` when a required file is missing and ``ValueError`` when
    ``index.html`` or the manifest names a static file that does not exist, or when ``sw.js`` has
    no build slot: a broken shell stops the server at start, not a phone in the field.
    """

    def __init__(self, pwa_dir: Path) -> None:
        self.pwa_dir = pwa_dir.resolve()
        self.static: dict[str, Asset] = self._load_static()
        self.index = Asset.of(
            "/", self._with_module_preloads(self._versioned(self._read("index.html"))), INDEX_MEDIA_TYPE
        )
        self.manifest = Asset.of(
            "/manifest.webmanifest", self._versioned(self._read("manifest.webmanifest")), MANIFEST_MEDIA_TYPE
        )
        template = self._read("sw.js")
        self.version = content_hash(
            "\n".join(
                [f"{entry['url']} {entry['hash']}" for entry in self.precache()] + [content_hash(template)]
            ).encode()
        )
        self.service_worker = Asset.of(
            "/sw.js", self._build_service_worker(template), SERVICE_WORKER_MEDIA_TYPE
        )

    def static_asset(self, path: str) -> Asset | None:
        """The asset at ``/static/<path>``, or None (unknown, hidden, or outside the shell)."""
        return self.static.get(path.lstrip("/"))

    def offline_files(self) -> list[Asset]:
        """What the service worker keeps for offline use, in a stable order: the shell, then static files."""
        static = (self.static[key] for key in sorted(self.static) if key not in INSTALL_ONLY)
        return [self.index, self.manifest, *static]

    def precache(self) -> list[dict[str, str]]:
        """``[{url, hash}]`` of every file of :meth:`offline_files`."""
        return [{"url": asset.url, "hash": asset.hash} for asset in self.offline_files()]

    def gzip_bytes(self) -> int:
        """What a phone downloads to work offline, over a compressed connection (gzip -9 per file): the
        service worker and every file it keeps."""
        return sum(len(gzip.compress(a.body, 9)) for a in (self.service_worker, *self.offline_files()))

    def _read(self, name: str) -> bytes:
        return (self.pwa_dir / name).read_bytes()

    def _load_static(self) -> dict[str, Asset]:
        static: dict[str, Asset] = {}
        for directory in STATIC_DIRS:
            root = self.pwa_dir / directory
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                media_type = MEDIA_TYPES.get(path.suffix)
                relative = path.relative_to(self.pwa_dir)
                hidden = any(part.startswith(".") for part in relative.parts)
                outside = not path.resolve().is_relative_to(self.pwa_dir)  # a symlink out of pwa/
                if media_type is None or hidden or outside or not path.is_file():
                    continue
                key = relative.as_posix()
                static[key] = Asset.of(f"/static/{key}", path.read_bytes(), media_type)
        return static

    def _versioned(self, body: bytes) -> bytes:
        """Add ``?v=<hash>`` to every ``"/static/..."`` reference of a shell document."""

        def replace(match: re.Match[str]) -> str:
            asset = self.static.get(match["path"])
            if asset is None:
                raise ValueError(f"the PWA shell names a missing file: /static/{match['path']}")
            return f'"{asset.url}?v={asset.hash}"'

        return _STATIC_REF.sub(replace, body.decode()).encode()

    def _with_module_preloads(self, body: bytes) -> bytes:
        """List every module the entry script imports statically (backend/web/module_graph.py)."""
        text = body.decode()
        entry = _ENTRY_SCRIPT.search(text)
        if entry is None:
            return body
        sources = {key: asset.body.decode() for key, asset in self.static.items() if key.endswith(".js")}
        # As the imports resolve them: without ?v=, which only the entry carries (one URL per module).
        links = "".join(
            f'{entry["indent"]}<link rel="modulepreload" href="/static/{path}">\n'
            for path in static_closure(entry["path"], sources)
        )
        return (text[: entry.start()] + links + text[entry.start() :]).encode()

    def _build_service_worker(self, template: bytes) -> bytes:
        files = ",\n".join(f"    {json.dumps(entry)}" for entry in self.precache())
        build = f'{{\n  "version": {json.dumps(self.version)},\n  "files": [\n{files}\n  ]\n}}'
        source, count = _BUILD_SLOT.subn(lambda _: build, template.decode())
        if count != 1:
            raise ValueError("pwa/sw.js must hold exactly one /* @build */ ... /* @end-build */ slot")
        return source.encode()
