import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DB_NAME, DB_VERSION, upgrade, UPGRADES } from '../js/db.js';

function fakeDb() {
  const stores = [];
  const indexes = [];
  return {
    stores,
    indexes,
    createObjectStore(name, options) {
      stores.push(name);
      return { options, createIndex: (index, keyPath) => indexes.push(`${name}.${index}: ${keyPath}`) };
    },
  };
}

test('the database is "rasd", at the version of its last upgrade', () => {
  assert.equal(DB_NAME, 'rasd');
  assert.equal(DB_VERSION, UPGRADES.length);
  for (const step of UPGRADES) assert.ok(step.name, 'every upgrade says what it does');
});

test('a new device runs every upgrade, in order', () => {
  const db = fakeDb();
  upgrade(db, 0, null);
  assert.deepEqual(db.stores, ['kv', 'records', 'outbox', 'blobs', 'meta', 'conflicts']);
});

test('a device of version 1 keeps its kv store and gets the sync stores', () => {
  const db = fakeDb();
  upgrade(db, 1, null);
  assert.deepEqual(db.stores, ['records', 'outbox', 'blobs', 'meta', 'conflicts']);
  assert.deepEqual(db.indexes, ['records.by_entity: entity', 'records.by_visit: fields.visit_id.value', 'outbox.by_state: state']);
});

test('a device already at the current version runs none', () => {
  const db = fakeDb();
  upgrade(db, DB_VERSION, null);
  assert.deepEqual(db.stores, []);
});
