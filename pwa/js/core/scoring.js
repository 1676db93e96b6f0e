// Scoring of a visit's answers against its template version, the same as on the server.
//
// backend/checklists/scoring.py is the reference: its docstring states the rules (answer shapes,
// relevance, points per type, exclusions, sections, failing and findings, rounding), and this module
// follows it line for line; tests/fixtures/vectors/scoring.json proves that both give the same
// output. The template is the raw JSON document, so defaults of the format are applied here
// (weight 1, option points 0, required and critical false).

import { ExpressionError, holds, parse, strictlyEqual } from './relevance.js';

const RATING_MIN = 1;
const RATING_MAX = 5;
const SATISFACTION = [1, 5];
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const YES = Object.freeze({ ratio: 1, failed: false });
const NO = Object.freeze({ ratio: 0, failed: true });

const weightOf = (node) => node.weight ?? 1;
const given = (value) => value !== null && value !== undefined;
const allItems = (template) => template.sections.flatMap((section) => section.items);

/** Score the answers of a visit; never throws on odd answers (they are left out). */
export function score(template, answers) {
  const shown = relevantItems(template, answers);
  const seen = Object.fromEntries(Object.entries(answers ?? {}).filter(([key]) => shown[key] === true));
  const sections = [];
  const criticalFailed = [];
  const findings = [];
  let total = 0;
  let totalMax = 0;
  for (const section of template.sections) {
    let points = 0;
    let maximum = 0;
    for (const item of section.items) {
      if (!shown[item.key]) continue;
      const answer = Object.hasOwn(seen, item.key) ? seen[item.key] : null;
      const assessment = assess(item, answer);
      if (assessment !== null) {
        points += assessment.ratio * weightOf(item);
        maximum += weightOf(item);
      }
      const critical = item.critical === true && assessment !== null && assessment.failed;
      if (critical) criticalFailed.push(item.key);
      if (critical || finding(item, answer, seen)) {
        findings.push({ item_key: item.key, severity: critical ? 'critical' : 'major' });
      }
    }
    sections.push({
      key: section.key,
      weight: weightOf(section),
      points: roundHalfUp(points, 4),
      max_points: roundHalfUp(maximum, 4),
      pct: pct(points, maximum),
    });
    if (maximum > 0 && weightOf(section) > 0) {
      total += weightOf(section) * (points / maximum);
      totalMax += weightOf(section);
    }
  }
  return {
    score_pct: pct(total, totalMax),
    points: roundHalfUp(total, 4),
    max_points: roundHalfUp(totalMax, 4),
    sections,
    critical_failed: criticalFailed,
    proposed_findings: findings,
  };
}

/** Whether each item is relevant ({ key: boolean }), in document order; irrelevant answers read as null later. */
export function relevantItems(template, answers) {
  const values = answers ?? {};
  const shown = {};
  const seen = {};
  for (const item of allItems(template)) {
    shown[item.key] = condition(item.relevant, seen, true);
    if (shown[item.key] && Object.hasOwn(values, item.key)) seen[item.key] = values[item.key];
  }
  return shown;
}

