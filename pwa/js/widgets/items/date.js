// date: a calendar day, stored as YYYY-MM-DD (the browser shows it in the user's locale).
import { h } from '../../dom.js';

export function date({ value, ids, readOnly, onChange }) {
  const input = h('input', {
    id: ids.input, type: 'date', value: value ?? '', disabled: readOnly,
    'aria-labelledby': ids.label, 'aria-describedby': ids.error,
  });
  input.addEventListener('change', () => onChange(input.value || null));
  return input;
}
