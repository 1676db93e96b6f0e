// single_choice: one option of the item's list.
import { choiceList } from '../choice-list.js';
import { localized } from '../item-rules.js';

export function singleChoice({ item, value, lang, readOnly, onChange }) {
  const options = (item.options ?? []).map((option) => ({ value: option.key, label: localized(option.label, lang) }));
  return choiceList({ name: `item-${item.key}`, options, selected: value, disabled: readOnly, onChange });
}
