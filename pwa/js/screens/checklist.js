// The checklist of a visit: its sections as collapsible groups, every item drawn by the component
// of its type, relevance and the live score recomputed on every change, and every change saved
// through the store at once (there is no save button). A submitted visit is shown read-only.
import { relevantItems } from '../core/scoring.js';
import { h } from '../dom.js';
import { answerValues, relevantKeys, sectionProgress } from '../widgets/checklist-state.js';
import { loadItemComponents } from '../widgets/item-components.js';
import { itemField } from '../widgets/item-field.js';
import { liveScore } from '../widgets/live-score.js';
import { sectionGroup } from '../widgets/section-group.js';
import { visitHeader } from '../widgets/visit-header.js';
import { EDITABLE, fill, loadVisit, visitMedia } from './visit-data.js';

export function checklistScreen({ t, lang, store, visitId, itemKey = null, signal, autofocus }) {
  const root = h('section', { class: 'checklist', 'aria-labelledby': 'screen-title', 'aria-busy': 'true' },
    h('p', { class: 'screen__loading' }, t('app.loading')));

  async function draw() {
    const data = await loadVisit(store, visitId);
    if (signal.aborted) return;
    if (!data) {
      fill(root, h('h1', { id: 'screen-title', tabindex: '-1' }, t('visit.notFound')), h('a', { href: '#/' }, t('visit.backToList')));
      return;
    }
    const { visit, agency, document } = data;
    // The components of the item types this checklist holds arrive while the header is built.
    const components = loadItemComponents(document.sections.flatMap((section) => section.items.map((item) => item.type)));
    const readOnly = !EDITABLE.has(visit.status);
    const answers = { ...(visit.answers ?? {}) };
    let values = answerValues(answers);
    const media = visitMedia(store, visitId);
    const relevance = () => relevantKeys(document, values, relevantItems);
    let relevant = relevance();
    let score = liveScore(document, values);

    const header = visitHeader({ t, lang, visit, agency, document, current: 'checklist', score, findingsCount: (visit.findings ?? []).length });
    const fields = new Map();
    const save = (key, value, note) => store.setAnswer(visitId, key, value, note);
    await components;
    if (signal.aborted) return;

    function refresh() {
      relevant = relevance();
      score = liveScore(document, values);
      header.setScore(score);
      for (const [key, field] of fields) {
        const hidden = !relevant.has(key);
        if (field.hidden !== hidden) field.hidden = hidden; // unchanged: no restyle
      }
      const progress = sectionProgress(document, values, relevant);
      for (const [index, group] of groups.entries()) {
        group.update(progress[index], score?.sections?.find((s) => s.key === document.sections[index].key));
      }
    }

    function onValue(key, value) {
      answers[key] = { ...(answers[key] ?? { note: null }), value };
      values = answerValues(answers);
      refresh();
    }

    // Fields exist once their section has been opened (widgets/section-group.js).
    const groupOf = new Map();
    const buildItems = (section) => () => section.items.map((item) => {
      const field = itemField({ item, answer: answers[item.key], lang, t, readOnly, media, save, onValue, signal });
      field.hidden = !relevant.has(item.key);
      fields.set(item.key, field);
      return field;
    });
    const groups = document.sections.map((section, index) => {
      const group = sectionGroup({ section, lang, t, open: index === 0, buildItems: buildItems(section) });
      for (const item of section.items) groupOf.set(item.key, group);
      return group;
    });

    const notices = [];
    if (visit.status === 'returned' && visit.review_comment) {
      notices.push(h('div', { class: 'notice notice--returned', role: 'note' },
        h('strong', {}, t('visit.returnedBy')), ' ', h('span', { class: 'review-comment' }, visit.review_comment)));
    }
    if (readOnly) notices.push(h('p', { class: 'notice', id: 'read-only-notice' }, t('visit.readOnly')));

    fill(root, header, ...notices, h('div', { class: 'sections' }, groups),
      h('p', { class: 'checklist__next' },
        h('a', { class: 'button', href: `#/visit/${visitId}/findings` }, t('visit.tab.findings')),
        ' ',
        h('a', { class: 'button button--primary', href: `#/visit/${visitId}/submit` }, t('visit.tab.submit'))));
    root.removeAttribute('aria-busy');
    refresh();

    if (itemKey && groupOf.has(itemKey)) {
      const group = groupOf.get(itemKey);
      group.build();
      group.open = true;
      const field = fields.get(itemKey);
      field.showProblem({ includeRequired: true });
      field.scrollIntoView({ block: 'center' });
      field.focusControl();
    } else if (autofocus) {
      root.querySelector('h1')?.focus();
    }
  }

  draw().catch((error) => {
    console.error('rasd: checklist', error);
    fill(root, h('p', { class: 'alert', role: 'alert' }, t('errors.unknown')));
  });
  return root;
}
