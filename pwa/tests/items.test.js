// The rules behind the inspector's screens, on the demo template: what an answer may be, the words
// that say what is wrong (naming the item, in each language), processing delays, interview
// summaries, the size a photo is drawn at, relevance, progress and the submit summary.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { relevantItems } from '../js/core/scoring.js';
import { flatten, translator } from '../js/i18n.js';
import { pendingProposals } from '../js/screens/findings.js';
import { parseRoute, routeHash } from '../js/screens/routes.js';
import { latestVersions, startVisit } from '../js/screens/visit-data.js';
import { sortAssignments } from '../js/screens/work-list.js';
import { fold, matchAgencies } from '../js/widgets/agency-search.js';
import { carriedOutAnswer, carriedOutChanges } from '../js/widgets/earlier-action.js';
import { formatScore, liveScore } from '../js/widgets/live-score.js';
import { describeChange, describeReason, syncSummary } from '../js/widgets/sync-bar.js';
import { answerValues, findItem, relevantKeys, sectionProgress, visitProblems } from '../js/widgets/checklist-state.js';
import { downscaleSize, MAX_SIDE } from '../js/widgets/image-size.js';
import { ITEM_TYPES, itemComponent, loadItemComponents } from '../js/widgets/item-components.js';
import {
  describeProblem, feedbackRowProblem, fileRowProblem, isAnswered, isValidDay, localized, parseNumber, validateValue,
} from '../js/widgets/item-rules.js';
import { feedbackSummary, formatAge, formatDays, processingDelay, sampleSummary, today } from '../js/widgets/sample-rows.js';

const TEMPLATE = JSON.parse(readFileSync(new URL('../../backend/demo/templates/quality_public_service.json', import.meta.url)));
const catalogue = (lang) => translator(flatten(JSON.parse(readFileSync(new URL(`../locales/${lang}.json`, import.meta.url)))));
const item = (key) => findItem(TEMPLATE, key).item;

test('every item type of the design has its component, and the demo template uses only those', () => {
  assert.deepEqual([...ITEM_TYPES].sort(), [
    'citizen_feedback', 'date', 'duration', 'file_sample', 'gps', 'multi_choice', 'number', 'photo', 'rating',
    'signature', 'single_choice', 'text', 'time', 'yes_no',
  ]);
  const used = new Set(TEMPLATE.sections.flatMap((section) => section.items.map((i) => i.type)));
  assert.deepEqual([...used].sort(), [...ITEM_TYPES].sort(), 'the demo shows every type');
});

test('item components are fetched by type, when a checklist needs them, and only those', async () => {
  assert.equal(itemComponent('yes_no'), null, 'nothing is loaded before it is asked for');
  await loadItemComponents(['yes_no', 'rating', 'yes_no', 'no_such_type']);
  assert.equal(typeof itemComponent('yes_no'), 'function');
  assert.equal(typeof itemComponent('rating'), 'function');
  assert.equal(itemComponent('signature'), null);
  assert.equal(itemComponent('no_such_type'), null);
  await loadItemComponents(ITEM_TYPES);
  for (const type of ITEM_TYPES) assert.equal(typeof itemComponent(type), 'function', type);
});

test('numbers are read as people type them: comma decimals, Arabic-Indic digits, spaces', () => {
  assert.equal(parseNumber('35'), 35);
  assert.equal(parseNumber('3,5'), 3.5);
  assert.equal(parseNumber('٣٥'), 35);
  assert.equal(parseNumber('٣٫٥'), 3.5);
  assert.equal(parseNumber('۱۲'), 12);
  assert.equal(parseNumber('1 000'), 1000);
  assert.equal(parseNumber('-2'), -2);
  assert.ok(Number.isNaN(parseNumber('12a')));
  assert.ok(Number.isNaN(parseNumber('')));
  assert.ok(Number.isNaN(parseNumber('1.2.3')));
});

test('an answer counts as given unless it is empty; an empty multiple choice means "none of these"', () => {
  assert.equal(isAnswered(item('people_met'), '  '), false);
  assert.equal(isAnswered(item('people_waiting'), 0), true);
  assert.equal(isAnswered(item('information_display'), []), true);
  assert.equal(isAnswered(item('premises_photos'), []), false);
  assert.equal(isAnswered(item('processing_sample'), null), false);
});

