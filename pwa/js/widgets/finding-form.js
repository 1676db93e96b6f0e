// "Add a finding": severity, what was found, the item it is about, and photos as evidence.
import { h } from '../dom.js';
import { photoPicker } from './photo-picker.js';

export const SEVERITIES = Object.freeze(['critical', 'major', 'minor', 'observation']);

/** `items`: `[{key, label}]` the finding may be linked to; `onAdd(fields)` creates it. */
export function findingForm({ t, lang, items, media, onAdd }) {
  let evidence = [];
  const severity = h('select', { id: 'finding-severity', name: 'severity' },
    SEVERITIES.map((name) => h('option', { value: name, selected: name === 'major' }, t(`severity.${name}`))));
  const description = h('textarea', { id: 'finding-description', name: 'description', rows: 3, maxlength: 4000, 'aria-describedby': 'finding-description-error' });
  const error = h('p', { class: 'field__error', id: 'finding-description-error', hidden: true });
  const item = h('select', { id: 'finding-item', name: 'item' },
    h('option', { value: '' }, t('findings.noItem')),
    items.map(({ key, label }) => h('option', { value: key }, label)));
  const field = (id, label, control, extra = null) => h('div', { class: 'field' }, h('label', { for: id }, label), control, extra);
  let pictures = null;
  const drawPictures = () => photoPicker({
    id: 'finding-evidence', photos: evidence, max: 10, lang, t, label: t('findings.addEvidence'),
    media: { ...media, addImage: (file) => media.addImage(item.value || null, file) },
    onChange: (photos) => { evidence = photos; },
  });
  pictures = drawPictures();
  const evidenceBox = h('div', { class: 'field' }, h('span', { class: 'field__label' }, t('findings.evidence')), pictures);

  async function submit(event) {
    event.preventDefault();
    if (!description.value.trim()) {
      error.textContent = t('errors.fieldLabel', { field: t('findings.description'), message: t('errors.required') });
      error.hidden = false;
      description.setAttribute('aria-invalid', 'true');
      description.focus();
      return;
    }
    error.hidden = true;
    description.removeAttribute('aria-invalid');
    await onAdd({
      severity: severity.value,
      description: description.value.trim(),
      item_key: item.value || null,
      evidence: evidence.map((photo) => photo.attachment_id),
      evidence_photos: evidence,
    });
    description.value = '';
    item.value = '';
    evidence = [];
    const fresh = drawPictures();
    pictures.replaceWith(fresh);
    pictures = fresh;
  }

  return h('form', { class: 'form card', id: 'finding-form', novalidate: true, onsubmit: submit },
    h('h3', {}, t('findings.addTitle')),
    field('finding-severity', t('findings.severity'), severity),
    field('finding-description', t('findings.description'), description, error),
    field('finding-item', t('findings.item'), item),
    evidenceBox,
    h('button', { type: 'submit', class: 'button button--primary' }, t('findings.add')));
}
