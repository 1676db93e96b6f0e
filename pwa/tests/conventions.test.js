// Conventions of the PWA checked on its source: the things a reviewer would otherwise have to
// remember (no build step, strict CSP, logical CSS, one service worker slot for the server).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const PWA = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path) => readFileSync(join(PWA, path), 'utf8');

function jsFiles(dir = join(PWA, 'js')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? jsFiles(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : []);
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

test('the shell has no inline script, no inline style and starts in Arabic, right to left', () => {
  const html = read('index.html');
  assert.match(html, /<html lang="ar" dir="rtl">/);
  for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(attributes, /\bsrc="/, 'every script is a file');
    assert.equal(body.trim(), '');
  }
  assert.doesNotMatch(html, /<style\b|\sstyle="|\son[a-z]+="/, 'no inline style or event handler');
});

test('every relative import resolves to a module of the app, and there is no import cycle', () => {
  const graph = new Map();
  for (const file of jsFiles()) {
    const specifiers = [...read(relative(PWA, file)).matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
    for (const specifier of specifiers) {
      assert.ok(specifier.startsWith('./') || specifier.startsWith('../'), `${file}: bare import ${specifier}`);
      assert.ok(existsSync(resolve(dirname(file), specifier)), `${file}: ${specifier} does not exist`);
    }
    graph.set(file, specifiers.map((s) => resolve(dirname(file), s)));
  }
  const visiting = new Set();
  const done = new Set();
  const visit = (file, path) => {
    assert.ok(!visiting.has(file), `import cycle: ${[...path, file].map((f) => relative(PWA, f)).join(' → ')}`);
    if (done.has(file)) return;
    visiting.add(file);
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    visiting.delete(file);
    done.add(file);
  };
  for (const file of graph.keys()) visit(file, []);
});

test('CSS uses logical properties only, and no [dir] overrides', () => {
  const css = read('css/app.css').replace(/\/\*[\s\S]*?\*\//g, '');
  const physical = /(?:^|[\s;{])((?:margin|padding|border)-(?:left|right|top|bottom)|left|right|top|bottom|float|clear|text-align\s*:\s*(?:left|right)|(?:min-|max-)?(?:width|height))\s*:/gm;
  const offending = [...css.matchAll(physical)].map((m) => m[1]);
  assert.deepEqual(offending, []);
  assert.doesNotMatch(css, /\[dir[=\]]|:dir\(/);
});

test('the service worker has exactly one slot for the server to fill', () => {
  const sw = read('sw.js');
  assert.equal(sw.match(/\/\* @build \*\/.*?\/\* @end-build \*\//gs)?.length, 1);
  assert.match(sw, /const PREFIX = 'rasd-'/);
  // A new version waits: skipWaiting only on the page's 'skip-waiting' message, nowhere else.
  const calls = sw.split('\n').filter((line) => line.includes('skipWaiting('));
  assert.deepEqual(calls.map((line) => line.includes("=== 'skip-waiting'")), [true]);
});

test('the manifest names the app in Arabic, starts at / standalone, with 192, 512, maskable and SVG icons', () => {
  const manifest = JSON.parse(read('manifest.webmanifest'));
  assert.equal(manifest.start_url, '/');
  assert.equal(manifest.display, 'standalone');
  assert.match(manifest.name, /Rasd/);
  assert.match(manifest.name, /رصد/);
  const icons = manifest.icons.map((icon) => `${icon.sizes} ${icon.type} ${icon.purpose}`);
  assert.deepEqual(icons.sort(), [
    '192x192 image/png any', '512x512 image/png any', '512x512 image/png maskable', 'any image/svg+xml any',
  ].sort());
  for (const icon of manifest.icons) assert.ok(existsSync(join(PWA, icon.src.replace('/static/', ''))), icon.src);
});
