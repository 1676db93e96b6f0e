// The local copy: local writes, pulled changes merged around pending local ops, the server's
// answers, a reset, a seq gap. model.js directly, and local.js through an in-memory stand-in for
// an IndexedDB transaction (same calls as db.js tx gives).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyAcks, applyPage, applyRealign, appendOps } from '../js/sync/local.js';
import { applyChange, applyLocal, DELETED, fieldKey, pendingKeys, plain, settle, visitView } from '../js/sync/model.js';
import { checkCreate, checkSet, StoreError } from '../js/sync/entities.js';

const ME = '0c2f6e1e-0b0a-4c4a-9e3b-7e4c2a1b3c4d';
const OTHER = '7d1e2f3a-4b5c-4d6e-8f70-819293a4b5c6';
const VISIT = '5b0d8f4e-3c2a-4e1b-9f7d-2a6c1e8b4d30';
const FINDING = '6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f';
const AGENCY = 'c1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b';
const stamp = (ms, counter = 0, client = ME) => `${ms}-${String(counter).padStart(4, '0')}-${client}`;

function op(kind, field, value, extra = {}) {
  return { op_id: crypto.randomUUID(), seq: 1, entity: 'visit', entity_id: VISIT, kind, field, value, base_version: 0, hlc: stamp(1718000000100), state: 'pending', ...extra };
}

function change(field, value, version, hlc = stamp(1718000000050, 0, OTHER), extra = {}) {
  return { entity: 'visit', entity_id: VISIT, field, value, version, hlc, author: null, deleted: false, ...extra };
}

// -- model.js --------------------------------------------------------------------------------------

test('a local write shows at once and keeps the server state aside', () => {
  let record = applyChange(null, change('answers.q1', { value: 'yes', note: null }, 3));
  record = applyLocal(record, op('set', 'answers.q1', { value: 'no', note: 'x' }));
  assert.deepEqual(record.fields['answers.q1'].value, { value: 'no', note: 'x' });
  assert.equal(record.fields['answers.q1'].version, 3, 'the version last seen: the base of the next write');
  assert.deepEqual(record.fields['answers.q1'].server.value, { value: 'yes', note: null });
});

test('a pulled change never overwrites a field with a pending local op, and waits aside', () => {
  const mine = op('set', 'answers.q1', { value: 'no', note: null });
  let record = applyLocal(null, mine);
  const pending = pendingKeys([mine]);
  record = applyChange(record, change('answers.q1', { value: 'yes', note: null }, 2), pending);
  record = applyChange(record, change('answers.q2', { value: 5, note: null }, 1), pending);
  assert.deepEqual(record.fields['answers.q1'].value, { value: 'no', note: null }, 'what the inspector typed stays');
  assert.equal(record.fields['answers.q1'].server.version, 2);
  assert.deepEqual(record.fields['answers.q2'].value, { value: 5, note: null }, 'other fields follow the server');
  // Once nothing is pending any more, pulled changes apply; stale ones (older versions) do not.
  record = applyChange(record, change('answers.q2', { value: 7, note: null }, 2));
  record = applyChange(record, change('answers.q2', { value: 1, note: null }, 1));
  assert.deepEqual(record.fields['answers.q2'].value, { value: 7, note: null });
});

test('the server answer decides: applied keeps ours, superseded takes theirs, conflict keeps the winner', () => {
  const mine = op('set', 'answers.q1', { value: 'no', note: null });
  const base = applyChange(applyLocal(null, mine), change('answers.q1', { value: 'yes', note: null }, 2), pendingKeys([mine]));

  const applied = settle(base, mine, { outcome: 'applied', version: 3 });
  assert.deepEqual(applied.fields['answers.q1'], { value: { value: 'no', note: null }, version: 3, hlc: mine.hlc });

  const superseded = settle(base, mine, { outcome: 'superseded', version: 2 });
  assert.deepEqual(superseded.fields['answers.q1'].value, { value: 'yes', note: null });
  assert.equal(superseded.fields['answers.q1'].version, 2);
  assert.equal(superseded.fields['answers.q1'].server, undefined);

  const conflictWeWon = settle(base, mine, { outcome: 'conflict', version: 3, conflict_id: 'c' });
  assert.deepEqual(conflictWeWon.fields['answers.q1'].value, { value: 'no', note: null });
  const conflictTheyWon = settle(base, mine, { outcome: 'conflict', version: 2, conflict_id: 'c' });
  assert.deepEqual(conflictTheyWon.fields['answers.q1'].value, { value: 'yes', note: null });

  // Superseded by a write this device has not pulled yet: ours stays until the pull brings it,
  // at a version the pull then takes.
  const unseen = settle(applyLocal(null, mine), mine, { outcome: 'superseded', version: 4 });
  assert.deepEqual(unseen.fields['answers.q1'].value, { value: 'no', note: null });
  const pulled = applyChange(unseen, change('answers.q1', { value: 'maybe', note: null }, 4));
  assert.deepEqual(pulled.fields['answers.q1'].value, { value: 'maybe', note: null });
});

