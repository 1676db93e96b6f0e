// The Rasd service worker, written by hand: no library, nothing generated but the BUILD object.
//
// What to cache: the shell files listed in BUILD, each with the SHA-256 of its content, computed
// by the server (backend/web/assets.py), which also derives BUILD.version from all of them. Any
// change of any shell file changes this script, so the browser installs a new version.
//
// Routing and strategies:
//   non-GET, other origins, /api/…   network only (writes go through the outbox, which retries)
//   navigation to a shell route      the cached shell, the network only if it is not cached
//   a precached file                 cache first, unless ?v= asks for another version
//   anything else                    network only
//
// Updates: a new version installs next to the old one and waits; the page offers it and posts
// 'skip-waiting' when the user accepts. Nothing here reloads a page.

/* The server replaces the object below with the real list (backend/web/assets.py). */
const BUILD = /* @build */ { version: 'dev', files: [] } /* @end-build */;

const PREFIX = 'rasd-';
const SHELL_CACHE = `${PREFIX}shell-${BUILD.version}`;
const KEEP = new Set([SHELL_CACHE]); // every cache of this version; other rasd- caches are stale
const SHELL_URL = '/';
const SHELL_ROUTES = new Set(['/']); // the PWA's own pages; more when it has client-side routes
const HASH_HEADER = 'x-rasd-hash';
const HASH_LENGTH = 16;
const PRECACHED = new Map(BUILD.files.map(({ url, hash }) => [url, hash]));

async function contentHash(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return hex.slice(0, HASH_LENGTH);
}

/** A response holding exactly these bytes, stamped with their hash. */
function stamped(buffer, contentType, hash) {
  const headers = { [HASH_HEADER]: hash };
  if (contentType) headers['content-type'] = contentType;
  return new Response(buffer, { headers });
}

/** The same file at the same hash from an older cache of ours: no download needed. */
async function reusable(url, hash) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === SHELL_CACHE) continue;
    const response = await (await caches.open(name)).match(url);
    if (response?.headers.get(HASH_HEADER) === hash) return response;
  }
  return null;
}

async function download(url, hash) {
  // Static files are asked for by hash (immutable, so any HTTP cache may answer); the shell and
  // the manifest by name, from the server.
  const versioned = url.startsWith('/static/');
  const response = await fetch(versioned ? `${url}?v=${hash}` : url, { cache: versioned ? 'default' : 'no-cache' });
  if (!response.ok) throw new Error(`precache ${url}: HTTP ${response.status}`);
  const buffer = await response.arrayBuffer();
  // A worker of another version may have answered (during a deployment): fail the install, the
  // browser tries again later, and the running version keeps working meanwhile.
  const actual = await contentHash(buffer);
  if (actual !== hash) throw new Error(`precache ${url}: hash ${actual}, expected ${hash}`);
  return stamped(buffer, response.headers.get('content-type'), hash);
}

async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  await Promise.all(
    BUILD.files.map(async ({ url, hash }) => {
      const cached = await cache.match(url);
      if (cached?.headers.get(HASH_HEADER) === hash) return;
      await cache.put(url, (await reusable(url, hash)) ?? (await download(url, hash)));
    }),
  );
}

async function deleteStaleCaches() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(PREFIX) && !KEEP.has(name)).map((name) => caches.delete(name)));
}

async function shell(request) {
  const cached = await caches.match(SHELL_URL, { cacheName: SHELL_CACHE });
  return cached ?? fetch(request);
}

async function precachedFile(request, path) {
  const cached = await caches.match(path, { cacheName: SHELL_CACHE });
  return cached ?? fetch(request);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(deleteStaleCaches().then(() => self.clients.claim()));
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    if (SHELL_ROUTES.has(url.pathname)) event.respondWith(shell(request));
    return; // /dashboard, /manage, /schema …: server pages, from the network
  }
  const hash = PRECACHED.get(url.pathname);
  const version = url.searchParams.get('v');
  if (hash && (version === null || version === hash)) event.respondWith(precachedFile(request, url.pathname));
});
