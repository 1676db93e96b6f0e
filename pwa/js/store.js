// The store: the one API the screens use to read and write the inspector's data. Everything is
// local (IndexedDB, through db.js) and works without network; sync/engine.js sends and fetches in
// the background. Every write changes the local record and appends its op to the outbox in ONE
// IndexedDB transaction: once a call has resolved, what was typed survives a reload, a crash or a
// week offline, and will reach the server.
//
//   const store = await openStore();          // the same store for the whole page
//
// Reading (all async, all local):
//   listAgencies()            → [{id, code, body, wilaya_code, kind, parent_id, name_ar, name_fr, latitude, longitude}]
//                               sorted by code (what the server sent for this user's scope)
//   listTemplates()           → [{id, template_key, version, status, title: {ar, fr, en}}]
//   getTemplateVersion(id)    → {id, template_key, version, status, document} | null  (document: the checklist JSON)
//   listAssignments()         → [{id, ...fields as the server sends them}]
//   listVisits()              → [{id, agency_id, template_version_id, assignment_id, started_at, location,
//                                 status, answered, pending, rejected}]  newest first
//   getVisit(id)              → {id, agency_id, template_version_id, assignment_id, started_at, location, status,
//                                 signature, review_comment, answers: {itemKey: {value, note}},
//                                 findings: [{id, ...}], actions: [{id, ...}], attachments: [{id, sha256, mime, size,
//                                 item_key, taken_at, ...}], pending, rejected} | null
//                               pending / rejected: how many of its ops (and its children's) wait for the
//                               server / were refused by it
//   list(entity) / get(entity, id)   any entity as {id, ...fields} (get: null when missing or deleted)
//   getBlobURL(sha256)        → a URL to show the attachment: an object URL (blob:…) while the bytes are on
//                               this device (revoke it with URL.revokeObjectURL when done), else /api/blobs/<sha256>
//   status()                  → {pending, oldestAgeMs, photosPending, photosFailed: [{sha256, error}],
//                                 rejected: [{seq, op_id, entity, entity_id,
//                                 kind, field, value, reason: {code, message, field}}], conflicts: [ConflictView],
//                                 lastSyncAt, online, sync: {state, error, nextAttemptAt}}
//                               sync.state: 'idle' | 'running' | 'waiting' (backoff) | 'offline' | 'signed_out' | 'error'
//
// Writing (each resolves once stored; each throws StoreError {code, field, message} on a write the
// server would refuse for sure, and then stores nothing):
//   createVisit({agency_id, template_version_id, assignment_id, location}) → id   (status 'draft')
//   setAnswer(visitId, itemKey, value, note)   note undefined keeps the current note; null clears it
//   setField(entity, id, field, value)         e.g. ('visit', id, 'signature', {...}), ('action', id, 'status', 'done')
//   createEntity(entity, fields) → id          'finding' | 'action' | 'attachment'; fields include visit_id
//   deleteEntity(entity, id)
//   submitVisit(id)
//   addBlob(visitId, itemKey, blob, mime = blob.type, {location} = {}) → {attachment_id, sha256}
//                               hashes the bytes, keeps them until the server holds them whole, and
//                               creates the attachment entity
//   dismissRejected(seq)       forget a rejected op once the user has read it
//
// Moving data by hand (when a phone cannot sync, e.g. before it is handed back):
//   exportUnsynced()           → Blob (application/json): the outbox and the bytes not yet uploaded (base64)
//   importUnsynced(file)       → {ops, blobs, skipped}: appends those ops to this device's outbox (new seqs,
//                               same op ids) and keeps the bytes
//
// Changes:
//   subscribe(fn) → unsubscribe   fn({source}) after any change: 'local' (a write here), 'sync' (the
//                               engine applied server data), 'status' (sync state), 'other-tab'
//
// All ids are UUIDs made on the device (crypto.randomUUID). Values must be JSON data.
// store.clientId is this device's client id (the device id it signs in with).

import { byText } from './core/compare.js';
import { tx } from './db.js';
import { checkCreate, checkEntity, checkSet, isUuid, MAX_BLOB_BYTES, MIME_TYPES, StoreError } from './sync/entities.js';
import { appendOps, RECORD_STORES } from './sync/local.js';
import { ANSWER_PREFIX, plain, visitView } from './sync/model.js';
import { exportUnsynced, importUnsynced, sha256Hex } from './sync/transfer.js';

