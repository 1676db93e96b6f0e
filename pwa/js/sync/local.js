// The device's side of sync, inside IndexedDB transactions: recording ops with their records,
// applying a pulled page with its cursor, settling a push answer, following a seq gap. Each
// function takes an open transaction `t` (db.js tx) and awaits nothing but IndexedDB, so the
// record, the outbox and the meta it touches change together or not at all.
//
// Meta keys: client_id, hlc (the clock's last stamp), last_seq (the last seq given to an op),
// server_last_seq (the last seq the server acknowledged), cursor, last_sync_at.

import { Clock, isHlc } from './hlc.js';
import { applyChange, applyLocal, baseVersion, DELETED, fieldKey, pendingKeys, settle, writesOf } from './model.js';
import { checkValue, fitsInPush, realign } from './outbox.js';
import { StoreError } from './entities.js';

export const RECORD_STORES = ['records', 'outbox', 'meta'];

export async function clockOf(t, clientId) {
  const last = await t.store('meta').get('hlc');
  return new Clock(clientId, { last: isHlc(last) ? last : null });
}

export async function pendingEntries(t) {
  return t.store('outbox').index('by_state').getAll('pending');
}

function baseFor(record, kind, field) {
  if (kind === 'set') return baseVersion(record, field);
  if (kind === 'submit') return baseVersion(record, 'status');
  if (kind === 'delete') return baseVersion(record, DELETED);
  return 0;
}

/**
 * Record ops in the outbox and apply them to their records, in the caller's transaction over
 * records, outbox and meta. A spec is {entity, entity_id, kind, field, value} where `value` may be
 * a function of the current record (e.g. keep an answer's note). Imported ops bring their own
 * op_id, hlc and base_version. Returns the outbox entries written.
 */
export async function appendOps(t, clientId, specs, now = Date.now()) {
  const meta = t.store('meta');
  const records = t.store('records');
  const outbox = t.store('outbox');
  const clock = await clockOf(t, clientId);
  let lastSeq = (await meta.get('last_seq')) ?? 0;
  const entries = [];
  for (const spec of specs) {
    const key = [spec.entity, spec.entity_id];
    const record = await records.get(key);
    const value = typeof spec.value === 'function' ? spec.value(record) : spec.value ?? null;
    const problem = checkValue(value);
    if (problem !== null) throw new StoreError('invalid_value', `${spec.field ?? spec.entity}: ${problem}.`, spec.field ?? 'value');
    let hlc;
    if (spec.hlc) {
      clock.observe(spec.hlc); // an imported op: later local changes stay later than it
      hlc = spec.hlc;
    } else {
      hlc = clock.now();
    }
    lastSeq += 1;
    const entry = {
      op_id: spec.op_id ?? crypto.randomUUID(),
      seq: lastSeq,
      entity: spec.entity,
      entity_id: spec.entity_id,
      kind: spec.kind,
      field: spec.field ?? null,
      value,
      base_version: spec.base_version ?? baseFor(record, spec.kind, spec.field),
      hlc,
      state: 'pending',
      created_at: spec.created_at ?? now,
      ...(spec.imported ? { imported: true } : {}),
    };
    if (!fitsInPush(entry)) throw new StoreError('payload_too_large', `${spec.field ?? spec.entity}: too big for one push.`, spec.field ?? 'value');
    await outbox.add(entry);
    // An imported op older than what this device shows is sent, but does not change the screen.
    const shown = writesOf(entry).every(([name]) => !record?.fields?.[name] || record.fields[name].hlc < hlc);
    if (!spec.imported || shown) await records.put(applyLocal(record, entry));
    entries.push(entry);
  }
  await meta.put(lastSeq, 'last_seq');
  await meta.put(clock.last, 'hlc');
  return entries;
}

/**
 * Apply one pulled page and store its cursor, in the caller's transaction over records, outbox,
 * conflicts and meta. `reset` rebuilds the copy from scratch: records and conflicts are emptied,
 * and the ops still pending are laid on again before the page, so nothing typed disappears.
 */
