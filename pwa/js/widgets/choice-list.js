// Radio buttons or check boxes, each a large tap target with its label: the control of yes/no,
// single and multiple choice and rating items. The group's name comes from the item's legend.
import { h } from '../dom.js';

/**
 * `options`: `[{value, label}]`; `selected`: a value (radio) or a list of values (checkbox).
 * `onChange` gets the new selection: a value, or the list of checked values in option order.
 */
export function choiceList({ name, type = 'radio', options, selected, disabled = false, inline = false, scale = false, onChange }) {
  const chosen = new Set(type === 'radio' ? [selected] : (selected ?? []));
  const inputs = [];
  const changed = () => {
    const values = inputs.filter((input) => input.checked).map((input) => options[Number(input.dataset.index)].value);
    onChange(type === 'radio' ? values[0] ?? null : values);
  };
  const rows = options.map((option, index) => {
    const input = h('input', {
      type, name, value: String(option.value), 'data-index': index,
      checked: chosen.has(option.value), disabled, onchange: changed,
    });
    inputs.push(input);
    return h('label', { class: 'choice' }, input, h('span', { class: 'choice__label' }, option.label));
  });
  const layout = scale ? ' choices--scale' : inline ? ' choices--inline' : '';
  return h('div', { class: `choices${layout}` }, rows);
}
