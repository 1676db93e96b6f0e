// The arithmetic of the row items and of the sync bar: processing delays of sampled files (in
// whole calendar days), the summary of citizens' interviews, and how long ago something happened.
// Pure: node --test imports it as it is; words come from Intl, never from string concatenation.
import { formatNumber, intlFormatter } from '../i18n.js';

const DAY_MS = 86400000;

function dayNumber(text) {
  const time = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(time) ? null : Math.round(time / DAY_MS);
}

/** Today as YYYY-MM-DD in the device's time zone (what the inspector sees on the wall calendar). */
export function today(now = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * The processing delay of one file: `{days, pending}`, or null without a valid received date.
 * A file not processed yet has been waiting since it was received: its delay runs to `asOf`.
 * A processed date before the received one gives null (the row is wrong, not fast).
 */
export function processingDelay(received, processed, asOf = today()) {
  const start = dayNumber(received ?? '');
  if (start === null) return null;
  const pending = !processed;
  const end = dayNumber(pending ? asOf : processed);
  if (end === null || end < start) return null;
  return { days: end - start, pending };
}

/** Delays of every row and their summary: `{rows: [{days, pending}|null], count, mean, max, pending}`. */
export function sampleSummary(rows, asOf = today()) {
  const delays = (rows ?? []).map((row) => processingDelay(row?.received, row?.processed, asOf));
  const known = delays.filter(Boolean);
  const total = known.reduce((sum, delay) => sum + delay.days, 0);
  return {
    rows: delays,
    count: known.length,
    mean: known.length ? total / known.length : null,
    max: known.length ? Math.max(...known.map((delay) => delay.days)) : null,
    pending: known.filter((delay) => delay.pending).length,
  };
}

/** Interviews: `{count, meanSatisfaction, meanWaiting}` over the rows that say it. */
export function feedbackSummary(rows) {
  const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
  const list = rows ?? [];
  return {
    count: list.length,
    meanSatisfaction: mean(list.map((row) => row?.satisfaction).filter((v) => Number.isInteger(v) && v >= 1 && v <= 5)),
    meanWaiting: mean(list.map((row) => row?.waiting_minutes).filter((v) => Number.isFinite(v) && v >= 0)),
  };
}

/** "12 days", "12 jours", "12 يومًا": a number of days in words, through Intl. */
export function formatDays(days, lang) {
  return formatNumber(days, lang, { style: 'unit', unit: 'day', unitDisplay: 'long', maximumFractionDigits: 1 });
}

/** "5 minutes ago", "il y a 5 minutes", "قبل 5 دقائق": the age of a past instant, through Intl. */
export function formatAge(then, lang, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - new Date(then).getTime()) / 1000));
  const format = intlFormatter(Intl.RelativeTimeFormat, lang, { numeric: 'auto' });
  if (seconds < 60) return format.format(-seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return format.format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return format.format(-hours, 'hour');
  return format.format(-Math.round(hours / 24), 'day');
}