test('a rejected op falls back to the server value; a refused deletion is undone', () => {
  let record = applyChange(null, change('status', 'submitted', 2));
  const set = op('set', 'status', 'draft');
  record = applyLocal(record, set);
  assert.equal(record.fields.status.value, 'draft');
  record = settle(record, set, { outcome: 'rejected', reason: { code: 'illegal_transition' } });
  assert.equal(record.fields.status.value, 'submitted');

  const remove = op('delete', null, null);
  record = applyLocal(record, remove);
  assert.equal(record.deleted, true);
  record = settle(record, remove, { outcome: 'rejected', reason: { code: 'illegal_transition' } });
  assert.equal(record.deleted, false);
  assert.equal(record.fields[DELETED], undefined);
});

test('a later pending op on the same field keeps showing after an earlier one is acknowledged', () => {
  const first = op('set', 'answers.q1', { value: 1, note: null }, { seq: 1 });
  const second = op('set', 'answers.q1', { value: 2, note: null }, { seq: 2, hlc: stamp(1718000000200) });
  let record = applyLocal(applyLocal(null, first), second);
  record = settle(record, first, { outcome: 'applied', version: 1 }, pendingKeys([second]));
  assert.deepEqual(record.fields['answers.q1'].value, { value: 2, note: null });
  assert.equal(record.fields['answers.q1'].version, 1);
  assert.deepEqual(record.fields['answers.q1'].server.value, { value: 1, note: null });
});

test('a create makes its fields pending; submit makes the status pending; rejected ops make nothing pending', () => {
  const create = op('create', null, { agency_id: AGENCY, template_version_id: OTHER, started_at: '2024-06-10T10:00:00Z' });
  const submit = op('submit', null, null);
  const rejected = op('set', 'answers.q9', { value: 1, note: null }, { state: 'rejected' });
  const keys = pendingKeys([create, submit, rejected]);
  assert.ok(keys.has(fieldKey('visit', VISIT, 'agency_id')));
  assert.ok(keys.has(fieldKey('visit', VISIT, 'status')));
  assert.ok(!keys.has(fieldKey('visit', VISIT, 'answers.q9')));
});

test('server-made records come whole; deletions come as the entity itself', () => {
  const agency = { entity: 'agency', entity_id: AGENCY, field: null, value: { id: AGENCY, code: 'CNAS-16', name_fr: 'Agence' }, version: 1, hlc: stamp(1717927200000), deleted: false };
  let record = applyChange(null, agency);
  assert.deepEqual(plain(record), { id: AGENCY, code: 'CNAS-16', name_fr: 'Agence' });
  record = applyChange(record, { ...agency, value: { id: AGENCY, code: 'CNAS-16' }, version: 2 });
  assert.deepEqual(plain(record), { id: AGENCY, code: 'CNAS-16' }, 'a field the server dropped goes');
  record = applyChange(record, { ...agency, value: null, deleted: true, version: 1 });
  assert.equal(record.deleted, true);
});