export { sha256Hex, StoreError };

const CHANNEL = 'rasd-store';
const CHILDREN = ['finding', 'action', 'attachment'];
// The store's methods that change this device's data, and those that read it (see createStore).
const WRITES = ['createVisit', 'setAnswer', 'setField', 'createEntity', 'deleteEntity', 'submitVisit', 'addBlob', 'dismissRejected', 'importUnsynced'];
const READS = ['list', 'get', 'listAgencies', 'listTemplates', 'getTemplateVersion', 'listAssignments', 'listVisits', 'getVisit', 'getBlobURL', 'status', 'exportUnsynced'];

let opening = null;

/** The store of this page (opened once). */
export function openStore() {
  opening ??= createStore().catch((error) => {
    opening = null;
    throw error;
  });
  return opening;
}

/** This device's client id: the device id the session signs in with (kv), kept in meta too. */
async function ensureClientId() {
  // Every start after the first finds both ids in place: read them, without a write transaction.
  const known = await tx(['kv', 'meta'], 'readonly', async (t) => [await t.store('meta').get('client_id'), await t.store('kv').get('device_id')]);
  if (isUuid(known[0]) && known[0] === known[1]) return known[0];
  return tx(['kv', 'meta'], 'readwrite', async (t) => {
    const meta = t.store('meta');
    const kv = t.store('kv');
    let id = (await meta.get('client_id')) ?? (await kv.get('device_id'));
    if (!isUuid(id)) id = crypto.randomUUID();
    await meta.put(id, 'client_id');
    if ((await kv.get('device_id')) !== id) await kv.put(id, 'device_id');
    return id;
  });
}

