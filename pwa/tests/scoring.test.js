// Checklist scoring against the vectors shared with the server (tests/fixtures/vectors).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  assess, meanSatisfaction, processingDelay, processingDelays, relevantItems, roundHalfUp, score,
} from '../js/core/scoring.js';

const ROOT = new URL('../../', import.meta.url);
const readJson = (path) => JSON.parse(readFileSync(new URL(path, ROOT), 'utf8'));
const vectors = readJson('tests/fixtures/vectors/scoring.json');
const demoCase = vectors.cases.find((c) => c.template_path);
const demo = readJson(demoCase.template_path);

test('the shared vectors give exactly the expected output', () => {
  assert.ok(vectors.cases.length >= 15);
  for (const { name, template, template_path: path, answers, expected } of vectors.cases) {
    assert.deepEqual(score(template ?? readJson(path), answers), expected, name);
  }
});

test('the shared helper vectors: delays, mean satisfaction, rounding', () => {
  for (const { rows, expected } of vectors.helpers.processing_delays) assert.deepEqual(processingDelays(rows), expected);
  for (const { rows, expected } of vectors.helpers.mean_satisfaction) assert.equal(meanSatisfaction(rows), expected);
  for (const { value, digits, expected } of vectors.helpers.round_half_up) {
    assert.equal(roundHalfUp(value, digits), expected, `${value} to ${digits}`);
  }
  assert.equal(processingDelay({ received: '2024-02-28', processed: '2024-03-01' }), 2);
  assert.equal(processingDelay({ received: '2024-03-01', processed: null }), null);
});

test('relevance cascades in document order', () => {
  let shown = relevantItems(demo, { reception_desk: 'no', previous_instructions: 'yes' });
  assert.equal(shown.reception_staffed, false);
  assert.equal(shown.instructions_implemented, true);
  assert.equal(shown.unimplemented_reasons, false);
  shown = relevantItems(demo, { previous_instructions: 'no', instructions_implemented: 'some' });
  assert.equal(shown.unimplemented_reasons, false);
  assert.equal(Object.keys(shown).length, 52);
});

test('assess gives the ratio and the failure of one item', () => {
  const items = Object.fromEntries(demo.sections.flatMap((s) => s.items).map((item) => [item.key, item]));
  assert.deepEqual(assess(items.instructions_implemented, 'most'), { ratio: 2 / 3, failed: false });
  assert.deepEqual(assess(items.instructions_implemented, 'some'), { ratio: 1 / 3, failed: true });
  assert.deepEqual(assess(items.measured_waiting_time, 21), { ratio: 0, failed: true });
  assert.equal(assess(items.main_observations, 'text'), null);
  assert.equal(assess(items.safety_equipment, 'na'), null);
});

test('odd answers never throw and stay in bounds', () => {
  const keys = demo.sections.flatMap((s) => s.items).map((item) => item.key);
  const values = [null, true, 0, -1, 2.5, 1e308, 'yes', 'no', 'na', 'all', '', '2024-01-05', [], ['kiosk', 3],
    [{ received: '2024-01-01', processed: '2024-03-01' }], [{ satisfaction: 5 }, { satisfaction: 'x' }], { a: 1 }, [null]];
  let seed = 7;
  const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.floor((seed / 2147483648) * n); };
  for (let run = 0; run < 500; run += 1) {
    const answers = {};
    for (let i = 0; i < 20; i += 1) answers[keys[random(keys.length)]] = values[random(values.length)];
    const result = score(demo, answers);
    assert.ok(result.score_pct === null || (result.score_pct >= 0 && result.score_pct <= 100));
    assert.ok(result.points >= 0 && result.points <= result.max_points);
    for (const section of result.sections) assert.ok(section.points <= section.max_points);
  }
});