test('a visit reads as the screens want it', () => {
  let visit = applyLocal(null, op('create', null, { agency_id: AGENCY, template_version_id: OTHER, started_at: '2024-06-10T10:00:00Z' }));
  visit = applyLocal(visit, op('set', 'answers.signage', { value: 'yes', note: 'clear' }));
  const finding = applyLocal(null, { ...op('create', null, { visit_id: VISIT, severity: 'major', description: 'one counter open' }), entity: 'finding', entity_id: FINDING });
  const gone = applyLocal(applyLocal(null, { ...op('create', null, { visit_id: VISIT, severity: 'minor' }), entity: 'finding', entity_id: OTHER }), { ...op('delete', null, null), entity: 'finding', entity_id: OTHER });
  const view = visitView(visit, [finding, gone]);
  assert.equal(view.status, 'draft');
  assert.equal(view.agency_id, AGENCY);
  assert.deepEqual(view.answers, { signage: { value: 'yes', note: 'clear' } });
  assert.deepEqual(view.findings, [{ id: FINDING, visit_id: VISIT, severity: 'major', description: 'one counter open' }]);
  assert.deepEqual(view.actions, []);
  assert.deepEqual(view.attachments, []);
});

test('writes the server would refuse for sure are refused before anything is stored', () => {
  assert.throws(() => checkSet('visit', 'answers.bad key!', { value: 1, note: null }), { code: 'unknown_field' });
  assert.throws(() => checkSet('visit', 'answers.q1', 'yes'), { code: 'invalid_value', field: 'answers.q1' });
  assert.throws(() => checkSet('visit', 'agency_id', AGENCY), { code: 'fixed_field' });
  assert.throws(() => checkSet('visit', 'colour', 'red'), { code: 'unknown_field' });
  assert.throws(() => checkSet('agency', 'code', 'x'), { code: 'unknown_entity_type' });
  assert.throws(() => checkCreate('finding', { visit_id: VISIT }), { code: 'required', field: 'severity' });
  assert.throws(() => checkCreate('attachment', { visit_id: VISIT, sha256: 'a'.repeat(64), size: 3, mime: 'text/html' }), { code: 'invalid_value', field: 'mime' });
  assert.throws(() => checkCreate('visit', { agency_id: 'CNAS-16', template_version_id: OTHER }), { code: 'invalid_value', field: 'agency_id' });
  checkSet('visit', 'answers.q1', { value: 'yes', note: null });
  checkCreate('visit', { agency_id: AGENCY, template_version_id: OTHER, started_at: '2024-06-10T10:00:00Z' });
});

// -- local.js, on an in-memory transaction ---------------------------------------------------------

function memoryDb() {
  const data = { records: new Map(), outbox: new Map(), meta: new Map(), conflicts: new Map(), blobs: new Map() };
  const keyPath = { records: (v) => [v.entity, v.entity_id], outbox: (v) => v.seq, conflicts: (v) => v.id, blobs: (v) => v.sha256 };
  const norm = (key) => JSON.stringify(key);
  const sorted = (map) => [...map.entries()].sort(([a], [b]) => (JSON.parse(a) < JSON.parse(b) ? -1 : 1));
  const indexes = { by_state: 'state', by_entity: 'entity' };
  const store = (name) => {
    const map = data[name];
    const key = (value, explicit) => norm(explicit !== undefined ? explicit : keyPath[name](value));
    return {
      get: async (k) => structuredClone(map.get(norm(k))),
      getAll: async () => sorted(map).map(([, v]) => structuredClone(v)),
      getAllKeys: async () => sorted(map).map(([k]) => JSON.parse(k)),
      put: async (v, k) => void map.set(key(v, k), structuredClone(v)),
      add: async (v, k) => {
        if (map.has(key(v, k))) throw new Error(`ConstraintError: ${name} ${key(v, k)}`);
        map.set(key(v, k), structuredClone(v));
      },
      delete: async (k) => void map.delete(norm(k)),
      clear: async () => map.clear(),
      index: (index) => ({
        getAll: async (q) => sorted(map).map(([, v]) => structuredClone(v)).filter((v) => v[indexes[index]] === q),
      }),
    };
  };
  // Like db.js tx: all or nothing.
  async function tx(fn) {
    const saved = Object.fromEntries(Object.entries(data).map(([name, map]) => [name, new Map(map)]));
    try {
      return await fn({ store });
    } catch (error) {
      for (const [name, map] of Object.entries(saved)) data[name] = map;
      throw error;
    }
  }
  return { data, tx, record: (entity, id) => data.records.get(norm([entity, id])) };
}

