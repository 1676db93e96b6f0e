// The inspector's work list: visits returned by a reviewer (with the comment), drafts in
// progress, assignments (late first, highlighted), and every agency of the scope with a search,
// to start a visit that no assignment planned.
import { byText } from '../core/compare.js';
import { h } from '../dom.js';
import { formatDate } from '../i18n.js';
import { agencySearch } from '../widgets/agency-search.js';
import { locate, locationAllowed } from '../widgets/geolocate.js';
import { localized } from '../widgets/item-rules.js';
import { today } from '../widgets/sample-rows.js';
import { agencyName } from '../widgets/visit-header.js';
import { routeHash } from './routes.js';
import { fill, latestVersions, startVisit } from './visit-data.js';

/** This user's assignments still to do (and unassigned ones of the scope), late first, then by due
 *  date. The feed sends every assignment of the agencies in scope; a colleague's are not ours. */
export function sortAssignments(assignments, day = today(), userId = null) {
  const due = (a) => a.due_on ?? a.due_date ?? '9999-12-31';
  const mine = (a) => !userId || !a.assignee_id || a.assignee_id === userId;
  return assignments
    .filter((a) => (a.status ?? 'planned') === 'planned' && mine(a))
    .map((a) => ({ ...a, late: due(a) < day }))
    .sort((a, b) => Number(b.late) - Number(a.late) || byText(due(a), due(b)));
}

