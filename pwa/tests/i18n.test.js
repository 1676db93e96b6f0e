import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  chooseLanguage, direction, flatten, formatDate, formatList, formatNumber, formatRelativeTime, interpolate, LANGUAGES,
  translator,
} from '../js/i18n.js';

const catalogue = (lang) => flatten(JSON.parse(readFileSync(new URL(`../locales/${lang}.json`, import.meta.url))));
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every catalogue has exactly the keys of the Arabic one', () => {
  const reference = Object.keys(catalogue('ar')).sort();
  for (const lang of LANGUAGES) assert.deepEqual(Object.keys(catalogue(lang)).sort(), reference, lang);
});

test('no message is empty and every translation keeps the same placeholders', () => {
  const ar = catalogue('ar');
  for (const lang of LANGUAGES) {
    for (const [key, text] of Object.entries(catalogue(lang))) {
      assert.ok(text.trim(), `${lang}: ${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(ar[key]), `${lang}: ${key}`);
    }
  }
});

test('the language comes from ?lang=, then this device, then the profile, then Arabic', () => {
  assert.equal(chooseLanguage({ query: 'en', stored: 'fr', profile: 'ar' }), 'en');
  assert.equal(chooseLanguage({ query: 'xx', stored: 'fr', profile: 'en' }), 'fr');
  assert.equal(chooseLanguage({ stored: null, profile: 'en' }), 'en');
  assert.equal(chooseLanguage({ query: 'de', profile: 'klingon' }), 'ar');
  assert.equal(chooseLanguage(), 'ar');
});

test('Arabic is right to left, French and English left to right', () => {
  assert.deepEqual(LANGUAGES.map(direction), ['rtl', 'ltr', 'ltr']);
});

test('interpolate fills placeholders and leaves unknown ones visible', () => {
  assert.equal(interpolate('{a} and {b}', { a: 1 }), '1 and {b}');
  const t = translator({ 'home.hi': 'مرحبا {name}' });
  assert.equal(t('home.hi', { name: 'علي' }), 'مرحبا علي');
  assert.equal(t('missing.key'), 'missing.key');
  assert.ok(t.has('home.hi') && !t.has('missing.key'));
});

test('numbers: Algerian Arabic uses Latin digits, French a comma and a narrow space', () => {
  assert.equal(formatNumber(1234.5, 'ar'), '1.234,5');
  assert.match(formatNumber(1234.5, 'fr'), /^1\s234,5$/u);
  assert.equal(formatNumber(1234.5, 'en'), '1,234.5');
  assert.equal(formatNumber(0.875, 'en', { style: 'percent' }), '88%');
});

test('dates use the Maghreb month names in Arabic and day-month order in English', () => {
  const day = new Date(Date.UTC(2025, 1, 3, 12));
  const options = { dateStyle: 'long', timeZone: 'Africa/Algiers' };
  assert.equal(formatDate(day, 'ar', options), '3 فيفري 2025');
  assert.equal(formatDate(day, 'fr', options), '3 février 2025');
  assert.equal(formatDate(day, 'en', options), '3 February 2025');
  assert.equal(formatDate('2025-02-03T12:00:00Z', 'en', options), '3 February 2025');
});

test('lists are joined in the language', () => {
  assert.equal(formatList(['16', '31'], 'fr'), '16 et 31');
  assert.equal(formatList(['16', '31'], 'en'), '16 and 31');
  assert.equal(formatList(['16', '31'], 'ar'), '16 و31');
});

test('relative times use the largest whole unit, in the language', () => {
  const now = new Date(Date.UTC(2025, 1, 3, 12));
  const ago = (seconds) => new Date(now.getTime() - seconds * 1000);
  assert.equal(formatRelativeTime(ago(3 * 3600 + 59), 'en', now), '3 hours ago');
  assert.equal(formatRelativeTime(ago(24 * 3600), 'en', now), 'yesterday');
  assert.equal(formatRelativeTime(ago(2), 'fr', now), 'il y a 2 secondes');
  assert.equal(formatRelativeTime(ago(0), 'en', now), 'now');
  assert.match(formatRelativeTime(ago(5 * 60), 'ar', now), /5/);
});
