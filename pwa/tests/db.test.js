import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DB_NAME, DB_VERSION, upgrade, UPGRADES } from '../js/db.js';

function fakeDb() {
  const stores = [];
  return { stores, createObjectStore: (name) => stores.push(name) };
}

test('the database is "rasd", at the version of its last upgrade', () => {
  assert.equal(DB_NAME, 'rasd');
  assert.equal(DB_VERSION, UPGRADES.length);
  for (const step of UPGRADES) assert.ok(step.name, 'every upgrade says what it does');
});

test('a new device runs every upgrade, in order', () => {
  const db = fakeDb();
  upgrade(db, 0, null);
  assert.deepEqual(db.stores, ['kv']);
});

test('a device already at the current version runs none', () => {
  const db = fakeDb();
  upgrade(db, DB_VERSION, null);
  assert.deepEqual(db.stores, []);
});
