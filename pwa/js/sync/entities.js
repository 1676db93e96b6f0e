// What this device may write, mirrored from backend/sync_server/entities.py: the entities of
// protocol v1, their fields, the ones a create needs and the ones that never move. The server stays
// the judge (it checks every value); this only catches, before anything is stored, the mistakes
// that would certainly come back rejected: an unknown entity or field, a fixed field, a missing
// required field, an answer that is not {value, note}, a file type the server refuses.

export const MIME_TYPES = Object.freeze(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);
export const MAX_BLOB_BYTES = 100 * 1024 * 1024;
const ITEM_KEY = /^[A-Za-z0-9_.-]{1,80}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const ENTITIES = Object.freeze({
  visit: {
    fields: ['agency_id', 'template_version_id', 'assignment_id', 'started_at', 'location', 'status', 'signature', 'review_comment'],
    required: ['agency_id', 'template_version_id'],
    fixed: ['agency_id', 'template_version_id'],
  },
  finding: {
    fields: ['visit_id', 'agency_id', 'item_key', 'severity', 'description', 'evidence'],
    required: ['visit_id', 'severity'],
    fixed: ['visit_id', 'agency_id'],
  },
  action: {
    fields: ['visit_id', 'finding_id', 'title', 'description', 'owner_id', 'owner_name', 'deadline', 'status', 'note', 'verified_in_visit_id'],
    required: ['visit_id'],
    fixed: ['visit_id'],
  },
  attachment: {
    fields: ['visit_id', 'item_key', 'sha256', 'size', 'mime', 'taken_at', 'location'],
    required: ['visit_id', 'sha256', 'size', 'mime'],
    fixed: ['visit_id', 'sha256'],
  },
});

/** A write refused on the device, before anything was stored: `code` and `field` as the server's. */
export class StoreError extends Error {
  constructor(code, message, field = null) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    this.field = field;
  }
}

export function isUuid(value) {
  return typeof value === 'string' && UUID.test(value);
}

function spec(entity) {
  const found = Object.hasOwn(ENTITIES, entity) ? ENTITIES[entity] : null;
  if (!found) throw new StoreError('unknown_entity_type', `This device cannot write ${JSON.stringify(entity)}.`, 'entity');
  return found;
}

function checkField(entity, field, value) {
  if (entity === 'visit' && typeof field === 'string' && field.startsWith('answers.')) {
    if (!ITEM_KEY.test(field.slice('answers.'.length))) throw new StoreError('unknown_field', `${field} names no checklist item.`, field);
    const ok = value !== null && typeof value === 'object' && !Array.isArray(value) && 'value' in value
      && Object.keys(value).every((key) => key === 'value' || key === 'note');
    if (!ok) throw new StoreError('invalid_value', `${field}: expected {value, note}.`, field);
    return;
  }
  if (!spec(entity).fields.includes(field)) throw new StoreError('unknown_field', `${entity} has no field ${JSON.stringify(field)}.`, field);
  if (field === 'mime' && !MIME_TYPES.includes(value)) throw new StoreError('invalid_value', `mime: expected one of ${MIME_TYPES.join(', ')}.`, field);
  if (field.endsWith('_id') && value !== null && value !== undefined && !isUuid(value)) {
    throw new StoreError('invalid_value', `${field}: expected a UUID.`, field);
  }
}

export function checkCreate(entity, fields) {
  const { required } = spec(entity);
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new StoreError('invalid_value', 'A create carries an object of fields.', 'value');
  }
  const missing = required.filter((name) => fields[name] === undefined || fields[name] === null);
  if (missing.length) throw new StoreError('required', `${entity} needs ${missing.join(', ')}.`, missing[0]);
  for (const [name, value] of Object.entries(fields)) checkField(entity, name, value);
}

export function checkSet(entity, field, value) {
  if (spec(entity).fixed.includes(field)) throw new StoreError('fixed_field', `${field} cannot change once created.`, field);
  checkField(entity, field, value);
}

export function checkEntity(entity) {
  spec(entity);
}