const createVisit = { entity: 'visit', entity_id: VISIT, kind: 'create', value: { agency_id: AGENCY, template_version_id: OTHER, started_at: '2024-06-10T10:00:00Z' } };
const answer = (key, value) => ({ entity: 'visit', entity_id: VISIT, kind: 'set', field: `answers.${key}`, value: { value, note: null } });

test('local writes: seqs 1, 2, 3 with no gap, stamps that always grow, record and op together', async () => {
  const db = memoryDb();
  const first = await db.tx((t) => appendOps(t, ME, [createVisit, answer('q1', 'yes')]));
  const second = await db.tx((t) => appendOps(t, ME, [answer('q1', 'no')]));
  const ops = [...first, ...second];
  assert.deepEqual(ops.map((e) => e.seq), [1, 2, 3]);
  assert.ok(ops[0].hlc < ops[1].hlc && ops[1].hlc < ops[2].hlc);
  assert.equal(new Set(ops.map((e) => e.op_id)).size, 3);
  assert.equal(db.data.meta.get('"last_seq"'), 3);
  assert.equal(db.data.meta.get('"hlc"'), ops[2].hlc);
  assert.deepEqual(db.record('visit', VISIT).fields['answers.q1'].value, { value: 'no', note: null });
  // A value that is not JSON data is refused, and nothing of the call is stored.
  await assert.rejects(db.tx((t) => appendOps(t, ME, [answer('q2', 1), answer('q3', Number.NaN)])), StoreError);
  assert.equal(db.data.outbox.size, 3);
  assert.equal(db.record('visit', VISIT).fields['answers.q2'], undefined);
});

test('a value computed from the record (an answer keeps its note) and the base version of what was seen', async () => {
  const db = memoryDb();
  await db.tx((t) => applyPage(t, ME, { changes: [change('answers.q1', { value: 'yes', note: 'keep me' }, 4)], conflicts: [], cursor: 'c1', more: false, last_seq: 0 }));
  const [entry] = await db.tx((t) => appendOps(t, ME, [{ ...answer('q1'), value: (record) => ({ value: 'no', note: record.fields['answers.q1'].value.note }) }]));
  assert.deepEqual(entry.value, { value: 'no', note: 'keep me' });
  assert.equal(entry.base_version, 4);
});

test('a pulled page: applied with its cursor, pending fields kept, the clock moved past every stamp', async () => {
  const db = memoryDb();
  await db.tx((t) => appendOps(t, ME, [createVisit, answer('q1', 'mine')]));
  const future = stamp(1900000000000, 7, OTHER);
  const page = {
    changes: [change('answers.q1', { value: 'theirs', note: null }, 2), change('review_comment', 'ok', 1, future)],
    conflicts: [{ id: 'k1', entity: 'visit', entity_id: VISIT, field: 'answers.q1', status: 'open', candidates: [] }],
    cursor: 'c2', more: false, last_seq: 0, reset: false,
  };
  await db.tx((t) => applyPage(t, ME, page));
  const record = db.record('visit', VISIT);
  assert.deepEqual(record.fields['answers.q1'].value, { value: 'mine', note: null });
  assert.equal(record.fields.review_comment.value, 'ok');
  assert.equal(db.data.meta.get('"cursor"'), 'c2');
  assert.ok(db.data.conflicts.has('"k1"'));
  const [next] = await db.tx((t) => appendOps(t, ME, [answer('q2', 1)]));
  assert.ok(next.hlc > future, 'a change made after seeing another is later than it');
});

