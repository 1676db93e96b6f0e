// The PWA's hybrid logical clock against the vectors the Python clock (sync/hlc.py) runs too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { clamp, clampAll, Clock, compare, format, InvalidHlc, isHlc, LENGTH, parse } from '../js/sync/hlc.js';

const VECTORS = JSON.parse(readFileSync(new URL('../../tests/fixtures/vectors/hlc.json', import.meta.url), 'utf8'));
const snake = ({ hlc, clamped, skewMs }) => ({ hlc, clamped, skew_ms: skewMs });

test('parse and format: the shared vectors', () => {
  for (const vector of VECTORS.parse) {
    if ('error' in vector) {
      assert.throws(() => parse(vector.input), (error) => error instanceof InvalidHlc && error.code === vector.error, vector.why);
      assert.equal(isHlc(vector.input), false, vector.why);
    } else {
      const { ms, counter, clientId } = parse(vector.input);
      assert.deepEqual({ ms, counter, client_id: clientId }, vector.expected);
      assert.equal(format(parse(vector.input)), vector.input);
      assert.equal(vector.input.length, LENGTH);
    }
  }
});

test('compare: the shared vectors, and the texts sort like their keys', () => {
  for (const { a, b, expected, why } of VECTORS.compare) {
    assert.equal(compare(a, b), expected, why);
    assert.equal((a > b) - (a < b), expected, why);
  }
});

test('now and observe: the shared vectors', () => {
  for (const vector of VECTORS.advance) {
    let wall = 0;
    const clock = new Clock(vector.client_id, { last: vector.start, wall: () => wall });
    for (const step of vector.steps) {
      wall = step.wall_ms;
      const got = step.kind === 'now' ? clock.now() : clock.observe(step.remote);
      assert.equal(got, step.expected, vector.why);
      assert.equal(clock.last, step.expected);
    }
  }
});

test('clamp and clampAll: the shared vectors', () => {
  for (const vector of VECTORS.clamp) {
    assert.deepEqual(snake(clamp(vector.hlc, vector.server_now_ms, vector.max_skew_ms)), vector.expected);
  }
  for (const vector of VECTORS.clamp_all) {
    assert.deepEqual(clampAll(vector.hlcs, vector.server_now_ms, vector.max_skew_ms).map(snake), vector.expected, vector.why);
  }
});

test('a clock refuses a client id that is not a canonical UUID, and a stamp that does not fit', () => {
  assert.throws(() => new Clock('0C2F6E1E-0B0A-4C4A-9E3B-7E4C2A1B3C4D'), InvalidHlc);
  assert.throws(() => format({ ms: 10 ** 13, counter: 0, clientId: VECTORS.clients.A }), InvalidHlc);
  assert.throws(() => format({ ms: 0, counter: 10_000, clientId: VECTORS.clients.A }), InvalidHlc);
});

test('a change made after seeing another is later than it, whatever the wall clock says', () => {
  const late = new Clock(VECTORS.clients.A, { wall: () => 1_000 }); // a phone stuck in 1970
  const remote = '1718000000000-0042-7d1e2f3a-4b5c-4d6e-8f70-819293a4b5c6';
  late.observe(remote);
  assert.ok(late.now() > remote);
  let previous = late.last;
  for (let i = 0; i < 20_001; i += 1) { // through two counter carries: strictly increasing
    const next = late.now();
    assert.ok(next > previous);
    previous = next;
  }
});
