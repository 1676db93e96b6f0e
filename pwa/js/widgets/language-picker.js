// The language picker: a labelled <select> whose options are each in their own language.
import { h } from '../dom.js';
import { LANGUAGE_NAMES, LANGUAGES } from '../i18n.js';

export function languagePicker({ lang, t, onChange }) {
  const select = h(
    'select',
    { id: 'language', name: 'language', onchange: () => onChange(select.value) },
    LANGUAGES.map((code) => h('option', { value: code, lang: code, selected: code === lang }, LANGUAGE_NAMES[code])),
  );
  return h('div', { class: 'field language-picker' }, h('label', { for: 'language' }, t('language.label')), select);
}
