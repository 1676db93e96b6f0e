// time: a time of day, stored as HH:MM.
import { h } from '../../dom.js';

export function time({ value, ids, readOnly, onChange }) {
  const input = h('input', {
    id: ids.input, type: 'time', value: value ?? '', disabled: readOnly,
    'aria-labelledby': ids.label, 'aria-describedby': ids.error,
  });
  input.addEventListener('change', () => onChange(input.value || null));
  return input;
}