test('number and duration answers are checked against their bounds', () => {
  const waiting = item('measured_waiting_time'); // 0–480 minutes
  assert.equal(validateValue(waiting, 35), null);
  assert.deepEqual(validateValue(waiting, 500), { code: 'above_max', max: 480 });
  assert.deepEqual(validateValue(waiting, -1), { code: 'below_min', min: 0 });
  assert.deepEqual(validateValue(waiting, null), { code: 'required' });
  assert.equal(validateValue(item('outstanding_debts'), 1e9), null, 'no max, no limit');
  assert.equal(validateValue(item('counters_opening_time'), null), null, 'not required, not answered: fine');
});

test('ratings, dates, times and choices must be possible answers', () => {
  assert.equal(validateValue(item('cleanliness'), 5), null);
  assert.deepEqual(validateValue(item('cleanliness'), 6), { code: 'above_max', max: 5 });
  assert.equal(validateValue(item('last_inspection_date'), '2025-02-28'), null);
  assert.deepEqual(validateValue(item('last_inspection_date'), '2025-02-30'), { code: 'bad_date' });
  assert.equal(validateValue(item('arrival_time'), '08:30'), null);
  assert.deepEqual(validateValue(item('arrival_time'), '25:00'), { code: 'bad_time' });
  assert.deepEqual(validateValue(item('queue_system'), 'teleport'), { code: 'bad_choice' });
  assert.equal(validateValue(item('signage'), 'na'), null);
  assert.ok(isValidDay('2024-02-29') && !isValidDay('2023-02-29'));
});

test('counts: photos, rows and characters between min and max', () => {
  const photos = item('premises_photos'); // 1–6
  assert.deepEqual(validateValue(photos, null), { code: 'required' });
  const seven = Array.from({ length: 7 }, (_, i) => ({ attachment_id: String(i), sha256: 'x' }));
  assert.deepEqual(validateValue(photos, seven), { code: 'too_many', max: 6, count: 7 });
  const interviews = item('citizen_interviews'); // at least 3
  const row = { service: 'Carte Chifa', waiting_minutes: 20, satisfaction: 4, comment: '' };
  assert.deepEqual(validateValue(interviews, [row, row]), { code: 'too_few', min: 3, count: 2 });
  assert.equal(validateValue(interviews, [row, row, row]), null);
  assert.deepEqual(validateValue(item('people_met'), 'x'.repeat(1001)), { code: 'too_long', max: 1000, count: 1001 });
});

test('rows are checked one by one, and the problem says which row', () => {
  assert.equal(fileRowProblem({ file: 'F-1', received: '2024-04-02', processed: '2024-05-20' }), null);
  assert.equal(fileRowProblem({ file: 'F-2', received: '2024-04-02', processed: null }), null, 'still pending');
  assert.deepEqual(fileRowProblem({ file: 'F-3', received: '2024-05-02', processed: '2024-04-20' }), { code: 'processed_before_received' });
  assert.deepEqual(fileRowProblem({ file: '', received: '2024-05-02' }), { code: 'row_file_missing' });
  assert.deepEqual(feedbackRowProblem({ service: 'x', satisfaction: 0 }), { code: 'row_satisfaction_missing' });
  assert.deepEqual(feedbackRowProblem({ service: 'x', satisfaction: 3, waiting_minutes: -5 }), { code: 'row_waiting_invalid' });
  const good = { file: 'F', received: '2024-01-01', processed: '2024-01-05' };
  const rows = [...Array.from({ length: 10 }, () => good)];
  rows[3] = { file: 'F', received: '2024-01-05', processed: '2024-01-01' };
  assert.deepEqual(validateValue(item('processing_sample'), rows), { code: 'processed_before_received', row: 4 });
});

