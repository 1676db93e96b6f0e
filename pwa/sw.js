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

// Push notifications. The server sends JSON {title, body, url, kind, id} (backend/notifications/
// delivery.py). Each is shown with tag = id: a message the server retried replaces the one already
// shown instead of appearing twice. A push must always show something (userVisibleOnly).

const NOTIFICATION_ICON = '/static/icons/icon-192.png';
const CSRF_COOKIE = 'csrftoken';
const CSRF_HEADER = 'x-csrftoken';

function pushMessage(event) {
  try {
    const data = event.data?.json() ?? {};
    return data !== null && typeof data === 'object' ? data : {};
  } catch {
    return {}; // not JSON: still show the app's name rather than nothing
  }
}

/** Only our own pages open from a notification; anything else opens the app's start page. */
function sameOriginUrl(url) {
  try {
    const target = new URL(typeof url === 'string' ? url : '/', self.location.origin);
    return target.origin === self.location.origin ? target.href : new URL('/', self.location.origin).href;
  } catch {
    return new URL('/', self.location.origin).href;
  }
}

self.addEventListener('push', (event) => {
  const message = pushMessage(event);
  const title = typeof message.title === 'string' && message.title ? message.title : 'رصد · Rasd';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof message.body === 'string' ? message.body : '',
      icon: NOTIFICATION_ICON,
      badge: NOTIFICATION_ICON,
      dir: 'auto', // Arabic right to left, French and English left to right
      tag: message.id ? `rasd-${message.id}` : undefined,
      data: { url: sameOriginUrl(message.url), kind: message.kind ?? null, id: message.id ?? null },
    }),
  );
});

// A click focuses a window of the app when there is one (and tells it where to go: the page decides,
// so that a form being filled is never reloaded away), or opens the notification's page.
async function openFromNotification(url) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const exact = windows.find((client) => client.url === url);
  const any = exact ?? windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (!any) return self.clients.openWindow(url);
  if (!exact) any.postMessage({ type: 'rasd:navigate', url });
  return any.focus();
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openFromNotification(sameOriginUrl(event.notification.data?.url)));
});

// The browser renewed (or dropped) the subscription: subscribe again with the server's key and tell
// the server, dropping the old endpoint. The CSRF token is read with the Cookie Store API where the
// worker has it; otherwise the pages re-register on their next start (pwa/js/push.js).
async function csrfToken() {
  if (!self.cookieStore) return null;
  if (!(await self.cookieStore.get(CSRF_COOKIE))) await fetch('/api/auth/me', { credentials: 'same-origin' });
  return (await self.cookieStore.get(CSRF_COOKIE))?.value ?? null;
}

async function pushServerKey() {
  const response = await fetch('/api/push/vapid-public-key', { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`vapid-public-key: HTTP ${response.status}`);
  const { key } = await response.json();
  const raw = atob(key.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (char) => char.charCodeAt(0));
}

async function resubscribe(event) {
  const old = event.oldSubscription;
  const subscription =
    event.newSubscription ??
    (await self.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: old?.options?.applicationServerKey ?? (await pushServerKey()),
    }));
  const token = await csrfToken();
  const headers = { 'Content-Type': 'application/json' };
  if (token === null) {
    const windows = await self.clients.matchAll({ type: 'window' });
    windows.forEach((client) => client.postMessage({ type: 'rasd:push-resubscribe' }));
    return;
  }
  headers[CSRF_HEADER] = token;
  await fetch('/api/push/subscriptions', {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: JSON.stringify(subscription.toJSON()),
  });
  if (old && old.endpoint !== subscription.endpoint) {
    await fetch(`/api/push/subscriptions?endpoint=${encodeURIComponent(old.endpoint)}`, {
      method: 'DELETE',
      headers,
      credentials: 'same-origin',
    });
  }
}

self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(resubscribe(event));
});
