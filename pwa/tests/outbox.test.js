// The outbox rules: what may enter, what goes in a push (order, ≤ 500 ops, ≤ 2 MiB), what an answer
// acknowledges, how a seq gap is followed, and the backoff schedule.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  acknowledge, backoffCeiling, backoffDelay, byteLength, checkValue, fitsInPush, MAX_BATCH_OPS, MAX_PUSH_BYTES,
  nextBatch, pendingOf, ProtocolViolation, realign, wireOp,
} from '../js/sync/outbox.js';

const CLIENT = '0c2f6e1e-0b0a-4c4a-9e3b-7e4c2a1b3c4d';
const VISIT = '5b0d8f4e-3c2a-4e1b-9f7d-2a6c1e8b4d30';

function entry(seq, extra = {}) {
  return {
    op_id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    entity: 'visit',
    entity_id: VISIT,
    kind: 'set',
    field: `answers.q${seq}`,
    value: { value: seq, note: null },
    base_version: 0,
    hlc: `1718000000000-${String(seq % 10_000).padStart(4, '0')}-${CLIENT}`,
    state: 'pending',
    created_at: 1_718_000_000_000 + seq,
    ...extra,
  };
}

test('only portable JSON data may enter the outbox', () => {
  for (const ok of [null, true, 0, -1.5, 'نص', [1, 'a', null], { value: 35, note: null }, { a: { b: [{ c: 2 ** 53 - 1 }] } }]) {
    assert.equal(checkValue(ok), null, JSON.stringify(ok));
  }
  assert.match(checkValue(Number.NaN), /not finite/);
  assert.match(checkValue(Infinity), /not finite/);
  assert.match(checkValue(2 ** 53), /outside/);
  assert.match(checkValue({ when: new Date() }), /not JSON data/);
  assert.match(checkValue([undefined]), /undefined is not JSON data/);
  assert.match(checkValue(() => 1), /function is not JSON data/);
  let deep = 1;
  for (let i = 0; i < 32; i += 1) deep = [deep];
  assert.match(checkValue(deep), /deeper than 32/);
});

test('an op goes on the wire with the protocol keys only', () => {
  const op = wireOp(entry(3, { imported: true, reason: null, field: undefined }));
  assert.deepEqual(Object.keys(op), ['op_id', 'seq', 'entity', 'entity_id', 'kind', 'field', 'value', 'base_version', 'hlc']);
  assert.equal(op.field, null);
});

test('a push carries the pending ops in seq order, at most 500, skipping the rejected ones', () => {
  const entries = Array.from({ length: 1203 }, (_, i) => entry(i + 1));
  entries[1].state = 'rejected';
  entries.reverse(); // IndexedDB index order is not seq order
  const first = nextBatch(entries, CLIENT);
  assert.equal(first.entries.length, MAX_BATCH_OPS);
  assert.deepEqual(first.entries.slice(0, 3).map((e) => e.seq), [1, 3, 4]);
  const body = JSON.parse(first.body);
  assert.equal(body.protocol, 1);
  assert.equal(body.client_id, CLIENT);
  assert.deepEqual(body.ops.map((op) => op.seq), first.entries.map((e) => e.seq));
  assert.ok(body.ops.every((op) => !('state' in op) && !('created_at' in op)));
  assert.equal(nextBatch([entry(1, { state: 'rejected' })], CLIENT), null);
  assert.equal(nextBatch([], CLIENT), null);
});

test('a push stays under 2 MiB: big ops make smaller batches, never a gap', () => {
  const big = 'x'.repeat(300 * 1024);
  const entries = Array.from({ length: 20 }, (_, i) => entry(i + 1, { value: { value: big, note: null } }));
  const batch = nextBatch(entries, CLIENT);
  assert.ok(byteLength(batch.body) <= MAX_PUSH_BYTES);
  assert.ok(batch.entries.length >= 1 && batch.entries.length < 20);
  assert.deepEqual(batch.entries.map((e) => e.seq), Array.from({ length: batch.entries.length }, (_, i) => i + 1));
  assert.equal(fitsInPush(entry(1, { value: { value: 'y'.repeat(MAX_PUSH_BYTES), note: null } })), false);
  assert.equal(fitsInPush(entries[0]), true);
});

test('an answer acknowledges the ops at or below its last_seq, each with its result', () => {
  const batch = [entry(4), entry(5), entry(6)];
  const results = batch.map((e) => ({ op_id: e.op_id, outcome: 'applied', version: 1 }));
  results[1] = { op_id: batch[1].op_id, outcome: 'rejected', reason: { code: 'invalid_value', message: 'no', field: 'x' } };
  const { acknowledged, lastSeq } = acknowledge(batch, { last_seq: 5, results });
  assert.equal(lastSeq, 5);
  assert.deepEqual(acknowledged.map(({ entry: e, result }) => [e.seq, result.outcome]), [[4, 'applied'], [5, 'rejected']]);
  // No progress, or a missing result: a protocol violation, and nothing is dropped.
  assert.throws(() => acknowledge(batch, { last_seq: 3, results }), ProtocolViolation);
  assert.throws(() => acknowledge(batch, { last_seq: 6, results: results.slice(0, 2) }), ProtocolViolation);
  assert.throws(() => acknowledge(batch, null), ProtocolViolation);
});

test('a seq gap after a server restore renumbers the pending ops from the expected seq, op ids unchanged', () => {
  const entries = [entry(7), entry(8), entry(9), entry(3, { state: 'rejected' })];
  const plan = realign(entries, 4, 9);
  assert.deepEqual(plan.held, []);
  assert.deepEqual(plan.renumbered.map(([from, e]) => [from, e.seq, e.op_id]), [
    [7, 4, entry(7).op_id], [8, 5, entry(8).op_id], [9, 6, entry(9).op_id],
  ]);
  assert.equal(plan.lastSeq, 6);
  // The server already holds the first ones: they leave, the rest goes as it is.
  const held = realign([entry(7), entry(8), entry(9)], 9, 9);
  assert.deepEqual(held.held.map((e) => e.seq), [7, 8]);
  assert.deepEqual(held.renumbered, []);
  assert.deepEqual(realign([], 5, 9), { held: [], renumbered: [], lastSeq: 9 });
});

test('backoff: 1 s, 2 s, 4 s … capped at 5 min, with jitter between half and all of it', () => {
  const ceilings = Array.from({ length: 12 }, (_, attempt) => backoffCeiling(attempt));
  assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000]);
  assert.equal(backoffCeiling(10_000), 300000);
  assert.equal(backoffDelay(0, { random: () => 0 }), 500);
  assert.equal(backoffDelay(0, { random: () => 0.999999 }) <= 1000, true);
  assert.equal(backoffDelay(20, { random: () => 0 }), 150000);
  for (let i = 0; i < 200; i += 1) {
    const delay = backoffDelay(3);
    assert.ok(delay >= 4000 && delay <= 8000, String(delay));
  }
  // A server's Retry-After is honoured, up to the cap.
  assert.equal(backoffDelay(0, { random: () => 0, retryAfterMs: 30000 }), 30000);
  assert.equal(backoffDelay(0, { random: () => 0, retryAfterMs: 3_600_000 }), 300000);
});

test('pendingOf keeps the pending entries in seq order', () => {
  assert.deepEqual(pendingOf([entry(3), entry(1), entry(2, { state: 'rejected' })]).map((e) => e.seq), [1, 3]);
});