test('a bounds error names the item and the limit with its unit, in each language', () => {
  const waiting = item('measured_waiting_time');
  const problem = validateValue(waiting, 500);
  const ar = describeProblem(problem, waiting, 'ar', catalogue('ar'));
  assert.ok(ar.includes(waiting.label.ar), ar);
  assert.ok(ar.includes('480') && ar.includes('دقيقة'), ar);
  const fr = describeProblem(problem, waiting, 'fr', catalogue('fr'));
  assert.ok(fr.startsWith(waiting.label.fr) && fr.includes('480 minutes'), fr);
  const en = describeProblem({ code: 'too_few', min: 10, count: 4, row: undefined }, item('processing_sample'), 'en', catalogue('en'));
  assert.ok(en.includes(item('processing_sample').label.en) && en.includes('10') && en.includes('4'), en);
  const row = describeProblem({ code: 'processed_before_received', row: 4 }, item('processing_sample'), 'en', catalogue('en'));
  assert.match(row, /4/);
});

test('every problem code has a message in every language', () => {
  const codes = ['required', 'not_a_number', 'below_min', 'above_max', 'bad_date', 'bad_time', 'bad_choice', 'too_few',
    'too_many', 'too_short', 'too_long', 'row_file_missing', 'row_received_missing', 'processed_before_received',
    'row_service_missing', 'row_waiting_invalid', 'row_satisfaction_missing', 'inRow'];
  for (const lang of ['ar', 'fr', 'en']) {
    const t = catalogue(lang);
    for (const code of codes) assert.ok(t.has(`problems.${code}`), `${lang}: problems.${code}`);
  }
});

test('processing delays count calendar days; a file not processed yet waits until today', () => {
  assert.deepEqual(processingDelay('2024-04-02', '2024-05-20'), { days: 48, pending: false });
  assert.deepEqual(processingDelay('2024-04-15', null, '2024-06-10'), { days: 56, pending: true });
  assert.deepEqual(processingDelay('2024-03-30', '2024-04-01'), { days: 2, pending: false }, 'across a DST change');
  assert.equal(processingDelay('2024-05-02', '2024-04-20'), null);
  assert.equal(processingDelay(null, '2024-04-20'), null);
  const summary = sampleSummary([
    { received: '2024-04-02', processed: '2024-05-20' },
    { received: '2024-04-15', processed: null },
    { received: null, processed: null },
  ], '2024-06-10');
  assert.deepEqual({ ...summary, rows: summary.rows.length }, { rows: 3, count: 2, mean: 52, max: 56, pending: 1 });
  assert.match(today(new Date(2025, 0, 9)), /^2025-01-09$/);
});

test('delays and ages are words through Intl, in each language', () => {
  assert.equal(formatDays(12, 'en'), '12 days');
  assert.match(formatDays(1, 'fr'), /^1\sjour$/u);
  assert.equal(formatDays(12, 'ar'), '12 يومًا');
  const now = Date.parse('2025-01-01T12:00:00Z');
  assert.equal(formatAge('2025-01-01T11:55:00Z', 'en', now), '5 minutes ago');
  assert.equal(formatAge('2025-01-01T09:00:00Z', 'fr', now), 'il y a 3 heures');
  assert.equal(formatAge('2024-12-29T12:00:00Z', 'en', now), '3 days ago');
  assert.equal(formatAge('2025-01-01T11:59:58Z', 'ar', now), 'قبل ثانيتين');
});

test('interviews are summed up: mean satisfaction and mean waiting time over the rows that say them', () => {
  const summary = feedbackSummary([
    { service: 'a', waiting_minutes: 10, satisfaction: 4 },
    { service: 'b', waiting_minutes: 30, satisfaction: 2 },
    { service: 'c', waiting_minutes: null, satisfaction: 5 },
  ]);
  assert.equal(summary.count, 3);
  assert.equal(summary.meanWaiting, 20);
  assert.ok(Math.abs(summary.meanSatisfaction - 11 / 3) < 1e-9);
  assert.deepEqual(feedbackSummary(null), { count: 0, meanSatisfaction: null, meanWaiting: null });
});

test('a photo is drawn with its longest side at most 1,600 px, proportions kept, never enlarged', () => {
  assert.equal(MAX_SIDE, 1600);
  assert.deepEqual(downscaleSize(4000, 3000), { width: 1600, height: 1200 });
  assert.deepEqual(downscaleSize(3000, 4000), { width: 1200, height: 1600 });
  assert.deepEqual(downscaleSize(800, 600), { width: 800, height: 600 });
  assert.deepEqual(downscaleSize(1600, 1600), { width: 1600, height: 1600 });
  assert.deepEqual(downscaleSize(10000, 10), { width: 1600, height: 2 });
  assert.deepEqual(downscaleSize(4032, 3024, 1000), { width: 1000, height: 750 });
  assert.throws(() => downscaleSize(0, 10), RangeError);
});

