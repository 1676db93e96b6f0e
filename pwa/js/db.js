// The one owner of IndexedDB. It opens the database "rasd" and upgrades it step by step; other
// modules call the functions below and never open the database themselves.
//
// Stores (version 2):
//   kv         small values of this device (signed-in user, device id, preferences)
//   records    the local copy of every entity, key [entity, entity_id]:
//              {entity, entity_id, fields: {name: {value, version, hlc, server?}}, deleted}
//   outbox     the ops not yet acknowledged (and the rejected ones), key seq, as protocol v1
//              wants them plus {state: 'pending'|'rejected', reason, created_at}
//   blobs      attachment bytes by sha256: {sha256, blob, mime, size, uploaded, error}
//   meta       sync state by name: client_id, hlc, last_seq, server_last_seq, cursor, last_sync_at
//   conflicts  the conflicts the server reported, key id
//
// Rules (see jakearchibald/idb): upgrades are cumulative and never edited once shipped — a phone
// may jump from any old version to the newest; never await anything but IndexedDB inside a
// transaction (it would auto-commit); close on `versionchange` so another tab can upgrade.

export const DB_NAME = 'rasd';

/** Upgrade i takes the database from version i to version i + 1. Append only. */
export const UPGRADES = Object.freeze([
  {
    name: 'kv: small values of this device (signed-in user, device id, preferences)',
    run(db) {
      db.createObjectStore('kv');
    },
  },
  {
    name: 'records, outbox, blobs, meta, conflicts: the local copy of the data and the sync queue',
    run(db) {
      const records = db.createObjectStore('records', { keyPath: ['entity', 'entity_id'] });
      records.createIndex('by_entity', 'entity');
      // Findings, actions and attachments name their visit: a visit's children in one lookup.
      records.createIndex('by_visit', 'fields.visit_id.value');
      const outbox = db.createObjectStore('outbox', { keyPath: 'seq' });
      outbox.createIndex('by_state', 'state');
      db.createObjectStore('blobs', { keyPath: 'sha256' });
      db.createObjectStore('meta');
      db.createObjectStore('conflicts', { keyPath: 'id' });
    },
  },
]);

export const DB_VERSION = UPGRADES.length;

/** Run the upgrades a database at `oldVersion` has not had yet. */
export function upgrade(db, oldVersion, transaction) {
  for (const step of UPGRADES.slice(oldVersion)) step.run(db, transaction);
}

let opening = null;

export function openDb(factory = globalThis.indexedDB) {
  opening ??= new Promise((resolve, reject) => {
    const request = factory.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion, request.transaction);
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
    request.onblocked = () => console.warn('rasd: database upgrade waits for another tab to close');
  });
  return opening;
}

export function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('transaction aborted'));
    transaction.onerror = () => reject(transaction.error);
  });
}

export async function kvGet(key) {
  const db = await openDb();
  return done(db.transaction('kv', 'readonly').objectStore('kv').get(key));
}

export async function kvSet(key, value) {
  const db = await openDb();
  const transaction = db.transaction('kv', 'readwrite');
  transaction.objectStore('kv').put(value, key);
  return committed(transaction);
}

export async function kvDelete(key) {
  const db = await openDb();
  const transaction = db.transaction('kv', 'readwrite');
  transaction.objectStore('kv').delete(key);
  return committed(transaction);
}

/** Promise-returning views of an object store or index; every call is one IndexedDB request. */
function wrapSource(source) {
  return {
    get: (query) => done(source.get(query)),
    getAll: (query, count) => done(source.getAll(query, count)),
    getAllKeys: (query, count) => done(source.getAllKeys(query, count)),
    count: (query) => done(source.count(query)),
  };
}

function wrapStore(store) {
  return {
    ...wrapSource(store),
    raw: store,
    put: (value, key) => done(key === undefined ? store.put(value) : store.put(value, key)),
    add: (value, key) => done(key === undefined ? store.add(value) : store.add(value, key)),
    delete: (query) => done(store.delete(query)),
    clear: () => done(store.clear()),
    index: (name) => wrapSource(store.index(name)),
  };
}

/**
 * Run `fn` in one transaction over `stores` ('readonly' or 'readwrite'); resolves with what `fn`
 * returned once the transaction has committed, and aborts it if `fn` throws.
 *
 * `fn(t)` gets `t.store(name)` (get, getAll, getAllKeys, count, put, add, delete, clear,
 * index(name)), all promises. Inside `fn`, await only these: awaiting anything else (fetch, a
 * timer, crypto.subtle) lets the transaction commit early, and the next request fails with
 * TransactionInactiveError.
 */
export async function tx(stores, mode, fn) {
  const db = await openDb();
  const transaction = db.transaction(stores, mode);
  const finished = committed(transaction);
  const wrapped = new Map();
  const t = {
    transaction,
    store(name) {
      if (!wrapped.has(name)) wrapped.set(name, wrapStore(transaction.objectStore(name)));
      return wrapped.get(name);
    },
  };
  let result;
  try {
    result = await fn(t);
  } catch (error) {
    try {
      transaction.abort();
    } catch {
      // already finished: the error below is the one that matters
    }
    await finished.catch(() => {});
    throw error;
  }
  await finished;
  return result;
}
