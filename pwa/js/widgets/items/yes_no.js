// yes_no: yes, no, or not applicable (excluded from the score).
import { choiceList } from '../choice-list.js';

export function yesNo({ item, value, t, readOnly, onChange }) {
  const options = ['yes', 'no', 'na'].map((answer) => ({ value: answer, label: t(`answer.${answer}`) }));
  return choiceList({ name: `item-${item.key}`, options, selected: value, disabled: readOnly, inline: true, onChange });
}
