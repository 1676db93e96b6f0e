// The relevance language against the vectors shared with the server (tests/fixtures/vectors).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { evaluate, ExpressionError, holds, MAX_DEPTH, parse, truthy } from '../js/core/relevance.js';

const vectors = JSON.parse(readFileSync(new URL('../../tests/fixtures/vectors/relevance.json', import.meta.url)));

test('the shared vectors give the expected value or error', () => {
  assert.ok(vectors.cases.length >= 40);
  for (const { name, expression, answers = vectors.answers, expected, error } of vectors.cases) {
    if (error === undefined) {
      assert.deepEqual(evaluate(parse(expression), answers), expected, name);
    } else {
      assert.throws(() => parse(expression), (thrown) => {
        assert.ok(thrown instanceof ExpressionError, name);
        assert.deepEqual({ code: thrown.code, position: thrown.position, message: thrown.message }, error, name);
        return true;
      }, name);
    }
  }
});

test('an expression never runs code: names are refused, not looked up', () => {
  for (const source of ['constructor', "answer('q')['constructor']", 'globalThis', 'this', 'eval("1")']) {
    assert.throws(() => parse(source), ExpressionError, source);
  }
  assert.equal(evaluate(parse("answer('constructor')"), {}), null);
  assert.equal(evaluate(parse("answer('__proto__') == null"), {}), true);
});

test('holds is the truthiness of the value', () => {
  assert.equal(holds(parse("answer('a')"), { a: [] }), false);
  assert.equal(holds(parse("answer('a')"), { a: ['x'] }), true);
  assert.deepEqual([null, false, 0, '', [], {}].map(truthy), [false, false, false, false, false, false]);
  assert.deepEqual([true, -1, 'x', [0], { a: 1 }].map(truthy), [true, true, true, true, true]);
});

test('parsing random text either succeeds or fails with an ExpressionError', () => {
  const alphabet = ["'", '"', '(', ')', '[', ']', ',', '=', '!', '<', '>', '-', '.', ' ', '1', '2', 'a', 'n',
    'answer', 'count', 'not', 'and', 'or', 'in', 'null', 'true', '😀', 'ن', '\n'];
  let seed = 42;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let run = 0; run < 5000; run += 1) {
    const length = Math.floor(random() * 20);
    const source = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    try {
      evaluate(parse(source), { a: 'x' });
    } catch (error) {
      assert.ok(error instanceof ExpressionError, `${JSON.stringify(source)}: ${error}`);
    }
  }
  assert.throws(() => parse('('.repeat(MAX_DEPTH + 1)), ExpressionError);
});
