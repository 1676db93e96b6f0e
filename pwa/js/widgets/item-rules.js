// What an answer to one checklist item may be: when it counts as given, and what is wrong with it
// (bounds, counts, dates). Pure: node --test imports it as it is. Problems are codes with
// parameters; `describeProblem` turns one into a sentence that names the item, in the user's
// language. The conventions are those of backend/checklists/document.py:
//   min/max bound the value of number and duration items, the scale of rating items, and a count
//   for the others (photos, selected options, rows, characters of a text).
import { formatNumber } from '../i18n.js';

export const RATING_SCALE = Object.freeze([1, 2, 3, 4, 5]);
export const ROW_TYPES = Object.freeze(['file_sample', 'citizen_feedback']);
const COUNTED = new Set(['multi_choice', 'photo', 'file_sample', 'citizen_feedback']);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
// Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits, as some keyboards type them.
const DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Text typed in a number field → a number, or NaN. Accepts "3,5", "٣٫٥" and spaces in "1 000". */
export function parseNumber(text) {
  if (typeof text === 'number') return text;
  if (typeof text !== 'string') return Number.NaN;
  const latin = text
    .replace(DIGITS, (digit) => String(digit.charCodeAt(0) & 0xf))
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(/[\u066b,]/g, '.')
    .replace(/\u2212/g, '-');
  return /^-?(\d+\.?\d*|\.\d+)$/.test(latin) ? Number(latin) : Number.NaN;
}

export function isValidDay(text) {
  if (typeof text !== 'string' || !DAY.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text);
}

export const isValidTime = (text) => typeof text === 'string' && CLOCK.test(text);

/** Whether the item has an answer at all (what `required` asks for). */
export function isAnswered(item, value) {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  // An empty multiple choice is an answer ("none of these"); an empty list of photos or rows is not.
  if (Array.isArray(value)) return item.type === 'multi_choice' || value.length > 0;
  if (typeof value === 'number') return Number.isFinite(value);
  return true;
}

function countOf(item, value) {
  if (item.type === 'text') return typeof value === 'string' ? [...value].length : 0;
  return Array.isArray(value) ? value.length : 0;
}

function boundsOf(item) {
  if (item.type === 'rating') return { min: Math.max(1, item.min ?? 1), max: Math.min(5, item.max ?? 5) };
  return { min: item.min ?? null, max: item.max ?? null };
}

function checkBounds(number, { min, max }) {
  if (min !== null && number < min) return { code: 'below_min', min };
  if (max !== null && number > max) return { code: 'above_max', max };
  return null;
}

/** What is wrong with one row of a file sample (file ref, received, processed). */
export function fileRowProblem(row) {
  if (!row || !String(row.file ?? '').trim()) return { code: 'row_file_missing' };
  if (!isValidDay(row.received)) return { code: 'row_received_missing' };
  if (row.processed !== null && row.processed !== undefined && row.processed !== '') {
    if (!isValidDay(row.processed)) return { code: 'bad_date' };
    if (row.processed < row.received) return { code: 'processed_before_received' };
  }
  return null;
}

/** What is wrong with one short interview (service, waiting minutes, satisfaction 1–5, comment). */
export function feedbackRowProblem(row) {
  if (!row || !String(row.service ?? '').trim()) return { code: 'row_service_missing' };
  const waiting = row.waiting_minutes;
  if (waiting !== null && waiting !== undefined && !(Number.isFinite(waiting) && waiting >= 0 && waiting <= 1440)) {
    return { code: 'row_waiting_invalid' };
  }
  if (!RATING_SCALE.includes(row.satisfaction)) return { code: 'row_satisfaction_missing' };
  return null;
}

/**
 * The problem with `value` as an answer to `item`, or null. `{code, ...params}`; row problems
 * carry `row` (1-based). An item that is not required and has no answer has no problem.
 */
export function validateValue(item, value) {
  if (!isAnswered(item, value)) return item.required ? { code: 'required' } : null;
  switch (item.type) {
    case 'number':
    case 'duration':
      if (typeof value !== 'number' || !Number.isFinite(value)) return { code: 'not_a_number' };
      return checkBounds(value, boundsOf(item));
    case 'rating':
      if (!Number.isInteger(value)) return { code: 'not_a_number' };
      return checkBounds(value, boundsOf(item));
    case 'date':
      return isValidDay(value) ? null : { code: 'bad_date' };
    case 'time':
      return isValidTime(value) ? null : { code: 'bad_time' };
    case 'yes_no':
      return ['yes', 'no', 'na'].includes(value) ? null : { code: 'bad_choice' };
    case 'single_choice':
      return (item.options ?? []).some((option) => option.key === value) ? null : { code: 'bad_choice' };
    default:
      break;
  }
  if (item.type === 'file_sample' || item.type === 'citizen_feedback') {
    const check = item.type === 'file_sample' ? fileRowProblem : feedbackRowProblem;
    for (const [index, row] of value.entries()) {
      const problem = check(row);
      if (problem) return { ...problem, row: index + 1 };
    }
  }
  if (COUNTED.has(item.type) || item.type === 'text') {
    const count = countOf(item, value);
    const { min, max } = boundsOf(item);
    if (min !== null && count < min) return { code: item.type === 'text' ? 'too_short' : 'too_few', min, count };
    if (max !== null && count > max) return { code: item.type === 'text' ? 'too_long' : 'too_many', max, count };
  }
  return null;
}

/** The label of an item (or option, or section) in a language, falling back to the others. */
export function localized(text, lang) {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return text[lang] || text.ar || text.fr || text.en || '';
}

/** `{code, ...}` → "<item label>: <what is wrong>" in the user's language; numbers through Intl. */
export function describeProblem(problem, item, lang, t) {
  const params = { item: localized(item.label, lang) };
  for (const name of ['min', 'max', 'count', 'row']) {
    if (problem[name] !== undefined) params[name] = formatNumber(problem[name], lang);
  }
  if (item.unit && (problem.code === 'below_min' || problem.code === 'above_max')) {
    const unit = t.has(`units.${item.unit}`) ? t(`units.${item.unit}`) : item.unit;
    if (params.min !== undefined) params.min = `${params.min} ${unit}`;
    if (params.max !== undefined) params.max = `${params.max} ${unit}`;
  }
  const message = t(`problems.${problem.code}`, params);
  return problem.row === undefined ? message : t('problems.inRow', { message, row: params.row });
}
