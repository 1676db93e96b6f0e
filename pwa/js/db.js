// The one owner of IndexedDB. It opens the database "rasd" and upgrades it step by step; other
// modules call the functions below and never open the database themselves.
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

function done(request) {
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