export async function applyPage(t, clientId, page) {
  const records = t.store('records');
  const conflicts = t.store('conflicts');
  const meta = t.store('meta');
  const pending = await pendingEntries(t);
  if (page.reset) {
    await records.clear();
    await conflicts.clear();
    const rebuilt = new Map();
    for (const entry of pending.sort((a, b) => a.seq - b.seq)) {
      const key = `${entry.entity}\u0000${entry.entity_id}`;
      rebuilt.set(key, applyLocal(rebuilt.get(key), entry));
    }
    for (const record of rebuilt.values()) await records.put(record);
  }
  const keys = pendingKeys(pending);
  const clock = await clockOf(t, clientId);
  const touched = new Map(); // a page often holds several fields of one record: read it once
  for (const change of page.changes ?? []) {
    const id = `${change.entity}\u0000${change.entity_id}`;
    const record = touched.has(id) ? touched.get(id) : await records.get([change.entity, change.entity_id]);
    touched.set(id, applyChange(record, change, keys));
    if (isHlc(change.hlc)) clock.observe(change.hlc); // a malformed stamp is not worth a stuck sync
  }
  for (const record of touched.values()) await records.put(record);
  for (const conflict of page.conflicts ?? []) await conflicts.put(conflict);
  await meta.put(page.cursor, 'cursor');
  await meta.put(page.last_seq ?? 0, 'pulled_last_seq');
  await meta.put(clock.last, 'hlc');
  return { changes: page.changes?.length ?? 0, records: touched.size };
}

/**
 * Settle a push answer, in the caller's transaction over records, outbox and meta: acknowledged
 * entries leave the outbox (rejected ones stay, with their reason) and their records take the
 * server's verdict. An op refused as duplicate_op_id is one the server already holds (op ids are
 * random UUIDs: it came through another device, from an export of this one or imported from it),
 * so it simply leaves; its record falls back to the server's value until the next pull.
 */
export async function applyAcks(t, acknowledged, lastSeq, now = Date.now()) {
  const outbox = t.store('outbox');
  const records = t.store('records');
  for (const { entry, result } of acknowledged) {
    const current = await outbox.get(entry.seq);
    if (!current || current.op_id !== entry.op_id || current.state !== 'pending') continue; // settled already
    const held = result.outcome === 'rejected' && result.reason?.code === 'duplicate_op_id';
    if (result.outcome === 'rejected' && !held) {
      await outbox.put({ ...current, state: 'rejected', reason: result.reason ?? null, rejected_at: now });
    } else {
      await outbox.delete(entry.seq);
    }
  }
  const keys = pendingKeys(await pendingEntries(t));
  for (const { entry, result } of acknowledged) {
    const record = await records.get([entry.entity, entry.entity_id]);
    if (record) await records.put(settle(record, entry, result, keys));
  }
  const meta = t.store('meta');
  await meta.put(Math.max(lastSeq, (await meta.get('server_last_seq')) ?? 0), 'server_last_seq');
}

/**
 * Follow a 409 seq_gap that names `expectedSeq` (the plan is outbox.js realign), in the caller's transaction over outbox
 * and meta. Pending entries move to their new seqs with their op ids; rejected entries in the way
 * (seqs the server no longer remembers after a restore) move to negative keys, so that no seq the
 * device will send again is taken.
 */
export async function applyRealign(t, expectedSeq) {
  const outbox = t.store('outbox');
  const meta = t.store('meta');
  const plan = realign(await pendingEntries(t), expectedSeq, (await meta.get('last_seq')) ?? 0);
  for (const entry of plan.held) await outbox.delete(entry.seq);
  if (plan.renumbered.length) {
    const start = plan.renumbered[0][1].seq;
    let free = Math.min(0, ...(await outbox.getAllKeys()).map(Number)) - 1;
    for (const entry of await outbox.index('by_state').getAll('rejected')) {
      if (entry.seq < start) continue;
      await outbox.delete(entry.seq);
      await outbox.put({ ...entry, seq: free, sent_seq: entry.sent_seq ?? entry.seq });
      free -= 1;
    }
    for (const [oldSeq] of plan.renumbered) await outbox.delete(oldSeq); // first: a new seq may be an old one
    for (const [, entry] of plan.renumbered) await outbox.put(entry);
    await meta.put(plan.lastSeq, 'last_seq');
  }
  return plan;
}

export { fieldKey };
