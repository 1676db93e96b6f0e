// "Add a corrective action": what must be done, who owns it, by when, and the finding it answers.
import { h } from '../dom.js';

/** `findings`: `[{id, label}]`; `onAdd({description, owner_name, deadline, finding_id})`. */
export function actionForm({ t, findings, onAdd }) {
  const description = h('textarea', { id: 'action-description', rows: 2, maxlength: 4000, 'aria-describedby': 'action-error' });
  const owner = h('input', { id: 'action-owner', type: 'text', maxlength: 200, autocomplete: 'off', 'aria-describedby': 'action-error' });
  const deadline = h('input', { id: 'action-deadline', type: 'date', 'aria-describedby': 'action-error' });
  const finding = h('select', { id: 'action-finding' },
    h('option', { value: '' }, t('actions.noFinding')),
    findings.map(({ id, label }) => h('option', { value: id }, label)));
  const error = h('p', { class: 'field__error', id: 'action-error', role: 'alert', hidden: true });
  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);

  async function submit(event) {
    event.preventDefault();
    const missing = [[description, 'actions.description'], [owner, 'actions.owner'], [deadline, 'actions.deadline']]
      .find(([input]) => !input.value.trim());
    for (const input of [description, owner, deadline]) input.removeAttribute('aria-invalid');
    if (missing) {
      const [input, label] = missing;
      error.textContent = t('errors.fieldLabel', { field: t(label), message: t('errors.required') });
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    error.hidden = true;
    await onAdd({
      description: description.value.trim(),
      owner_name: owner.value.trim(),
      deadline: deadline.value,
      finding_id: finding.value || null,
    });
    description.value = '';
    owner.value = '';
    deadline.value = '';
    finding.value = '';
  }

  return h('form', { class: 'form card', id: 'action-form', novalidate: true, onsubmit: submit },
    h('h3', {}, t('actions.addTitle')),
    error,
    field('action-description', t('actions.description'), description),
    field('action-owner', t('actions.owner'), owner),
    field('action-deadline', t('actions.deadline'), deadline),
    field('action-finding', t('actions.finding'), finding),
    h('button', { type: 'submit', class: 'button button--primary' }, t('actions.add')));
}
