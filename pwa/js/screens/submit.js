// Submitting a visit: what is still missing or out of bounds (each a link to its item), the
// inspector's signature, and the submit button. Once submitted the visit is read-only and this
// screen says where it stands (submitted, approved, returned with the reviewer's comment).
import { relevantItems } from '../core/scoring.js';
import { h } from '../dom.js';
import { formatNumber } from '../i18n.js';
import { answerValues, relevantKeys, visitProblems } from '../widgets/checklist-state.js';
import { describeProblem, localized } from '../widgets/item-rules.js';
import { liveScore } from '../widgets/live-score.js';
import { signatureField } from '../widgets/signature-field.js';
import { visitHeader } from '../widgets/visit-header.js';
import { routeHash } from './routes.js';
import { EDITABLE, visitMedia, visitScreen } from './visit-data.js';

export function submitScreen({ t, lang, store, visitId, user, signal, autofocus, onSubmitted = () => {} }) {
  const media = visitMedia(store, visitId);
  return visitScreen({ name: 'submit', t, store, visitId, signal, autofocus }, async ({ visit, agency, document }, draw) => {
    const values = answerValues(visit.answers);
    const relevant = relevantKeys(document, values, relevantItems);
    const problems = visitProblems(document, values, relevant);
    const score = liveScore(document, values);
    const header = visitHeader({ t, lang, visit, agency, document, current: 'submit', score, findingsCount: (visit.findings ?? []).length });

    if (!EDITABLE.has(visit.status)) {
      return [header,
        h('div', { class: 'card submitted', id: 'submitted' },
          h('h2', { id: 'submitted-title', tabindex: '-1' }, t(`visit.statusTitle.${visit.status}`)),
          h('p', {}, t(`visit.statusText.${visit.status}`)),
          h('a', { class: 'button', href: routeHash({ name: 'checklist', visitId }) }, t('visit.viewAnswers')),
          ' ',
          h('a', { class: 'button button--quiet', href: '#/' }, t('visit.backToList')))];
    }

    let signature = visit.signature ?? null;
    const signer = h('input', {
      id: 'signed-by', type: 'text', maxlength: 200, autocomplete: 'name',
      value: signature?.signed_by ?? user?.display_name ?? '',
    });
    signer.addEventListener('change', () => {
      if (signature) store.setField('visit', visitId, 'signature', { ...signature, signed_by: signer.value.trim() || null });
    });
    const pad = signatureField({
      id: 'visit-signature', value: signature, t, readOnly: false, label: t('submit.signaturePad'), describedBy: 'submit-error',
      media: { addPng: (blob) => media.addPng(null, blob), urlOf: media.urlOf, remove: media.remove },
      extra: () => ({ signed_by: signer.value.trim() || null }),
      onChange: async (next) => {
        signature = next ? { sha256: next.sha256, signed_by: next.signed_by, signed_at: next.signed_at, attachment_id: next.attachment_id } : null;
        await store.setField('visit', visitId, 'signature', signature);
      },
    });

    const problemList = h('ol', { class: 'problems', id: 'problems' }, problems.map(({ section, item, problem }) => h('li', {},
      h('a', { href: routeHash({ name: 'checklist', visitId, itemKey: item.key }) },
        h('span', { class: 'problems__section' }, localized(section.title, lang)), ' — ',
        describeProblem(problem, item, lang, t)))));
    const alert = h('p', { class: 'alert', id: 'submit-error', role: 'alert', hidden: true });
    const button = h('button', { type: 'button', class: 'button button--primary', id: 'submit-visit' }, t('submit.button'));
    button.addEventListener('click', async () => {
      const fresh = await store.getVisit(visitId);
      const left = visitProblems(document, answerValues(fresh.answers), relevantKeys(document, answerValues(fresh.answers), relevantItems));
      if (left.length) {
        alert.textContent = t('submit.blocked', { count: formatNumber(left.length, lang) });
        alert.hidden = false;
        problemList.querySelector('a')?.focus();
        return;
      }
      if (!signature) {
        alert.textContent = t('submit.needSignature');
        alert.hidden = false;
        return;
      }
      button.disabled = true;
      try {
        await store.submitVisit(visitId);
        onSubmitted(visitId);
        await draw({ focus: 'submitted-title' });
      } catch (error) {
        console.error('rasd: submit', error);
        alert.textContent = t('errors.unknown');
        alert.hidden = false;
        button.disabled = false;
      }
    });

    return [header,
      visit.status === 'returned' && visit.review_comment
        ? h('div', { class: 'notice notice--returned', role: 'note' }, h('strong', {}, t('visit.returnedBy')), ' ', h('span', { class: 'review-comment' }, visit.review_comment))
        : null,
      h('section', { 'aria-labelledby': 'check-title' },
        h('h2', { id: 'check-title', tabindex: '-1' }, t('submit.checkTitle')),
        problems.length
          ? [h('p', { class: 'hint', id: 'problem-count' }, t('submit.problemCount', { count: formatNumber(problems.length, lang) })), problemList]
          : h('p', { class: 'ok', id: 'problem-count' }, t('submit.allGood'))),
      h('section', { 'aria-labelledby': 'sign-title' },
        h('h2', { id: 'sign-title' }, t('submit.signTitle')),
        h('div', { class: 'field' }, h('label', { for: 'signed-by' }, t('submit.signedBy')), signer),
        h('p', { class: 'field__label', id: 'visit-signature-label' }, t('submit.signaturePad')),
        pad),
      alert,
      button];
  });
}
