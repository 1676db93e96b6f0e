"""The peers bench/pwa_start.py measures the field app against, served over HTTP from this process.

Two sites on two ports (two origins, so two service workers):

* **plain**: one HTML page of N native radio groups and no script: the least a browser does to show
  that many controls;
* **offline app**: the least an offline-first app does to show them: a page whose one ES module
  opens IndexedDB, reads the N items stored there at the first visit, and builds the radio groups
  with the DOM, under a service worker that serves the page and the module from its cache. No
  framework, no i18n, no sync, no scoring: what Rasd's checklist costs beyond it is Rasd's own.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

OFFLINE_APP_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script type="module" src="/app.js"></script></head>
<body><main id="app"></main></body></html>"""

OFFLINE_APP_JS = """const opened = new Promise((resolve, reject) => {
  const request = indexedDB.open('peer', 1);
  request.onupgradeneeded = () => request.result.createObjectStore('kv');
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});
const db = await opened;
const read = (key) => new Promise((resolve, reject) => {
  const request = db.transaction('kv').objectStore('kv').get(key);
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});
let items = await read('items');
if (!items) {
  items = Array.from({ length: %(items)d }, (_, i) => ({ key: `g${i}`, label: `Item ${i}` }));
  await new Promise((resolve) => {
    const t = db.transaction('kv', 'readwrite');
    t.objectStore('kv').put(items, 'items');
    t.oncomplete = resolve;
  });
}
const main = document.getElementById('app');
for (const item of items) {
  const group = document.createElement('fieldset');
  group.id = item.key;
  const legend = document.createElement('legend');
  legend.textContent = item.label;
  group.append(legend);
  for (const value of ['yes', 'no']) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    Object.assign(input, { type: 'radio', name: item.key, value });
    label.append(input, value);
    group.append(label);
  }
  main.append(group);
}
navigator.serviceWorker.register('/sw.js');
"""

OFFLINE_APP_SW = """self.addEventListener('install', (event) => {
  event.waitUntil(caches.open('peer').then((cache) => cache.addAll(['/', '/app.js'])));
});
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  const key = event.request.mode === 'navigate' ? '/' : url.pathname;
  event.respondWith(caches.match(key).then((cached) => cached ?? fetch(event.request)));
});
"""


def plain_page(items: int) -> str:
    groups = "".join(
        f'<fieldset id="g{i}"><legend>Item {i}</legend>'
        f'<label><input type="radio" name="r{i}" value="y">yes</label>'
        f'<label><input type="radio" name="r{i}" value="n">no</label></fieldset>'
        for i in range(items)
    )
    return f"<!doctype html><html><body>{groups}</body></html>"


class _Site(BaseHTTPRequestHandler):
    """Serves a site's files, as a server would: over HTTP, not injected into the page."""

    files: ClassVar[dict[str, tuple[str, bytes]]] = {}

    def do_GET(self) -> None:
        found = self.files.get(self.path.split("?")[0])
        if found is None:
            self.send_error(404)
            return
        media_type, body = found
        self.send_response(200)
        self.send_header("content-type", media_type)
        self.send_header("content-length", str(len(body)))
        self.send_header("cache-control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(files: dict[str, tuple[str, bytes]]) -> tuple[ThreadingHTTPServer, str]:
    handler = type("Site", (_Site,), {"files": files})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def serve_plain(items: int) -> tuple[ThreadingHTTPServer, str]:
    """The plain HTML peer; its server and URL."""
    return _serve({"/": ("text/html; charset=utf-8", plain_page(items).encode())})


def serve_offline_app(items: int) -> tuple[ThreadingHTTPServer, str]:
    """The minimal offline-first app; its server and URL."""
    js = "text/javascript; charset=utf-8"
    return _serve(
        {
            "/": ("text/html; charset=utf-8", OFFLINE_APP_HTML.encode()),
            "/app.js": (js, (OFFLINE_APP_JS % {"items": items}).encode()),
            "/sw.js": (js, OFFLINE_APP_SW.encode()),
        }
    )
