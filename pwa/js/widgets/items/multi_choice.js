// multi_choice: any number of options, or explicitly none of them (an empty list is an answer).
import { h } from '../../dom.js';
import { choiceList } from '../choice-list.js';
import { localized } from '../item-rules.js';

export function multiChoice({ item, value, lang, t, readOnly, onChange }) {
  const options = (item.options ?? []).map((option) => ({ value: option.key, label: localized(option.label, lang) }));
  const list = choiceList({
    name: `item-${item.key}`, type: 'checkbox', options, selected: value ?? [], disabled: readOnly,
    onChange: (selected) => {
      none.checked = false;
      onChange(selected.length ? selected : null);
    },
  });
  const none = h('input', {
    type: 'checkbox', name: `item-${item.key}-none`, checked: Array.isArray(value) && value.length === 0, disabled: readOnly,
    onchange: () => {
      if (none.checked) for (const box of list.querySelectorAll('input')) box.checked = false;
      onChange(none.checked ? [] : null);
    },
  });
  return h('div', {}, list, h('label', { class: 'choice choice--none' }, none, h('span', { class: 'choice__label' }, t('answer.none'))));
}