test('acknowledged ops leave, rejected ones stay with their reason, records take the verdict', async () => {
  const db = memoryDb();
  const entries = await db.tx((t) => appendOps(t, ME, [createVisit, answer('q1', 'yes'), answer('q2', 'x')]));
  const results = [
    { op_id: entries[0].op_id, outcome: 'applied', version: 1 },
    { op_id: entries[1].op_id, outcome: 'applied', version: 1 },
    { op_id: entries[2].op_id, outcome: 'rejected', reason: { code: 'unknown_field', message: 'no q2', field: 'answers.q2' } },
  ];
  await db.tx((t) => applyAcks(t, entries.map((entry, i) => ({ entry, result: results[i] })), 3));
  const left = [...db.data.outbox.values()];
  assert.deepEqual(left.map((e) => [e.seq, e.state, e.reason?.code]), [[3, 'rejected', 'unknown_field']]);
  assert.equal(db.record('visit', VISIT).fields['answers.q1'].version, 1);
  assert.equal(db.data.meta.get('"server_last_seq"'), 3);
  // The same answer settled twice (a replayed push) changes nothing more.
  await db.tx((t) => applyAcks(t, entries.map((entry, i) => ({ entry, result: results[i] })), 3));
  assert.equal(db.data.outbox.size, 1);
  // The next op continues the seqs.
  const [next] = await db.tx((t) => appendOps(t, ME, [answer('q3', 1)]));
  assert.equal(next.seq, 4);
});

test('an op the server already holds (duplicate_op_id: delivered through another device) just leaves', async () => {
  const db = memoryDb();
  await db.tx((t) => applyPage(t, ME, { changes: [change('answers.q1', { value: 'server', note: null }, 2)], conflicts: [], cursor: 'c', more: false, last_seq: 0 }));
  const [entry] = await db.tx((t) => appendOps(t, ME, [answer('q1', 'mine')]));
  const result = { op_id: entry.op_id, outcome: 'rejected', reason: { code: 'duplicate_op_id', message: 'used', field: 'op_id' } };
  await db.tx((t) => applyAcks(t, [{ entry, result }], 1));
  assert.equal(db.data.outbox.size, 0, 'not shown as refused work');
  assert.deepEqual(db.record('visit', VISIT).fields['answers.q1'].value, { value: 'server', note: null }, 'the server value until the next pull');
});

test('reset: the copy is rebuilt from the page, and what is still pending stays on screen', async () => {
  const db = memoryDb();
  await db.tx((t) => applyPage(t, ME, { changes: [{ ...change('status', 'draft', 1), entity_id: OTHER }], conflicts: [], cursor: 'old', more: false, last_seq: 0 }));
  await db.tx((t) => appendOps(t, ME, [createVisit, answer('q1', 'typed offline')]));
  await db.tx((t) => applyPage(t, ME, { changes: [change('answers.q1', { value: 'restored', note: null }, 1)], conflicts: [], cursor: 'new', more: true, last_seq: 0, reset: true }));
  assert.equal(db.record('visit', OTHER), undefined, 'the old copy is gone');
  const visit = db.record('visit', VISIT);
  assert.deepEqual(visit.fields['answers.q1'].value, { value: 'typed offline', note: null });
  assert.equal(visit.fields.agency_id.value, AGENCY);
  assert.equal(db.data.outbox.size, 2, 'the outbox is kept');
  assert.equal(db.data.meta.get('"cursor"'), 'new');
});

test('a seq gap after a restore: pending ops move to the expected seqs, rejected ones out of the way', async () => {
  const db = memoryDb();
  const entries = await db.tx((t) => appendOps(t, ME, [createVisit, answer('q1', 1), answer('q2', 2), answer('q3', 3)]));
  await db.tx((t) => applyAcks(t, [
    { entry: entries[0], result: { op_id: entries[0].op_id, outcome: 'applied', version: 1 } },
    { entry: entries[1], result: { op_id: entries[1].op_id, outcome: 'rejected', reason: { code: 'x' } } },
  ], 2));
  // The server was restored to before all of it: it expects seq 1.
  const plan = await db.tx((t) => applyRealign(t, 1));
  assert.equal(plan.renumbered.length, 2);
  const outbox = [...db.data.outbox.values()].sort((a, b) => a.seq - b.seq);
  assert.deepEqual(outbox.map((e) => [e.seq, e.state, e.op_id]), [
    [-1, 'rejected', entries[1].op_id], [1, 'pending', entries[2].op_id], [2, 'pending', entries[3].op_id],
  ]);
  const [next] = await db.tx((t) => appendOps(t, ME, [answer('q4', 4)]));
  assert.equal(next.seq, 3, 'no gap and no collision after the move');
});