test('relevance hides items, and a hidden item is neither counted nor checked', () => {
  const values = answerValues({ reception_desk: { value: 'no', note: null } });
  const hidden = relevantKeys(TEMPLATE, values, relevantItems);
  assert.ok(!hidden.has('reception_staffed') && !hidden.has('reception_quality'));
  const shown = relevantKeys(TEMPLATE, { reception_desk: 'yes' }, relevantItems);
  assert.ok(shown.has('reception_staffed') && shown.has('reception_quality'));

  const reception = (keys) => sectionProgress(TEMPLATE, { reception_desk: 'no' }, keys).find((s) => s.key === 'reception');
  assert.deepEqual(reception(hidden), { key: 'reception', answered: 1, total: 4, missing: 3 });
  assert.deepEqual(reception(shown), { key: 'reception', answered: 1, total: 6, missing: 5 });

  const problems = visitProblems(TEMPLATE, { reception_desk: 'no' }, hidden).map((p) => p.item.key);
  assert.ok(!problems.includes('reception_staffed'));
  assert.ok(problems.includes('signage') && problems.includes('manager_signature'));
  assert.ok(!problems.includes('reception_desk') && !problems.includes('people_met'));
});

test('an expression that cannot be parsed shows its item: one question too many, never one too few', () => {
  const document = { sections: [{ key: 's', items: [{ key: 'a', type: 'text', relevant: "answer('x' ==" }] }] };
  assert.deepEqual([...relevantKeys(document, {}, relevantItems)], ['a']);
});

test('labels fall back to another language rather than show nothing', () => {
  assert.equal(localized({ ar: 'أ', fr: '', en: 'A' }, 'fr'), 'أ');
  assert.equal(localized({ ar: '', fr: 'B', en: '' }, 'en'), 'B');
  assert.equal(localized(null, 'ar'), '');
});

test('places in the hash: the work list, a visit, one of its items, its findings and submission', () => {
  const id = '5b0d8f4e-3c2a-4e1b-9f7d-2a6c1e8b4d30';
  assert.deepEqual(parseRoute(''), { name: 'home' });
  assert.deepEqual(parseRoute('#/'), { name: 'home' });
  assert.deepEqual(parseRoute(`#/visit/${id}`), { name: 'checklist', visitId: id });
  assert.deepEqual(parseRoute(`#/visit/${id}/item/people_waiting`), { name: 'checklist', visitId: id, itemKey: 'people_waiting' });
  assert.deepEqual(parseRoute(`#/visit/${id}/findings`), { name: 'findings', visitId: id });
  assert.deepEqual(parseRoute(`#/visit/${id}/submit`), { name: 'submit', visitId: id });
  assert.deepEqual(parseRoute('#/visit/not-a-uuid'), { name: 'home' });
  assert.deepEqual(parseRoute(`#/visit/${id}/item/Bad-Key`), { name: 'home' });
  for (const hash of [`#/visit/${id}`, `#/visit/${id}/item/people_waiting`, `#/visit/${id}/findings`, '#/']) {
    assert.equal(routeHash(parseRoute(hash)), hash);
  }
});

test('assignments: late ones first, then by due date; done and cancelled ones are not listed', () => {
  const sorted = sortAssignments([
    { id: 'a', due_on: '2025-03-01' },
    { id: 'b', due_on: '2025-01-10' },
    { id: 'c', due_on: '2025-02-01', status: 'done' },
    { id: 'd', due_on: '2025-01-20' },
    { id: 'e', due_on: '2025-02-15' },
  ], '2025-02-01');
  assert.deepEqual(sorted.map((a) => [a.id, a.late]), [['b', true], ['d', true], ['e', false], ['a', false]]);
});

