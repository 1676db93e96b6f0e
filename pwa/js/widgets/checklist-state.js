// The state of a checklist as the inspector fills it: which items are relevant now, how far each
// section has got, and what still stands in the way of submitting. Pure. Relevance is the
// scorer's (core/scoring.js), so that what is asked is exactly what is scored, here and on the
// server: an item hidden by its condition reads as unanswered in the conditions after it.
import { isAnswered, validateValue } from './item-rules.js';

/** The answers of a visit `{key: {value, note}}` → the values the rules read `{key: value}`. */
export function answerValues(answers) {
  const values = {};
  for (const [key, answer] of Object.entries(answers ?? {})) {
    if (answer && typeof answer === 'object' && 'value' in answer) values[key] = answer.value;
  }
  return values;
}

/**
 * The keys of the items that are relevant with these answers, as a Set. `relevance(document,
 * values)` gives `{key: boolean}` (core/scoring.js relevantItems, which shows an item whose
 * condition cannot be parsed: asking one question too many is better than hiding one).
 */
export function relevantKeys(document, values, relevance) {
  const shown = relevance(document, values);
  const keys = new Set();
  for (const section of document.sections) {
    for (const item of section.items) if (shown[item.key] !== false) keys.add(item.key);
  }
  return keys;
}

/** Per section: `{key, answered, total, required, missing}` over its relevant items. */
export function sectionProgress(document, values, relevant) {
  return document.sections.map((section) => {
    const items = section.items.filter((item) => relevant.has(item.key));
    const answered = items.filter((item) => isAnswered(item, values[item.key])).length;
    const missing = items.filter((item) => item.required && !isAnswered(item, values[item.key])).length;
    return { key: section.key, answered, total: items.length, missing };
  });
}

/** Everything to fix before submitting: `[{section, item, problem}]`, in document order. */
export function visitProblems(document, values, relevant) {
  const problems = [];
  for (const section of document.sections) {
    for (const item of section.items) {
      if (!relevant.has(item.key)) continue; // a hidden item is neither asked nor checked
      const problem = validateValue(item, values[item.key]);
      if (problem) problems.push({ section, item, problem });
    }
  }
  return problems;
}

/** Find an item and its section by key. */
export function findItem(document, key) {
  for (const section of document.sections) {
    const item = section.items.find((candidate) => candidate.key === key);
    if (item) return { section, item };
  }
  return null;
}
