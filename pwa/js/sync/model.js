// The local copy of one entity and the three things that change it, as pure functions (node --test
// runs them as they are; store.js and engine.js call them inside IndexedDB transactions):
//
//   applyLocal(record, op)                 a change typed on this device (its op goes to the outbox)
//   applyChange(record, change, pending)   a change pulled from the server
//   settle(record, op, result, pending)    the server's answer to one of our ops
//
// A record is {entity, entity_id, fields: {name: {value, version, hlc, server?}}, deleted}.
// `version` is the server version of the field last seen: the base_version of the next local
// write. `server` is kept while local ops on the field are unacknowledged: the server's state as
// last known ({value, version, hlc}), so that an op the server supersedes or rejects can fall back
// to it. The deletion of the entity is the pseudo-field `_deleted`, so that it follows the same
// rules; `deleted` mirrors it.
//
// The rule that matters: a pulled change never overwrites a field that has a pending local op.
// The local value stays on screen and the pulled one waits in `server`; when the op is
// acknowledged, the server's verdict (its outcome and version) decides which one the field shows.
import { byText } from '../core/compare.js';

export const DELETED = '_deleted';
export const ANSWER_PREFIX = 'answers.';
const SEPARATOR = '\u0000';

export function fieldKey(entity, entityId, field) {
  return `${entity}${SEPARATOR}${entityId}${SEPARATOR}${field}`;
}

export function emptyRecord(entity, entityId) {
  return { entity, entity_id: entityId, fields: {}, deleted: false };
}

/** [field, value] pairs an op writes on its entity (a resolve writes none on this device). */
export function writesOf(op) {
  switch (op.kind) {
    case 'create':
      return op.value !== null && typeof op.value === 'object' ? Object.entries(op.value) : [];
    case 'set':
      return op.field ? [[op.field, op.value]] : [];
    case 'submit':
      return [['status', 'submitted']];
    case 'delete':
      return [[DELETED, true]];
    default:
      return [];
  }
}

/** The fields with an op still waiting for the server: Set of fieldKey(entity, id, field). */
export function pendingKeys(entries) {
  const keys = new Set();
  for (const entry of entries) {
    if (entry.state !== 'pending') continue;
    for (const [field] of writesOf(entry)) keys.add(fieldKey(entry.entity, entry.entity_id, field));
  }
  return keys;
}

/** The base_version of a write of `field`: the version last seen, 0 when never seen. */
export function baseVersion(record, field) {
  return record?.fields?.[field]?.version ?? 0;
}

function clone(record, entity, entityId) {
  return record ? structuredClone(record) : emptyRecord(entity, entityId);
}

function finish(record) {
  record.deleted = Boolean(record.fields[DELETED]?.value);
  return record;
}

function snapshot(field) {
  return { value: field.value, version: field.version, hlc: field.hlc };
}

/** The record after a local op; the server's state of each field it writes is kept aside. */
export function applyLocal(record, op) {
  const next = clone(record, op.entity, op.entity_id);
  for (const [name, value] of writesOf(op)) {
    const previous = next.fields[name];
    let server = previous?.server;
    if (!server && previous && previous.version > 0) server = snapshot(previous);
    next.fields[name] = { value, version: previous?.version ?? 0, hlc: op.hlc, ...(server ? { server } : {}) };
  }
  return finish(next);
}

function newer(known, change) {
  return !known || change.version >= known.version;
}

function takeField(record, name, incoming, pending) {
  const current = record.fields[name];
  if (current && pending.has(fieldKey(record.entity, record.entity_id, name))) {
    // Never overwrite what the user typed and the server has not acknowledged yet.
    if (newer(current.server, incoming)) current.server = incoming;
    return;
  }
  if (!current || newer(current, incoming)) record.fields[name] = incoming;
}

/**
 * The record after a pulled change `{entity, entity_id, field, value, version, hlc, deleted}`.
 * `field` null: the entity itself — its deletion (`deleted`), or, for records the server makes
 * (agencies, template versions, assignments), the whole record as `value`.
 */