test("assignments: a colleague's are not listed, unassigned ones are", () => {
  const listed = sortAssignments([
    { id: 'mine', due_on: '2025-03-01', assignee_id: 'u1' },
    { id: 'theirs', due_on: '2025-03-01', assignee_id: 'u2' },
    { id: 'open', due_on: '2025-03-02', assignee_id: null },
  ], '2025-02-01', 'u1');
  assert.deepEqual(listed.map((a) => a.id), ['mine', 'open']);
});

test('an agency is found by code or name, whatever the case, accents or Arabic spelling', () => {
  const agencies = [
    { code: 'CNAS-16', name_ar: 'وكالة CNAS الجزائر', name_fr: 'Agence CNAS de Alger' },
    { code: 'CNAS-16-C1', name_ar: 'مركز CNAS الجزائر 1', name_fr: 'Centre CNAS Alger 1' },
    { code: 'ANEM-16', name_ar: 'وكالة ANEM الجزائر', name_fr: "Agence ANEM d'Alger" },
    { code: 'CNR-31', name_ar: 'وكالة CNR وهران', name_fr: 'Agence CNR de Oran' },
  ];
  const codes = (query) => matchAgencies(agencies, query).map((a) => a.code);
  assert.deepEqual(codes('cnas-16'), ['CNAS-16', 'CNAS-16-C1']);
  assert.deepEqual(codes('centre alger'), ['CNAS-16-C1']);
  assert.deepEqual(codes('ORAN'), ['CNR-31']);
  assert.deepEqual(codes('الجزائر مركز'), ['CNAS-16-C1']);
  assert.deepEqual(codes('وكاله'), ['CNAS-16', 'ANEM-16', 'CNR-31'], 'ta marbuta and ha are one letter here');
  assert.equal(fold('Élément  '), 'element');
  assert.equal(fold('إِدارة'), 'اداره');
  assert.equal(codes('').length, 4);
});

test('an earlier action checked on site: yes → done then verified, partly → in progress, no → as it was', () => {
  assert.deepEqual(carriedOutChanges({ status: 'open' }, 'yes'), ['done', 'verified']);
  assert.deepEqual(carriedOutChanges({ status: 'in_progress' }, 'yes'), ['done', 'verified']);
  assert.deepEqual(carriedOutChanges({ status: 'done' }, 'yes'), ['verified']);
  assert.deepEqual(carriedOutChanges({ status: 'verified' }, 'yes'), []);
  assert.deepEqual(carriedOutChanges({}, 'partly'), ['in_progress']);
  assert.deepEqual(carriedOutChanges({ status: 'in_progress' }, 'partly'), []);
  assert.deepEqual(carriedOutChanges({ status: 'open' }, 'no'), []);
  assert.equal(carriedOutAnswer({ status: 'verified' }), 'yes');
  assert.equal(carriedOutAnswer({ status: 'in_progress' }), null, 'it may have been in progress before the visit');
});

test('proposed findings: the ones the scorer gives for this visit, once per item, minus those accepted', () => {
  const values = { safety_equipment: 'no', reception_desk: 'no', pending_beyond_delay: 4 };
  const proposed = liveScore(TEMPLATE, values).proposed_findings;
  assert.deepEqual(proposed.map((p) => [p.item_key, p.severity]).sort(), [
    ['pending_beyond_delay', 'critical'], ['reception_desk', 'major'], ['safety_equipment', 'critical'],
  ]);
  const left = pendingProposals(proposed, [{ id: 'f1', item_key: 'safety_equipment', severity: 'critical' }]);
  assert.deepEqual(left.map((p) => p.item_key).sort(), ['pending_beyond_delay', 'reception_desk']);
  assert.deepEqual(pendingProposals(undefined, []), []);
});

test('the live score is shown as a percentage in the user\'s digits, or a dash before any answer', () => {
  assert.equal(formatScore(null, 'en'), '—');
  assert.equal(formatScore(72.5, 'en'), '73%');
  assert.equal(formatScore(100, 'fr'), '100\u00a0%');
  assert.equal(liveScore(TEMPLATE, {}).score_pct, null);
  assert.equal(liveScore(TEMPLATE, { signage: 'yes' }).score_pct, 100);
  assert.equal(liveScore({ sections: 'not a list' }, {}), null, 'a template it cannot read gives no score, no crash');
});

