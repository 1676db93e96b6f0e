// The sync engine: ONE single-flight loop per page (and one at a time across tabs, with a Web
// Lock) that does, in this order:
//
//   1. blobs   upload every photo not yet held by the server, resumably: HEAD says how many bytes
//              the server holds, PATCH sends the rest in chunks of 512 KiB; the local bytes are
//              dropped only once a HEAD says the server holds the blob whole;
//   2. push    the outbox in batches of at most 500 ops; an op leaves the outbox only when the
//              answer acknowledges it; a rejected one stays, with its reason, for the user to see;
//              409 seq_gap → resend from the expected seq;
//   3. pull    pages until `more` is false, each page and its cursor in one IndexedDB transaction,
//              never overwriting a field that has a pending local op; `reset` rebuilds the copy
//              and keeps the outbox.
//
// Failures: 401 → wait for the next sign-in (startSync again), drop nothing; 503, 502, 504, 429 and
// network failures → capped exponential backoff with jitter (1 s … 5 min); anything else → the
// same backoff at its cap, with the error shown in status().sync.
//
// Triggers: start, the `online` event and the user (both reset the backoff), every 60 s while
// online, and a few seconds after a local write while online.
//
// Use (app.js, the screens):
//   await startSync();            // after sign-in; calling it again after a new sign-in resumes
//   await syncNow();              // the user's "sync now": resolves when that run is over

import { tx } from '../db.js';
import { openStore } from '../store.js';
import { applyAcks, applyPage, applyRealign, RECORD_STORES } from './local.js';
import { acknowledge, BACKOFF, backoffDelay, nextBatch, ProtocolViolation } from './outbox.js';
import { createTransport, SyncFailure } from './transport.js';

export const CHUNK_BYTES = 512 * 1024;
export const PULL_LIMIT = 500;
export const PERIOD_MS = 60_000;
export const AFTER_WRITE_MS = 2_000;
const MAX_GAPS = 3; // 409s in a row within one push before giving up: the server is confused
const MAX_PAGES = 10_000;
const LOCK = 'rasd-sync';

let current = null;

/**
 * Start the engine of this page (once; later calls resume it after a sign-in). `store` defaults to
 * openStore(); `transport`, `online`, `timers`, `random` and `locks` are for tests.
 */
export function startSync(options = {}) {
  if (current) {
    current.then((engine) => engine.resume()).catch(() => {});
    return current;
  }
  current = (async () => {
    const store = options.store ?? (await openStore());
    const engine = createEngine({ ...options, store });
    engine.start();
    requestPersistence();
    return engine;
  })();
  current.catch((error) => {
    console.error('rasd: sync could not start', error);
    current = null;
  });
  return current;
}

/** Sync now (the user asked): resets the backoff and retries failed photos. */
export async function syncNow() {
  if (!current) return null;
  return (await current).syncNow();
}

/** Stop the engine of this page (its timers and listeners); the data stays. */
export async function stopSync() {
  const engine = current;
  current = null;
  if (engine) (await engine).stop();
}

/** Ask the browser to keep our storage under pressure (the outbox holds unsent work). */
export async function requestPersistence(storage = globalThis.navigator?.storage) {
  try {
    if (!storage?.persist) return false;
    if (await storage.persisted?.()) return true;
    return await storage.persist();
  } catch {
    return false;
  }
}

function describe(error) {
  if (error instanceof SyncFailure) return { code: error.code, message: error.message, status: error.status };
  return { code: error?.code ?? 'client_error', message: String(error?.message ?? error), status: 0 };
}

