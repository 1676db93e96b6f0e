// Moving unsent work by hand, when a phone cannot sync (broken, about to be wiped, never in
// range): exportUnsynced writes the outbox and the photo bytes not yet uploaded into one JSON file;
// importUnsynced, on any device, appends those ops to that device's outbox and keeps the bytes, so
// that its engine sends them.
//
// Imported ops keep their op_id, hlc and base_version (what was typed, when, on top of what) and
// get new seqs of the importing device. An op already in this outbox, or already acknowledged for
// this very device, is skipped; one the server turns out to hold already (duplicate_op_id, on
// either device) simply leaves the outbox (sync/local.js applyAcks). Bytes are kept only if they
// hash to their name.

import { tx } from '../db.js';
import { isUuid, MIME_TYPES, StoreError } from './entities.js';
import { isHlc } from './hlc.js';
import { appendOps, RECORD_STORES } from './local.js';

export const EXPORT_FORMAT = 'rasd-unsynced';
export const EXPORT_VERSION = 1;

export function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export async function sha256Hex(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The outbox (pending and rejected ops) and the bytes not yet uploaded, as a JSON Blob. */
export async function exportUnsynced(clientId) {
  const { entries, blobs } = await tx(['outbox', 'blobs'], 'readonly', async (t) => ({
    entries: await t.store('outbox').getAll(),
    blobs: await t.store('blobs').getAll(),
  }));
  const files = [];
  for (const held of blobs) {
    if (!held.blob) continue; // the server holds it whole already
    files.push({ sha256: held.sha256, mime: held.mime, size: held.size, data: toBase64(await held.blob.arrayBuffer()) });
  }
  const payload = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exported_at: new Date().toISOString(),
    client_id: clientId,
    ops: entries.sort((a, b) => a.seq - b.seq),
    blobs: files,
  };
  return new Blob([JSON.stringify(payload)], { type: 'application/json' });
}

async function readExport(file) {
  let payload;
  try {
    payload = JSON.parse(await file.text());
  } catch {
    payload = null;
  }
  if (payload?.format !== EXPORT_FORMAT || payload.version !== EXPORT_VERSION || !Array.isArray(payload.ops)) {
    throw new StoreError('invalid_value', 'This file is not an export of Rasd.', 'file');
  }
  return payload;
}

/** Take in an export (a File or Blob): {ops, blobs, skipped} counts. */
export async function importUnsynced(clientId, file) {
  const payload = await readExport(file);
  let skipped = 0;
  // Bytes are decoded and hashed before the transaction: crypto.subtle must not be awaited inside.
  const files = [];
  for (const held of Array.isArray(payload.blobs) ? payload.blobs : []) {
    let bytes;
    try {
      bytes = fromBase64(String(held?.data ?? ''));
    } catch {
      bytes = null;
    }
    if (!bytes || !MIME_TYPES.includes(held.mime) || (await sha256Hex(bytes)) !== held.sha256) {
      skipped += 1;
      continue;
    }
    files.push({
      sha256: held.sha256, blob: new Blob([bytes], { type: held.mime }), mime: held.mime, size: bytes.length,
      uploaded: 0, error: null, created_at: Date.now(),
    });
  }
  // Rejected ops were refused by the server already: they travel for a human to read, not to resend.
  const candidates = payload.ops.filter((op) => op?.state === 'pending' && isUuid(op.op_id) && isUuid(op.entity_id) && isHlc(op.hlc));
  skipped += payload.ops.length - candidates.length;
  let ops = 0;
  let kept = 0;
  await tx([...RECORD_STORES, 'blobs'], 'readwrite', async (t) => {
    for (const held of files) {
      if (await t.store('blobs').get(held.sha256)) continue;
      await t.store('blobs').put(held);
      kept += 1;
    }
    const known = new Set((await t.store('outbox').getAll()).map((entry) => entry.op_id));
    const acknowledged = payload.client_id === clientId ? (await t.store('meta').get('server_last_seq')) ?? 0 : 0;
    const specs = [];
    for (const op of candidates.sort((a, b) => a.seq - b.seq)) {
      if (known.has(op.op_id) || op.seq <= acknowledged) {
        skipped += 1;
        continue;
      }
      known.add(op.op_id);
      specs.push({
        op_id: op.op_id,
        entity: op.entity,
        entity_id: op.entity_id,
        kind: op.kind,
        field: op.field ?? null,
        value: op.value ?? null,
        base_version: Number.isInteger(op.base_version) ? op.base_version : 0,
        hlc: op.hlc,
        created_at: op.created_at,
        imported: true,
      });
    }
    ops = (await appendOps(t, clientId, specs)).length;
  });
  return { ops, blobs: kept, skipped };
}