test('the newest version of each template is offered for unplanned visits', () => {
  const versions = [
    { id: 'q1', template_key: 'quality', version: 1 },
    { id: 'q3', template_key: 'quality', version: 3 },
    { id: 'q2', template_key: 'quality', version: 2 },
    { id: 'f1', template_key: 'finance', version: 1 },
  ];
  assert.deepEqual(latestVersions(versions).map((v) => v.id).sort(), ['f1', 'q3']);
});

test('a retired version is never offered for a new visit, even when it is the newest', () => {
  const versions = [
    { id: 'q1', template_key: 'quality', version: 1, status: 'published' },
    { id: 'q2', template_key: 'quality', version: 2, status: 'retired' },
    { id: 'f1', template_key: 'finance', version: 1, status: 'retired' },
  ];
  assert.deepEqual(latestVersions(versions).map((v) => v.id), ['q1']);
});

test('a visit starts at once; its position is added later, and only where location is already allowed', async () => {
  const calls = [];
  const store = {
    createVisit: async (fields) => { calls.push(['create', fields]); return 'visit-1'; },
    setField: async (...args) => { calls.push(['set', ...args]); },
  };
  const place = { lat: 36.75, lon: 3.05, accuracy_m: 12, at: '2025-01-01T08:00:00.000Z' };
  const id = await startVisit(store, { agencyId: 'a', versionId: 't' }, { locate: async () => place, allowed: async () => true });
  assert.equal(id, 'visit-1');
  assert.equal(calls[0][0], 'create');
  assert.deepEqual({ ...calls[0][1], started_at: 'x' }, { agency_id: 'a', template_version_id: 't', assignment_id: null, started_at: 'x', location: null });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(calls[1], ['set', 'visit', 'visit-1', 'location', place]);

  calls.length = 0;
  let asked = false;
  await startVisit(store, { agencyId: 'a', versionId: 't' }, { locate: async () => { asked = true; return place; }, allowed: async () => false });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(asked, false, 'no prompt in front of an inspector who is starting a visit');
  assert.deepEqual(calls.map((c) => c[0]), ['create']);
});

test('the sync bar says how much waits and since when, and why the server refused a change', () => {
  const en = catalogue('en');
  const ar = catalogue('ar');
  const now = Date.parse('2025-01-01T12:00:00Z');
  const said = (status, lang = 'en', t = en) => {
    const { key, params } = syncSummary(status, lang, now);
    return t(key, params);
  };
  assert.equal(said({ pending: 3, oldestAgeMs: 5 * 60000, online: true, sync: { state: 'idle' } }),
    '3 change(s) waiting to be sent, the oldest 5 minutes ago.');
  assert.equal(said({ pending: 2, oldestAgeMs: 3 * 3600000, online: false, sync: { state: 'offline' } }),
    'Offline: 2 change(s) kept on this device, the oldest 3 hours ago.');
  assert.equal(said({ pending: 0, online: true, lastSyncAt: '2025-01-01T11:58:00Z', sync: { state: 'idle' } }),
    'Everything is on the server (last sync 2 minutes ago).');
  assert.equal(said({ pending: 0, online: true, lastSyncAt: null, sync: { state: 'idle' } }), 'Not synced yet.');
  assert.equal(said({ pending: 4, online: true, sync: { state: 'signed_out' } }), 'Sign in again to send your changes; they are kept on this device.');
  assert.match(said({ pending: 1, oldestAgeMs: 60000, online: true, sync: { state: 'waiting' } }, 'ar', ar), /تعذّر الوصول إلى الخادم/);

  assert.equal(describeChange({ entity: 'visit', field: 'answers.people_waiting', kind: 'set' }, en), 'The answer “people_waiting”');
  assert.equal(describeChange({ entity: 'action', field: 'status', kind: 'set' }, en), 'A corrective action');
  assert.equal(describeChange({ entity: 'visit', kind: 'submit' }, ar), 'إرسال الزيارة');
  assert.equal(describeReason({ code: 'illegal_transition', message: 'open → verified' }, en), 'a change of status that is not allowed.');
  assert.equal(describeReason({ code: 'brand_new_code', message: 'Something new.' }, en), 'Something new.');
  assert.equal(describeReason(null, en), 'refused by the server.');
});
