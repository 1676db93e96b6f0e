// The score of a visit as it is filled, from core/scoring.js (the same rules as the server's).
// A template the scorer cannot read shows no score rather than stopping the checklist.
import { formatNumber } from '../i18n.js';
import { score } from '../core/scoring.js';

/** `values`: `{itemKey: value}`. → `{score_pct, sections: [{key, points, max_points, pct}], proposed_findings, …}` */
export function liveScore(document, values) {
  try {
    return score(document, values);
  } catch (error) {
    console.warn('rasd: no live score', error);
    return null;
  }
}

/** "72 %" in the user's digits, or "—" when nothing is scored yet. */
export function formatScore(pct, lang) {
  if (pct === null || pct === undefined || Number.isNaN(pct)) return '—';
  return formatNumber(pct / 100, lang, { style: 'percent', maximumFractionDigits: 0 });
}