export function createEngine({
  store,
  transport = createTransport(),
  online = () => globalThis.navigator?.onLine ?? true,
  timers = globalThis,
  random = Math.random,
  locks = globalThis.navigator?.locks,
  events = globalThis,
}) {
  let running = null;
  let again = false;
  let attempt = 0; // failures in a row
  let retryTimer = null;
  let writeTimer = null;
  let periodTimer = null;
  let signedOut = false;
  let stopped = false;
  let retryFailedBlobs = false;
  let forced = false; // the user asked: try even if the browser believes it is offline
  let unsubscribe = () => {};

  const report = (state) => store.reportSync(state);

  function trigger({ resetBackoff = false } = {}) {
    if (stopped) return Promise.resolve();
    if (resetBackoff) {
      attempt = 0;
      if (retryTimer !== null) timers.clearTimeout(retryTimer);
      retryTimer = null;
    }
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await runOnce();
        // A run that failed has scheduled its retry: a request made meanwhile waits for it too.
      } while (again && !stopped && retryTimer === null);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  async function exclusive(work) {
    if (!locks?.request) return work();
    // Another tab holding the lock is syncing the same database: nothing to do here.
    return locks.request(LOCK, { ifAvailable: true }, (lock) => (lock ? work() : null));
  }

  async function runOnce() {
    const force = forced;
    forced = false;
    if (!online() && !force) return report({ state: 'offline', nextAttemptAt: null });
    if (signedOut) return report({ state: 'signed_out', nextAttemptAt: null });
    report({ state: 'running', nextAttemptAt: null });
    try {
      await exclusive(async () => {
        await uploadBlobs();
        await push();
        await pull();
        await tx('meta', 'readwrite', (t) => t.store('meta').put(Date.now(), 'last_sync_at'));
      });
      attempt = 0;
      report({ state: 'idle', error: null, nextAttemptAt: null });
    } catch (error) {
      failed(error);
    }
    return undefined;
  }

  function failed(error) {
    if (error instanceof SyncFailure && error.kind === 'auth') {
      signedOut = true; // the outbox waits for the next sign-in; nothing is dropped
      report({ state: 'signed_out', error: describe(error), nextAttemptAt: null });
      return;
    }
    const transient = error instanceof SyncFailure && (error.kind === 'network' || error.kind === 'transient');
    if (!transient) {
      // A refusal or a bug: retrying at once would fail the same way; keep trying, slowly.
      if (!(error instanceof SyncFailure || error instanceof ProtocolViolation)) console.error('rasd: sync failed', error);
      attempt = Math.max(attempt, Math.ceil(Math.log2(BACKOFF.capMs / BACKOFF.baseMs)));
    }
    const delay = backoffDelay(attempt, { random, retryAfterMs: error?.retryAfterMs ?? null });
    attempt += 1;
    if (retryTimer !== null) timers.clearTimeout(retryTimer);
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      trigger();
    }, delay);
    const state = !online() ? 'offline' : transient ? 'waiting' : 'error';
    report({ state, error: describe(error), nextAttemptAt: Date.now() + delay });
  }

  // -- 1. blobs -----------------------------------------------------------------------------------
  async function uploadBlobs() {
    const retry = retryFailedBlobs;
    retryFailedBlobs = false;
    const held = await tx('blobs', 'readonly', (t) => t.store('blobs').getAll());
    for (const blob of held) {
      if (!blob.blob || (blob.error && !retry)) continue;
      await uploadBlob(blob);
    }
  }

  async function updateBlob(sha256, change) {
    await tx('blobs', 'readwrite', async (t) => {
      const blobs = t.store('blobs');
      const held = await blobs.get(sha256);
      if (held) await blobs.put({ ...held, ...change(held) });
    });
    store.changed();
  }

  async function uploadBlob(held) {
    const { sha256, size } = held;
    let { offset } = await transport.headBlob(sha256);
    let conflicts = 0;
    let restarts = 0;
    while (offset < size) {
      const chunk = held.blob.slice(offset, Math.min(size, offset + CHUNK_BYTES));
      try {
        offset = await transport.patchBlob(sha256, { offset, length: size, chunk });
        const reached = offset;
        await updateBlob(sha256, () => ({ uploaded: reached, error: null }));
      } catch (failure) {
        if (!(failure instanceof SyncFailure) || failure.kind !== 'refused') throw failure; // the loop backs off
        if (failure.status === 409 && failure.code === 'offset_mismatch' && failure.serverOffset !== null && conflicts < 3) {
          conflicts += 1; // a retried chunk that had arrived, or another device with the same photo
          offset = failure.serverOffset;
        } else if (failure.status === 422 && restarts < 1) {
          restarts += 1; // the server discarded what it had: start again from zero
          offset = 0;
        } else {
          // The server will not take it as it is (type, size, role): keep it, say why, go on.
          await updateBlob(sha256, () => ({ error: describe(failure) }));
          return;
        }
      }
    }
    // Drop our copy only once the server says it holds the blob whole.
    const confirmed = await transport.headBlob(sha256);
    if (confirmed.offset >= size && (confirmed.length === null || confirmed.length === size)) {
      await updateBlob(sha256, () => ({ blob: null, uploaded: size, error: null, uploaded_at: Date.now() }));
    }
  }

  // -- 2. push ------------------------------------------------------------------------------------
  async function push() {
    let gaps = 0;
    for (;;) {
      const pending = await tx('outbox', 'readonly', (t) => t.store('outbox').index('by_state').getAll('pending'));
      const batch = nextBatch(pending, store.clientId);
      if (!batch) return;
      let answer;
      try {
        answer = await transport.push(batch.body);
      } catch (failure) {
        if (!(failure instanceof SyncFailure) || failure.kind !== 'gap') throw failure;
        const expected = failure.problem.expected_seq;
        gaps += 1;
        if (gaps > MAX_GAPS || !Number.isInteger(expected) || expected < 1) {
          throw new ProtocolViolation(`The server keeps refusing our seqs: ${failure.message}`);
        }
        await tx(['outbox', 'meta'], 'readwrite', (t) => applyRealign(t, expected));
        continue;
      }
      gaps = 0;
      const { acknowledged, lastSeq } = acknowledge(batch.entries, answer);
      await tx(RECORD_STORES, 'readwrite', (t) => applyAcks(t, acknowledged, lastSeq));
      if (acknowledged.length) store.changed();
    }
  }

  // -- 3. pull ------------------------------------------------------------------------------------
  async function pull() {
    let restart = false;
    for (let pages = 0; pages < MAX_PAGES; pages += 1) {
      const cursor = restart ? null : await tx('meta', 'readonly', (t) => t.store('meta').get('cursor'));
      let page;
      try {
        page = await transport.pull({ cursor, limit: PULL_LIMIT, clientId: store.clientId });
      } catch (failure) {
        // A cursor the server cannot read: start again from nothing, as after a restore.
        if (failure instanceof SyncFailure && failure.code === 'invalid_cursor' && cursor && !restart) {
          restart = true;
          continue;
        }
        throw failure;
      }
      if (restart) page = { ...page, reset: true };
      restart = false;
      const applied = await tx(['records', 'outbox', 'conflicts', 'meta'], 'readwrite', (t) => applyPage(t, store.clientId, page));
      if (applied.changes || page.reset || page.conflicts?.length) store.changed();
      if (!page.more) return;
    }
  }

  // -- triggers -----------------------------------------------------------------------------------
  const onOnline = () => trigger({ resetBackoff: true });
  const onOffline = () => report({ state: 'offline', nextAttemptAt: null });

  return {
    start() {
      events.addEventListener?.('online', onOnline);
      events.addEventListener?.('offline', onOffline);
      periodTimer = timers.setInterval(() => {
        if (online() && !signedOut && retryTimer === null && !running) trigger();
      }, PERIOD_MS);
      unsubscribe = store.subscribe(({ source }) => {
        if (source !== 'local' || !online() || signedOut || retryTimer !== null) return;
        if (writeTimer !== null) timers.clearTimeout(writeTimer);
        writeTimer = timers.setTimeout(() => {
          writeTimer = null;
          trigger();
        }, AFTER_WRITE_MS);
      });
      trigger();
    },

    /** After a new sign-in: a sync that waited for it goes now. */
    resume() {
      if (!signedOut) return;
      signedOut = false;
      trigger({ resetBackoff: true });
    },

    syncNow() {
      signedOut = false;
      retryFailedBlobs = true;
      forced = true;
      return trigger({ resetBackoff: true });
    },

    stop() {
      stopped = true;
      events.removeEventListener?.('online', onOnline);
      events.removeEventListener?.('offline', onOffline);
      for (const timer of [retryTimer, writeTimer]) if (timer !== null) timers.clearTimeout(timer);
      if (periodTimer !== null) timers.clearInterval(periodTimer);
      unsubscribe();
    },

    /** The run in progress, if any (tests wait on it). */
    get running() {
      return running;
    },
  };
}
