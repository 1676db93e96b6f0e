// text: free text, saved as it is typed; `max` is its length in characters.
import { h } from '../../dom.js';
import { formatNumber } from '../../i18n.js';

export function text({ item, value, lang, t, ids, readOnly, onChange }) {
  const counterId = `${ids.input}-count`;
  const area = h('textarea', {
    id: ids.input, rows: 3, disabled: readOnly, maxlength: item.max ?? null,
    'aria-labelledby': ids.label, 'aria-describedby': `${counterId} ${ids.error}`,
  });
  area.value = value ?? '';
  const counter = h('p', { class: 'hint text-item__count', id: counterId, hidden: !item.max });
  const count = () => {
    if (item.max) counter.textContent = t('items.characters', { count: formatNumber([...area.value].length, lang), max: formatNumber(item.max, lang) });
  };
  count();
  area.addEventListener('input', () => {
    count();
    onChange(area.value === '' ? null : area.value, { typing: true });
  });
  area.addEventListener('change', () => onChange(area.value === '' ? null : area.value, { typing: false }));
  return h('div', { class: 'text-item' }, area, counter);
}
