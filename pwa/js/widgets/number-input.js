// A number typed as text: the keyboard shows digits (inputmode), and "3,5" or Arabic-Indic digits
// are read as well as "3.5". The unit and the allowed range are said next to the field.
import { h } from '../dom.js';
import { formatNumber } from '../i18n.js';
import { parseNumber } from './item-rules.js';

export function unitLabel(unit, t) {
  if (!unit) return '';
  return t.has(`units.${unit}`) ? t(`units.${unit}`) : unit;
}

/** `onChange(number | null | NaN, {typing})`: NaN when what is typed is not a number. */
export function numberInput({ id, value, lang, t, unit, min, max, integer = false, readOnly, labelledBy, describedBy, onChange }) {
  const hintId = `${id}-range`;
  const input = h('input', {
    id, type: 'text', inputmode: integer ? 'numeric' : 'decimal', autocomplete: 'off', dir: 'ltr',
    value: value === null || value === undefined ? '' : String(value), disabled: readOnly,
    'aria-labelledby': labelledBy, 'aria-describedby': [hintId, describedBy].filter(Boolean).join(' '),
    class: 'number-input__field',
  });
  const read = () => (input.value.trim() === '' ? null : parseNumber(input.value.trim()));
  input.addEventListener('input', () => onChange(read(), { typing: true }));
  input.addEventListener('change', () => onChange(read(), { typing: false }));
  const hasMin = min !== null && min !== undefined;
  const hasMax = max !== null && max !== undefined;
  const range = hasMin && hasMax
    ? t('items.range', { min: formatNumber(min, lang), max: formatNumber(max, lang) })
    : hasMin ? t('items.rangeMin', { min: formatNumber(min, lang) })
      : hasMax ? t('items.rangeMax', { max: formatNumber(max, lang) }) : '';
  return h('div', { class: 'number-input' },
    h('div', { class: 'number-input__row' }, input, unit ? h('span', { class: 'number-input__unit' }, unitLabel(unit, t)) : null),
    h('p', { class: 'hint number-input__range', id: hintId, hidden: !range }, range));
}