export function applyChange(record, change, pending = new Set()) {
  const next = clone(record, change.entity, change.entity_id);
  const stamp = { version: change.version, hlc: change.hlc };
  if (change.field !== null && change.field !== undefined) {
    takeField(next, change.field, { value: change.value, ...stamp }, pending);
  } else if (change.deleted) {
    takeField(next, DELETED, { value: true, ...stamp }, pending);
  } else if (change.value !== null && typeof change.value === 'object' && !Array.isArray(change.value)) {
    // A whole server-made record replaces what the device holds for it.
    for (const name of Object.keys(next.fields)) {
      if (!(name in change.value) && !pending.has(fieldKey(next.entity, next.entity_id, name))) delete next.fields[name];
    }
    for (const [name, value] of Object.entries(change.value)) {
      const incoming = { value, ...stamp };
      if (pending.has(fieldKey(next.entity, next.entity_id, name))) takeField(next, name, incoming, pending);
      else next.fields[name] = incoming;
    }
    if (!pending.has(fieldKey(next.entity, next.entity_id, DELETED))) delete next.fields[DELETED];
  } else {
    takeField(next, DELETED, { value: false, ...stamp }, pending);
  }
  return finish(next);
}

/**
 * The record once the server answered `result` ({outcome, version, reason}) to our `op`.
 * `pending` no longer holds this op; a field that still has later ops pending keeps showing them.
 *
 *   applied, noop           our value stands, at the server's version
 *   superseded, conflict    the server's value if we know it at that version, else ours until
 *                           the next pull brings the winner (at that version, so it is taken)
 *   rejected                back to the server's value; with none, our value stays on screen
 *                           (the rejected op and its reason stay visible in the outbox), except
 *                           a refused deletion, which is undone
 */
export function settle(record, op, result, pending = new Set()) {
  if (!record) return record;
  const next = structuredClone(record);
  const version = result.version ?? null;
  const kept = result.outcome === 'applied' || result.outcome === 'noop';
  for (const [name, value] of writesOf(op)) {
    const field = next.fields[name];
    if (!field) continue;
    // A create answers the greatest version it wrote: exact for each field only when it is 1.
    const fieldVersion = op.kind === 'create' && version !== 1 ? null : version;
    if (pending.has(fieldKey(op.entity, op.entity_id, name))) {
      if (kept && fieldVersion !== null) {
        field.server = { value, version: fieldVersion, hlc: op.hlc };
        field.version = fieldVersion;
      }
      continue;
    }
    const { server } = field;
    if (kept) {
      next.fields[name] = { value: field.value, version: fieldVersion ?? field.version, hlc: field.hlc };
    } else if (result.outcome === 'rejected') {
      if (server) next.fields[name] = { ...server };
      else if (name === DELETED) delete next.fields[name];
      else next.fields[name] = { value: field.value, version: field.version, hlc: field.hlc };
    } else if (server && version !== null && server.version >= version) {
      next.fields[name] = { ...server };
    } else {
      next.fields[name] = { value: field.value, version: version ?? field.version, hlc: field.hlc };
    }
  }
  return finish(next);
}

/** {id, ...the value of every field}: what the UI reads of an agency, an assignment, a finding … */
export function plain(record) {
  const values = { id: record.entity_id };
  for (const [name, field] of Object.entries(record.fields)) {
    if (!name.startsWith('_')) values[name] = field.value;
  }
  return values;
}

/** A visit as the UI reads it (see store.js getVisit). */
export function visitView(record, children = []) {
  const values = plain(record);
  const answers = {};
  for (const [name, value] of Object.entries(values)) {
    if (!name.startsWith(ANSWER_PREFIX)) continue;
    answers[name.slice(ANSWER_PREFIX.length)] = value !== null && typeof value === 'object'
      ? { value: value.value ?? null, note: value.note ?? null }
      : { value, note: null };
  }
  // In the order they were made: visit_id is written by the create, so its stamp dates it.
  const made = (child) => child.fields.visit_id?.hlc ?? '';
  const of = (entity) => children
    .filter((child) => child.entity === entity && !child.deleted)
    .sort((a, b) => byText(made(a), made(b)) || byText(a.entity_id, b.entity_id))
    .map(plain);
  return {
    id: record.entity_id,
    agency_id: values.agency_id ?? null,
    template_version_id: values.template_version_id ?? null,
    assignment_id: values.assignment_id ?? null,
    started_at: values.started_at ?? null,
    location: values.location ?? null,
    status: values.status ?? 'draft',
    signature: values.signature ?? null,
    review_comment: values.review_comment ?? null,
    answers,
    findings: of('finding'),
    actions: of('action'),
    attachments: of('attachment'),
  };
}
