// Languages, catalogues, document direction, and numbers, dates and lists through Intl.
// Pure functions except loadCatalogue (fetch) and applyLanguage (the document): node --test
// imports this module as it is.

export const LANGUAGES = Object.freeze(['ar', 'fr', 'en']);
export const DEFAULT_LANGUAGE = 'ar';
// Each language in its own name, for the language picker.
export const LANGUAGE_NAMES = Object.freeze({ ar: 'العربية', fr: 'Français', en: 'English' });

const RTL = new Set(['ar']);
// Intl locales: Algerian variants, so that Arabic uses Latin digits and the Maghreb month names
// (جانفي, فيفري …) and French the local conventions. English uses day-month-year.
const INTL_LOCALES = Object.freeze({ ar: 'ar-DZ', fr: 'fr-DZ', en: 'en-GB' });

export function isLanguage(value) {
  return LANGUAGES.includes(value);
}

/** The language to speak: `?lang=`, then this device's choice, then the user's profile, then Arabic. */
export function chooseLanguage({ query = null, stored = null, profile = null } = {}) {
  return [query, stored, profile].find(isLanguage) ?? DEFAULT_LANGUAGE;
}

export function direction(lang) {
  return RTL.has(lang) ? 'rtl' : 'ltr';
}

export function intlLocale(lang) {
  return INTL_LOCALES[lang] ?? INTL_LOCALES[DEFAULT_LANGUAGE];
}

/** `{a: {b: 'x'}}` → `{'a.b': 'x'}`: catalogues are nested for reading, flat for lookup. */
export function flatten(tree, prefix = '') {
  const flat = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') Object.assign(flat, flatten(value, path));
    else flat[path] = String(value);
  }
  return flat;
}

/** Replace `{name}` placeholders; unknown placeholders stay visible rather than vanish. */
export function interpolate(template, params = {}) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A `t(key, params)` over a flat catalogue; a missing key shows itself, so that it gets noticed. */
export function translator(messages) {
  const t = (key, params) => (key in messages ? interpolate(messages[key], params) : key);
  t.has = (key) => key in messages;
  return t;
}

// Building an Intl formatter costs far more than using one (a 300-item checklist asks for hundreds
// of numbers and dates): each is made once per kind, language and options, then reused.
const formatters = new Map();

/** The shared `new Kind(locale of lang, options)`, e.g. `intlFormatter(Intl.NumberFormat, 'ar', {})`. */
export function intlFormatter(Kind, lang, options = {}) {
  const key = `${Kind.name} ${lang} ${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Kind(intlLocale(lang), options);
    formatters.set(key, formatter);
  }
  return formatter;
}

export function formatNumber(value, lang, options = {}) {
  return intlFormatter(Intl.NumberFormat, lang, options).format(value);
}

export function formatDate(value, lang, options = { dateStyle: 'medium' }) {
  return intlFormatter(Intl.DateTimeFormat, lang, options).format(value instanceof Date ? value : new Date(value));
}

const RELATIVE_UNITS = [
  ['year', 365 * 24 * 3600], ['month', 30 * 24 * 3600], ['week', 7 * 24 * 3600],
  ['day', 24 * 3600], ['hour', 3600], ['minute', 60], ['second', 1],
];

/** "3 hours ago", "il y a 3 heures", "قبل 3 ساعات": the largest whole unit between `value` and `now`. */
export function formatRelativeTime(value, lang, now = new Date()) {
  const then = value instanceof Date ? value : new Date(value);
  const seconds = Math.round((then.getTime() - now.getTime()) / 1000);
  const [unit, size] = RELATIVE_UNITS.find(([, length]) => Math.abs(seconds) >= length) ?? ['second', 1];
  return intlFormatter(Intl.RelativeTimeFormat, lang, { numeric: 'auto' }).format(Math.trunc(seconds / size), unit);
}

export function formatList(items, lang, options = { style: 'long', type: 'conjunction' }) {
  return intlFormatter(Intl.ListFormat, lang, options).format(items.map(String));
}

export async function loadCatalogue(lang, fetchImpl = globalThis.fetch) {
  const response = await fetchImpl(`/static/locales/${lang}.json`);
  if (!response.ok) throw new Error(`catalogue ${lang}: HTTP ${response.status}`);
  return flatten(await response.json());
}

/** Set `<html lang dir>`, the title, and every `[data-i18n]` element outside the screens. */
export function applyLanguage(doc, lang, t) {
  doc.documentElement.lang = lang;
  doc.documentElement.dir = direction(lang);
  doc.title = t('app.title');
  for (const element of doc.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
}
