// The rules of the outbox, as pure functions (the same rules as sync/outbox.py): what an op may
// hold, which ops go in the next push, which ones an answer acknowledges, how to follow a 409
// seq_gap, and how long to wait after a failure. engine.js applies them to the IndexedDB outbox.
//
// An outbox entry is an op of protocol v1 plus what only this device needs:
//   {op_id, seq, entity, entity_id, kind, field, value, base_version, hlc,
//    state: 'pending' | 'rejected', reason, created_at, imported}
// An entry leaves the outbox only when the server acknowledges it (its seq is at or below the
// answer's last_seq); a rejected one stays, with its reason, until the user dismisses it.

export const PROTOCOL = 1;
export const MAX_BATCH_OPS = 500; // ours; the server takes up to 1,000
export const MAX_PUSH_BYTES = 2 * 1024 * 1024;
export const ENVELOPE_BYTES = 1024; // room for {protocol, client_id, ops: []} around the ops
export const MAX_VALUE_DEPTH = 32;
export const BACKOFF = Object.freeze({ baseMs: 1000, capMs: 5 * 60 * 1000 });
const WIRE_KEYS = ['op_id', 'seq', 'entity', 'entity_id', 'kind', 'field', 'value', 'base_version', 'hlc'];
const encoder = new TextEncoder();

/** The server answered something the protocol does not allow; the outbox is left as it was. */
export class ProtocolViolation extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProtocolViolation';
    this.code = 'protocol_violation';
  }
}

/**
 * Why `value` is not portable JSON data (finite numbers, integers within ±(2**53 - 1), strings,
 * booleans, null, arrays, plain objects, at most 32 levels deep), or null when it is. The server
 * refuses a whole push that holds one such value, so none may enter the outbox.
 */
export function checkValue(value) {
  const stack = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop();
    if (depth > MAX_VALUE_DEPTH) return `nested deeper than ${MAX_VALUE_DEPTH} levels`;
    if (item === null || typeof item === 'boolean' || typeof item === 'string') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return 'a number that is not finite';
      if (Number.isInteger(item) && !Number.isSafeInteger(item)) return 'an integer outside ±(2**53 - 1)';
    } else if (Array.isArray(item)) {
      for (const element of item) stack.push([element, depth + 1]);
    } else if (typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
      for (const element of Object.values(item)) stack.push([element, depth + 1]);
    } else {
      return `${item === undefined ? 'undefined' : typeof item} is not JSON data`;
    }
  }
  return null;
}

/** The op as the protocol wants it: only its own keys, field null rather than missing. */
export function wireOp(entry) {
  const op = {};
  for (const key of WIRE_KEYS) op[key] = entry[key] ?? null;
  op.base_version ??= 0;
  return op;
}

export function byteLength(text) {
  return encoder.encode(text).length;
}

/** Whether one op can ever fit in a push (checked before it enters the outbox). */
export function fitsInPush(entry) {
  return byteLength(JSON.stringify(wireOp(entry))) <= MAX_PUSH_BYTES - ENVELOPE_BYTES;
}

/** The entries still to send, in seq order. */
export function pendingOf(entries) {
  return entries.filter((entry) => entry.state === 'pending').sort((a, b) => a.seq - b.seq);
}

/**
 * The next push: the first pending ops, at most `maxOps` and `maxBytes` of JSON.
 * Returns {entries, body} (body: the JSON text), or null when nothing is pending.
 */
export function nextBatch(entries, clientId, { maxOps = MAX_BATCH_OPS, maxBytes = MAX_PUSH_BYTES } = {}) {
  const pending = pendingOf(entries);
  if (!pending.length) return null;
  let count = Math.min(maxOps, pending.length);
  for (;;) {
    const batch = pending.slice(0, count);
    const body = JSON.stringify({ protocol: PROTOCOL, client_id: clientId, ops: batch.map(wireOp) });
    if (byteLength(body) <= maxBytes || count === 1) return { entries: batch, body };
    count = Math.max(1, Math.floor(count / 2));
  }
}

/**
 * Match a push answer `{last_seq, results}` to its batch: the entries at or below last_seq, each
 * with its result. Throws ProtocolViolation when the answer acknowledges none of the batch or
 * misses a result (nothing is then dropped).
 */
export function acknowledge(batch, answer) {
  const lastSeq = answer?.last_seq;
  if (!batch.length || !Number.isInteger(lastSeq) || lastSeq < batch[0].seq) {
    throw new ProtocolViolation(`The server acknowledged up to seq ${lastSeq}, below the batch's first seq ${batch[0]?.seq}.`);
  }
  const results = new Map((answer.results ?? []).map((result) => [result.op_id, result]));
  const acknowledged = [];
  for (const entry of batch) {
    if (entry.seq > lastSeq) break;
    const result = results.get(entry.op_id);
    if (!result) throw new ProtocolViolation(`The server gave no result for op ${entry.op_id} (seq ${entry.seq}).`);
    acknowledged.push({ entry, result });
  }
  return { acknowledged, lastSeq };
}

/**
 * Follow a 409 seq_gap that names `expectedSeq` (see sync/outbox.py Outbox.realign).
 * Returns {held, renumbered, lastSeq}: `held` are entries the server already holds (they leave);
 * `renumbered` are [oldSeq, entry with its new seq] when the server expects a seq below the outbox
 * (it lost ops it had acknowledged, e.g. a restore): those ops were never stored, so they go again
 * from the expected seq with their op ids unchanged. `lastSeq` is the device's last seq after.
 */
export function realign(entries, expectedSeq, lastSeq) {
  const pending = pendingOf(entries);
  if (!pending.length) return { held: [], renumbered: [], lastSeq };
  const first = pending[0].seq;
  const last = pending[pending.length - 1].seq;
  if (first < expectedSeq && expectedSeq <= last + 1) {
    return { held: pending.filter((entry) => entry.seq < expectedSeq), renumbered: [], lastSeq };
  }
  const renumbered = pending.map((entry, index) => [entry.seq, { ...entry, seq: expectedSeq + index }]);
  return { held: [], renumbered, lastSeq: expectedSeq + pending.length - 1 };
}

/** The longest wait after `attempt` failures in a row (0 = the first retry): 1 s, 2 s … 5 min. */
export function backoffCeiling(attempt, { baseMs, capMs } = BACKOFF) {
  return Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
}

/**
 * How long to wait before the next try: the ceiling times 0.5–1, so that devices that failed
 * together do not come back together. `retryAfterMs` (a server's Retry-After) is honoured up to
 * the cap.
 */
export function backoffDelay(attempt, { random = Math.random, retryAfterMs = null, ...policy } = {}) {
  const limits = { ...BACKOFF, ...policy };
  const jittered = backoffCeiling(attempt, limits) * (0.5 + random() / 2);
  if (retryAfterMs !== null) return Math.min(limits.capMs, Math.max(jittered, retryAfterMs));
  return jittered;
}