export function workListScreen({ t, lang, store, signal, user = null }) {
  const root = h('section', { class: 'work-list', 'aria-labelledby': 'work-title', 'aria-busy': 'true' },
    h('h2', { id: 'work-title' }, t('home.workTitle')),
    h('p', { class: 'screen__loading' }, t('app.loading')));

  let query = ''; // the agency search survives a redraw
  let drawn = null; // what the list shows: redrawn only when it changes (a sync may run every minute)

  async function draw() {
    const [agencies, versions, assignments, visits] = await Promise.all([
      store.listAgencies(), store.listTemplates(), store.listAssignments(), store.listVisits(),
    ]);
    // The reviewer's comment is not in the summaries: read the few returned visits in full.
    const returned = (await Promise.all(visits.filter((visit) => visit.status === 'returned').map((visit) => store.getVisit(visit.id))))
      .filter(Boolean);
    if (signal.aborted) return;
    const fingerprint = JSON.stringify([
      agencies.map((a) => a.id), versions.map((v) => v.id), assignments.map((a) => [a.id, a.status, a.due_on, a.visit_id]),
      visits.map((v) => [v.id, v.status]), returned.map((v) => v.review_comment),
    ]);
    if (fingerprint === drawn) return;
    drawn = fingerprint;
    const byId = new Map(agencies.map((agency) => [agency.id, agency]));
    const templates = latestVersions(versions);
    const title = (version) => localized(version?.document?.title ?? version?.title, lang) || version?.template_key || '';
    const day = (text) => formatDate(`${text}T12:00:00`, lang, { dateStyle: 'medium' });
    const started = (visit) => (visit.started_at ? formatDate(visit.started_at, lang, { dateStyle: 'medium', timeStyle: 'short' }) : '');
    const alert = h('p', { class: 'alert', role: 'alert', hidden: true });

    const templateSelect = h('select', { id: 'unplanned-template' },
      templates.map((version) => h('option', { value: version.id }, title(version))));

    async function start({ agencyId, versionId, assignmentId = null }) {
      if (!versionId) {
        alert.textContent = t('home.noTemplate');
        alert.hidden = false;
        return;
      }
      try {
        const id = await startVisit(store, { agencyId, versionId, assignmentId }, { locate, allowed: locationAllowed });
        globalThis.location.hash = routeHash({ name: 'checklist', visitId: id });
      } catch (error) {
        console.error('rasd: start visit', error);
        alert.textContent = t('errors.unknown');
        alert.hidden = false;
      }
    }

    const versionFor = (assignment) => assignment.template_version_id
      ?? templates.find((version) => version.template_id === assignment.template_id || version.template_key === assignment.template_key)?.id
      ?? templates[0]?.id;
    const draftOf = (assignment) => visits.find((visit) => visit.assignment_id === assignment.id && visit.status === 'draft');
    const visitLink = (visit, label) => h('a', { class: 'button', href: routeHash({ name: 'checklist', visitId: visit.id }) }, label);

    const drafts = visits.filter((visit) => visit.status === 'draft');
    const todo = sortAssignments(assignments, today(), user?.id ?? null);
    const versionTitle = (id) => title(versions.find((version) => version.id === id));

    const section = (id, heading, items, empty) => h('section', { class: 'work-list__group', 'aria-labelledby': id },
      h('h3', { id }, heading),
      items.length ? h('ul', { class: 'list' }, items) : h('p', { class: 'hint' }, empty));

    fill(root, 
      h('h2', { id: 'work-title' }, t('home.workTitle')),
      alert,
      returned.length ? section('returned-title', t('home.returned'), returned.map((visit) => h('li', { class: 'card card--returned' },
        h('p', { class: 'card__title' }, agencyName(byId.get(visit.agency_id), lang)),
        h('p', { class: 'hint' }, versionTitle(visit.template_version_id)),
        h('p', { class: 'review-comment' }, h('strong', {}, t('visit.returnedBy')), ' ', visit.review_comment || '—'),
        visitLink(visit, t('home.correct')))), '') : null,
      section('drafts-title', t('home.drafts'), drafts.map((visit) => h('li', { class: 'card' },
        h('p', { class: 'card__title' }, agencyName(byId.get(visit.agency_id), lang)),
        h('p', { class: 'hint' }, versionTitle(visit.template_version_id), ' · ', t('visit.startedAt', { when: started(visit) })),
        visitLink(visit, t('home.continue')))), t('home.noDrafts')),
      section('assignments-title', t('home.assignments'), todo.map((assignment) => {
        const draft = draftOf(assignment);
        const agency = byId.get(assignment.agency_id);
        const due = assignment.due_on ?? assignment.due_date;
        return h('li', { class: `card${assignment.late ? ' card--late' : ''}` },
          h('p', { class: 'card__title' }, agencyName(agency, lang) || assignment.agency_id),
          h('p', { class: 'hint' }, versionTitle(versionFor(assignment))),
          h('p', { class: 'card__due' },
            due ? t('home.due', { date: day(due) }) : null,
            assignment.late ? h('span', { class: 'badge badge--late' }, t('home.late')) : null),
          draft
            ? visitLink(draft, t('home.continue'))
            : h('button', {
              type: 'button', class: 'button button--primary',
              'aria-label': t('home.startFor', { agency: agencyName(agency, lang) }),
              onclick: () => start({ agencyId: assignment.agency_id, versionId: versionFor(assignment), assignmentId: assignment.id }),
            }, t('home.start')));
      }), t('home.noAssignments')),
      h('section', { class: 'work-list__group', 'aria-labelledby': 'agencies-title' },
        h('h3', { id: 'agencies-title' }, t('home.agencies')),
        templates.length > 1
          ? h('div', { class: 'field' }, h('label', { for: 'unplanned-template' }, t('home.templateForUnplanned')), templateSelect)
          : null,
        agencies.length
          ? agencySearch({
            t, lang, agencies, query, onQuery: (text) => { query = text; },
            row: (agency) => h('li', { class: 'agency-row', 'data-code': agency.code },
              h('span', { class: 'agency-row__name' }, agencyName(agency, lang), ' ', h('bdi', { class: 'agency-row__code' }, agency.code)),
              h('button', {
                type: 'button', class: 'button button--small',
                'aria-label': t('home.startUnplannedFor', { agency: agencyName(agency, lang) }),
                onclick: () => start({ agencyId: agency.id, versionId: templateSelect.value || templates[0]?.id }),
              }, t('home.startUnplanned'))),
          })
          : h('p', { class: 'hint', id: 'no-agencies' }, t('home.noAgencies'))),
    );
    root.removeAttribute('aria-busy');
  }

  draw().catch((error) => {
    console.error('rasd: work list', error);
    fill(root, h('p', { class: 'alert', role: 'alert' }, t('errors.unknown')));
  });
  if (store.subscribe) {
    // New data from a pull (agencies on a first sync, a visit returned by a reviewer): redraw,
    // unless the inspector is typing a search.
    let timer = null;
    const unsubscribe = store.subscribe(() => {
      if (root.contains(document.activeElement) && document.activeElement.id === 'agency-search') return;
      clearTimeout(timer);
      timer = setTimeout(() => draw().catch(() => {}), 250);
    });
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      if (typeof unsubscribe === 'function') unsubscribe();
    });
  }
  return root;
}