async function createStore() {
  const clientId = await ensureClientId();
  const listeners = new Set();
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
  let syncState = { state: 'idle', error: null, nextAttemptAt: null };

  function emit(event) {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('rasd: a store listener failed', error);
      }
    }
  }

  function notify(source) {
    emit({ source });
    channel?.postMessage({ source });
  }

  if (channel) channel.onmessage = () => emit({ source: 'other-tab' });

  /** Append ops (and apply them to their records) in one transaction; `extra` stores join it. */
  async function write(specs, { extra = [], before = null } = {}) {
    const entries = await tx([...RECORD_STORES, ...extra], 'readwrite', async (t) => {
      if (before) await before(t);
      return appendOps(t, clientId, specs);
    });
    notify('local');
    return entries;
  }

  async function readRecord(entity, id) {
    return tx('records', 'readonly', (t) => t.store('records').get([entity, id]));
  }

  async function requireRecord(entity, id) {
    const record = await readRecord(entity, id);
    if (!record || record.deleted) throw new StoreError('unknown_entity', `No ${entity} ${id} on this device.`, 'entity_id');
    return record;
  }

  async function listRecords(entity) {
    const records = await tx('records', 'readonly', (t) => t.store('records').index('by_entity').getAll(entity));
    return records.filter((record) => !record.deleted);
  }

  /** How many pending and rejected ops concern each visit (its own and its children's). */
  async function opCounts(t) {
    const counts = new Map();
    const records = t.store('records');
    for (const entry of await t.store('outbox').getAll()) {
      let visitId = entry.entity === 'visit' ? entry.entity_id : entry.value?.visit_id;
      if (!visitId && entry.entity !== 'visit') {
        visitId = (await records.get([entry.entity, entry.entity_id]))?.fields?.visit_id?.value;
      }
      if (!visitId) continue;
      const count = counts.get(visitId) ?? { pending: 0, rejected: 0 };
      count[entry.state === 'rejected' ? 'rejected' : 'pending'] += 1;
      counts.set(visitId, count);
    }
    return counts;
  }

  const store = {
    clientId,

    // -- reading ----------------------------------------------------------------------------------
    async list(entity) {
      return (await listRecords(entity)).map(plain);
    },

    async get(entity, id) {
      const record = await readRecord(entity, id);
      return record && !record.deleted ? plain(record) : null;
    },

    async listAgencies() {
      return (await this.list('agency')).sort((a, b) => byText(a.code, b.code));
    },

    async listTemplates() {
      return (await this.list('template_version'))
        .map(({ document, ...rest }) => ({ ...rest, title: document?.title ?? null }))
        .sort((a, b) => byText(a.template_key, b.template_key) || (b.version ?? 0) - (a.version ?? 0));
    },

    async getTemplateVersion(id) {
      return this.get('template_version', id);
    },

    async listAssignments() {
      return (await this.list('assignment')).sort((a, b) => byText(a.due_on, b.due_on));
    },

    async listVisits() {
      const { visits, counts } = await tx(['records', 'outbox'], 'readonly', async (t) => ({
        visits: await t.store('records').index('by_entity').getAll('visit'),
        counts: await opCounts(t),
      }));
      return visits
        .filter((record) => !record.deleted)
        .map((record) => {
          const { answers, findings, actions, attachments, signature, review_comment: _, ...summary } = visitView(record);
          return { ...summary, answered: Object.keys(answers).length, ...(counts.get(record.entity_id) ?? { pending: 0, rejected: 0 }) };
        })
        .sort((a, b) => byText(b.started_at, a.started_at));
    },

    async getVisit(id) {
      const found = await tx(['records', 'outbox'], 'readonly', async (t) => {
        const records = t.store('records');
        const visit = await records.get(['visit', id]);
        if (!visit || visit.deleted) return null;
        return { visit, children: await records.index('by_visit').getAll(id), counts: await opCounts(t) };
      });
      if (!found) return null;
      const children = found.children.filter((child) => CHILDREN.includes(child.entity));
      return { ...visitView(found.visit, children), ...(found.counts.get(id) ?? { pending: 0, rejected: 0 }) };
    },

    async getBlobURL(sha256) {
      const held = await tx('blobs', 'readonly', (t) => t.store('blobs').get(sha256));
      if (held?.blob) return URL.createObjectURL(held.blob);
      return `/api/blobs/${sha256}`;
    },

    async status() {
      const { outbox, blobs, conflicts, lastSyncAt } = await tx(['outbox', 'blobs', 'conflicts', 'meta'], 'readonly', async (t) => ({
        outbox: await t.store('outbox').getAll(),
        blobs: await t.store('blobs').getAll(),
        conflicts: await t.store('conflicts').getAll(),
        lastSyncAt: (await t.store('meta').get('last_sync_at')) ?? null,
      }));
      const pending = outbox.filter((entry) => entry.state === 'pending');
      const oldest = Math.min(...pending.map((entry) => entry.created_at ?? Date.now()));
      return {
        pending: pending.length,
        oldestAgeMs: pending.length ? Math.max(0, Date.now() - oldest) : 0,
        photosPending: blobs.filter((held) => held.blob).length,
        photosFailed: blobs.filter((held) => held.blob && held.error).map(({ sha256, error }) => ({ sha256, error })),
        rejected: outbox
          .filter((entry) => entry.state === 'rejected')
          .map(({ seq, op_id, entity, entity_id, kind, field, value, reason }) => ({ seq, op_id, entity, entity_id, kind, field, value, reason })),
        conflicts: conflicts.filter((conflict) => conflict.status === 'open'),
        lastSyncAt,
        online: globalThis.navigator?.onLine ?? true,
        sync: { ...syncState },
      };
    },

    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    // -- writing ----------------------------------------------------------------------------------
    async createVisit({ agency_id, template_version_id, assignment_id = null, location = null } = {}) {
      const id = crypto.randomUUID();
      const fields = { agency_id, template_version_id, started_at: new Date().toISOString() };
      if (assignment_id) fields.assignment_id = assignment_id;
      if (location) fields.location = location;
      checkCreate('visit', fields);
      await write([{ entity: 'visit', entity_id: id, kind: 'create', value: fields }]);
      return id;
    },

    async setAnswer(visitId, itemKey, value, note) {
      const field = `${ANSWER_PREFIX}${itemKey}`;
      checkSet('visit', field, { value: value ?? null, note: note ?? null });
      await requireRecord('visit', visitId);
      const answer = (record) => ({
        value: value ?? null,
        note: note === undefined ? record?.fields?.[field]?.value?.note ?? null : note,
      });
      await write([{ entity: 'visit', entity_id: visitId, kind: 'set', field, value: answer }]);
    },

    async setField(entity, id, field, value) {
      checkSet(entity, field, value);
      await requireRecord(entity, id);
      await write([{ entity, entity_id: id, kind: 'set', field, value }]);
    },

    async createEntity(entity, fields) {
      if (!CHILDREN.includes(entity)) {
        throw new StoreError('unknown_entity_type', `createEntity makes a finding, an action or an attachment, not ${entity}.`, 'entity');
      }
      checkCreate(entity, fields);
      await requireRecord('visit', fields.visit_id);
      const id = crypto.randomUUID();
      await write([{ entity, entity_id: id, kind: 'create', value: { ...fields } }]);
      return id;
    },

    async deleteEntity(entity, id) {
      checkEntity(entity);
      await requireRecord(entity, id);
      await write([{ entity, entity_id: id, kind: 'delete' }]);
    },

    async submitVisit(id) {
      await requireRecord('visit', id);
      await write([{ entity: 'visit', entity_id: id, kind: 'submit' }]);
    },

    async addBlob(visitId, itemKey, blob, mime = blob?.type, { location = null } = {}) {
      if (!(blob instanceof Blob)) throw new StoreError('invalid_value', 'Expected a Blob or a File.', 'blob');
      if (!MIME_TYPES.includes(mime)) throw new StoreError('invalid_value', `mime: expected one of ${MIME_TYPES.join(', ')}.`, 'mime');
      if (blob.size < 1 || blob.size > MAX_BLOB_BYTES) throw new StoreError('too_large', 'The file is empty or too large.', 'size');
      await requireRecord('visit', visitId);
      // Read and hash before the transaction: crypto.subtle must not be awaited inside one.
      const buffer = await blob.arrayBuffer();
      const sha256 = await sha256Hex(buffer);
      const attachment_id = crypto.randomUUID();
      const fields = { visit_id: visitId, item_key: itemKey ?? null, sha256, size: buffer.byteLength, mime, taken_at: new Date().toISOString() };
      if (location) fields.location = location;
      checkCreate('attachment', fields);
      const keep = async (t) => {
        const blobs = t.store('blobs');
        const held = await blobs.get(sha256);
        // The same photo twice is stored once; bytes the server already holds are not kept again.
        if (!held) {
          await blobs.put({ sha256, blob: new Blob([buffer], { type: mime }), mime, size: buffer.byteLength, uploaded: 0, error: null, created_at: Date.now() });
        }
      };
      await write([{ entity: 'attachment', entity_id: attachment_id, kind: 'create', value: fields }], { extra: ['blobs'], before: keep });
      return { attachment_id, sha256 };
    },

    async dismissRejected(seq) {
      await tx('outbox', 'readwrite', async (t) => {
        const entry = await t.store('outbox').get(seq);
        if (entry?.state === 'rejected') await t.store('outbox').delete(seq);
      });
      notify('local');
    },

    // -- moving data by hand (sync/transfer.js) ----------------------------------------------------
    async exportUnsynced() {
      return exportUnsynced(clientId);
    },

    async importUnsynced(file) {
      const counts = await importUnsynced(clientId, file);
      notify('local');
      return counts;
    },

    // -- for sync/engine.js -----------------------------------------------------------------------
    /** The engine reports its state here (shown by status()); listeners hear 'status'. */
    reportSync(state) {
      syncState = { ...syncState, ...state };
      emit({ source: 'status' });
    },

    /** The engine changed records or the outbox. */
    changed() {
      notify('sync');
    },
  };

  // Writes run one after the other, and reads wait for the writes asked for before them on this
  // page. Without it, a screen opened while the one it replaces still saves what was typed read
  // the value from before and showed it: a write reads its record before it opens its transaction,
  // and IndexedDB orders transactions by when they are opened, not by when they were asked for.
  let writes = Promise.resolve();
  for (const name of WRITES) {
    const method = store[name];
    store[name] = (...args) => {
      const run = writes.then(() => method.apply(store, args));
      writes = run.catch(() => {}); // a refused write is the caller's to report; the next one runs
      return run;
    };
  }
  for (const name of READS) {
    const method = store[name];
    store[name] = async (...args) => {
      await writes;
      return method.apply(store, args);
    };
  }
  return store;
}
