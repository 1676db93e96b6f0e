// Findings and corrective actions of a visit: the findings the answers propose (failing critical
// items, `finding_on`), accepted with one tap; findings added by hand with their evidence;
// corrective actions (what, who, by when); and the open actions of earlier visits to the same
// agency, checked on site ("carried out? yes / partly / no").
import { relevantItems } from '../core/scoring.js';
import { h } from '../dom.js';
import { formatDate, formatNumber } from '../i18n.js';
import { actionForm } from '../widgets/action-form.js';
import { answerValues, findItem, relevantKeys } from '../widgets/checklist-state.js';
import { carriedOutChanges, earlierAction } from '../widgets/earlier-action.js';
import { findingForm } from '../widgets/finding-form.js';
import { localized } from '../widgets/item-rules.js';
import { liveScore } from '../widgets/live-score.js';
import { visitHeader } from '../widgets/visit-header.js';
import { EDITABLE, visitMedia, visitScreen } from './visit-data.js';

// Done by the agency but not yet seen on site: the next visit verifies it too.
const TO_VERIFY = new Set(['open', 'in_progress', 'done']);

/** The proposed findings not accepted yet: one per item, the most severe first as the scorer gives. */
export function pendingProposals(proposed, findings) {
  const taken = new Set(findings.map((finding) => finding.item_key).filter(Boolean));
  const seen = new Set();
  return (proposed ?? []).filter((p) => !taken.has(p.item_key) && !seen.has(p.item_key) && seen.add(p.item_key));
}

/** Actions of the other visits to this agency still to check on site (open, in progress or done). */
async function earlierActions(store, visit) {
  const visits = (await store.listVisits()).filter((other) => other.agency_id === visit.agency_id && other.id !== visit.id);
  const full = await Promise.all(visits.map((other) => store.getVisit(other.id)));
  return full.filter(Boolean).flatMap((other) => (other.actions ?? [])
    .filter((action) => TO_VERIFY.has(action.status ?? 'open'))
    .map((action) => ({ ...action, from: other })));
}