/** The points ratio and failure of one answer ({ ratio, failed }), or null when it is not scored. */
export function assess(item, answer) {
  if (!given(answer)) return null;
  switch (item.type) {
    case 'yes_no': return answer === 'yes' ? YES : answer === 'no' ? NO : null;
    case 'single_choice': {
      const options = item.options ?? [];
      let best = 0;
      for (const option of options) best = Math.max(best, option.points ?? 0);
      const chosen = options.find((option) => option.key === answer);
      return chosen === undefined || best <= 0 ? null : halfway((chosen.points ?? 0) / best);
    }
    case 'multi_choice': {
      if (!Array.isArray(answer)) return null;
      let total = 0;
      let earned = 0;
      for (const option of item.options ?? []) {
        total += option.points ?? 0;
        if (answer.includes(option.key)) earned += option.points ?? 0;
      }
      return total > 0 ? halfway(earned / total) : null;
    }
    case 'rating': {
      const low = item.min ?? RATING_MIN;
      const high = item.max ?? RATING_MAX;
      const value = integer(answer);
      if (value === null || !(low <= value && value <= high) || high <= low) return null;
      return halfway((value - low) / (high - low));
    }
    case 'number':
    case 'duration': {
      const value = finite(answer);
      if (!given(item.target) || value === null) return null;
      return meets(value, item.target) ? YES : NO;
    }
    case 'file_sample': {
      const delays = processingDelays(answer);
      if (!given(item.target) || delays.length === 0) return null;
      let met = 0;
      for (const delay of delays) met += meets(delay, item.target) ? 1 : 0;
      return { ratio: met / delays.length, failed: met < delays.length };
    }
    case 'citizen_feedback': {
      const mean = meanSatisfaction(answer);
      if (mean === null) return null;
      const scaled = (mean - RATING_MIN) / (RATING_MAX - RATING_MIN);
      if (!given(item.target)) return { ratio: scaled, failed: false };
      const met = meets(mean, item.target);
      return { ratio: met ? 1 : scaled, failed: !met };
    }
    default: return null;
  }
}

/** Days from `received` to `processed` of one sampled file, or null if not measurable. */
export function processingDelay(row) {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return null;
  const received = day(row.received);
  const processed = day(row.processed);
  if (received === null || processed === null || processed < received) return null;
  return processed - received;
}

/** The delays of the measurable files of a file_sample answer, in row order. */
export function processingDelays(rows) {
  if (!Array.isArray(rows)) return [];
  return rows.map(processingDelay).filter((delay) => delay !== null);
}

/** The mean satisfaction (1–5) of a citizen_feedback answer; rows without a valid one are skipped. */
export function meanSatisfaction(rows) {
  if (!Array.isArray(rows)) return null;
  let total = 0;
  let count = 0;
  for (const row of rows) {
    const isRow = row !== null && typeof row === 'object' && !Array.isArray(row);
    const value = isRow ? integer(row.satisfaction) : null;
    if (value !== null && SATISFACTION[0] <= value && value <= SATISFACTION[1]) {
      total += value;
      count += 1;
    }
  }
  return count ? total / count : null;
}

/** `floor(value * 10**digits + 0.5) / 10**digits`, the rounding shared with Python. */
export function roundHalfUp(value, digits) {
  const scale = 10 ** digits;
  return Math.floor(value * scale + 0.5) / scale;
}

const pct = (points, maximum) => (maximum > 0 ? roundHalfUp((points / maximum) * 100, 2) : null);

const halfway = (ratio) => ({ ratio, failed: ratio < 0.5 });

function meets(value, target) {
  switch (target.op) {
    case '<=': return value <= target.value;
    case '<': return value < target.value;
    case '>=': return value >= target.value;
    case '>': return value > target.value;
    default: return value === target.value;
  }
}

function condition(expression, answers, fallback) {
  if (!given(expression)) return fallback;
  try {
    return holds(parse(expression), answers);
  } catch (error) {
    if (error instanceof ExpressionError) return fallback;
    throw error;
  }
}

function finding(item, answer, answers) {
  const rule = item.finding_on;
  if (!given(rule) || !given(answer)) return false;
  if (typeof rule === 'string') return condition(rule, answers, false);
  const values = item.type === 'multi_choice' && Array.isArray(answer) ? answer : [answer];
  return values.some((value) => rule.some((listed) => strictlyEqual(value, listed)));
}

/** A finite number (not a boolean); null otherwise. */
const finite = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

const integer = (value) => {
  const number = finite(value);
  return number !== null && Number.isInteger(number) ? number : null;
};

/** A day number of a valid ISO calendar date (proleptic Gregorian, year 1 to 9999), or null. */
function day(value) {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (match === null) return null;
  const [year, month, date] = match.slice(1).map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (year < 1 || days === undefined || date < 1 || date > days) return null;
  // Days from the civil calendar (H. Hinnant): only differences are used, so the epoch is free.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + date - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
}