export function findingsScreen({ t, lang, store, visitId, signal, autofocus }) {
  const media = visitMedia(store, visitId);
  return visitScreen({ name: 'findings', t, store, visitId, signal, autofocus }, async ({ visit, agency, document }, draw) => {
    const readOnly = !EDITABLE.has(visit.status);
    const findings = (visit.findings ?? []).filter((finding) => !finding.deleted);
    const actions = (visit.actions ?? []).filter((action) => !action.deleted);
    const values = answerValues(visit.answers);
    const score = liveScore(document, values);
    const relevant = relevantKeys(document, values, relevantItems);
    const itemLabel = (key) => (key ? localized(findItem(document, key)?.item.label, lang) || key : '');
    const photosOf = (ids) => (visit.attachments ?? []).filter((attachment) => (ids ?? []).includes(attachment.id));

    async function createFinding(fields) {
      const { evidence_photos: _photos, ...rest } = fields;
      await store.createEntity('finding', { visit_id: visitId, agency_id: visit.agency_id, evidence: [], ...rest });
      await draw({ focus: 'findings-title' });
    }

    // Proposed findings
    const proposals = readOnly ? [] : pendingProposals(score?.proposed_findings, findings);
    const proposedList = h('ul', { class: 'list', id: 'proposed-findings' }, proposals.map((proposal) => h('li', { class: 'card proposal' },
      h('p', { class: 'proposal__item' }, itemLabel(proposal.item_key)),
      h('span', { class: `badge badge--${proposal.severity}` }, t(`severity.${proposal.severity}`)),
      h('button', {
        type: 'button', class: 'button button--primary proposal__accept',
        'aria-label': t('findings.acceptNamed', { item: itemLabel(proposal.item_key) }),
        onclick: () => createFinding({ item_key: proposal.item_key, severity: proposal.severity, description: itemLabel(proposal.item_key) }),
      }, t('findings.accept')))));

    // Findings
    const findingList = h('ul', { class: 'list', id: 'finding-list' }, findings.map((finding) => h('li', { class: 'card finding' },
      h('span', { class: `badge badge--${finding.severity}` }, t(`severity.${finding.severity}`)),
      h('p', { class: 'finding__description' }, finding.description),
      finding.item_key ? h('p', { class: 'hint' }, t('findings.about', { item: itemLabel(finding.item_key) })) : null,
      photosOf(finding.evidence).length
        ? h('ul', { class: 'photos' }, photosOf(finding.evidence).map((photo, index) => {
          const image = h('img', { class: 'photos__image', alt: t('photo.alt', { n: formatNumber(index + 1, lang) }) });
          Promise.resolve(media.urlOf(photo.sha256)).then((url) => { if (url) image.src = url; }).catch(() => {});
          return h('li', { class: 'photos__item' }, image);
        }))
        : null,
      readOnly ? null : h('button', {
        type: 'button', class: 'button button--quiet',
        onclick: async () => {
          await store.deleteEntity('finding', finding.id);
          await draw({ focus: 'findings-title' });
        },
      }, t('findings.remove')))));

    // Actions of this visit
    const findingLabel = (id) => {
      const finding = findings.find((candidate) => candidate.id === id);
      return finding ? `${t(`severity.${finding.severity}`)} — ${finding.description}` : '';
    };
    const actionList = h('ul', { class: 'list', id: 'action-list' }, actions.map((action) => h('li', { class: 'card action' },
      h('p', { class: 'action__description' }, action.description || action.title),
      h('p', { class: 'hint' }, t('actions.ownerDeadline', {
        owner: action.owner_name || '—',
        deadline: action.deadline ? formatDate(`${action.deadline}T12:00:00`, lang) : '—',
      })),
      action.finding_id ? h('p', { class: 'hint' }, t('actions.answers', { finding: findingLabel(action.finding_id) })) : null,
      readOnly ? null : h('button', {
        type: 'button', class: 'button button--quiet',
        onclick: async () => {
          await store.deleteEntity('action', action.id);
          await draw({ focus: 'actions-title' });
        },
      }, t('actions.remove')))));

    // Open actions of earlier visits
    const earlier = await earlierActions(store, visit);
    if (signal.aborted) return null;
    const earlierList = h('ul', { class: 'list', id: 'earlier-actions' }, earlier.map((action) => earlierAction({
      t, lang, action,
      onAnswer: async (current, answer) => {
        let status = current.status ?? 'open';
        for (const next of carriedOutChanges({ ...current, status }, answer)) {
          await store.setField('action', current.id, 'status', next);
          status = next;
        }
        // Which visit saw it carried out: the reviewer and the dashboard link the two.
        if (status === 'verified') await store.setField('action', current.id, 'verified_in_visit_id', visit.id);
        current.status = status; // a second answer starts from here
        return status;
      },
    })));

    const linkable = document.sections.flatMap((section) => section.items)
      .filter((item) => relevant.has(item.key))
      .map((item) => ({ key: item.key, label: localized(item.label, lang) }));
    const empty = (text) => h('p', { class: 'hint' }, text);
    const heading = (id, text) => h('h2', { id, tabindex: '-1' }, text);

    return [
      visitHeader({ t, lang, visit, agency, document, current: 'findings', score, findingsCount: findings.length }),
      readOnly ? h('p', { class: 'notice' }, t('visit.readOnly')) : null,
      h('section', { 'aria-labelledby': 'proposed-title', hidden: readOnly },
        heading('proposed-title', t('findings.proposedTitle')),
        proposals.length ? proposedList : empty(t('findings.noProposal'))),
      h('section', { 'aria-labelledby': 'findings-title' },
        heading('findings-title', t('findings.title')),
        findings.length ? findingList : empty(t('findings.none')),
        readOnly ? null : findingForm({ t, lang, items: linkable, media, onAdd: createFinding })),
      h('section', { 'aria-labelledby': 'actions-title' },
        heading('actions-title', t('actions.title')),
        actions.length ? actionList : empty(t('actions.none')),
        readOnly ? null : actionForm({
          t,
          findings: findings.map((finding) => ({ id: finding.id, label: findingLabel(finding.id) })),
          onAdd: async (fields) => {
            await store.createEntity('action', {
              visit_id: visitId, status: 'open', title: fields.description.slice(0, 300), ...fields,
            });
            await draw({ focus: 'actions-title' });
          },
        })),
      h('section', { 'aria-labelledby': 'earlier-title' },
        heading('earlier-title', t('actions.earlierTitle')),
        earlier.length ? earlierList : empty(t('actions.noEarlier'))),
      h('p', { class: 'checklist__next' }, h('a', { class: 'button button--primary', href: `#/visit/${visitId}/submit` }, t('visit.tab.submit'))),
    ];
  });
}
