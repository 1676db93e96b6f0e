// rating: 1 to 5 (or the item's narrower scale), as a row of numbered choices.
import { formatNumber } from '../../i18n.js';
import { choiceList } from '../choice-list.js';
import { RATING_SCALE } from '../item-rules.js';

export function rating({ item, value, lang, readOnly, onChange }) {
  const scale = RATING_SCALE.filter((n) => n >= (item.min ?? 1) && n <= (item.max ?? 5));
  const options = scale.map((n) => ({ value: n, label: formatNumber(n, lang) }));
  return choiceList({ name: `item-${item.key}`, options, selected: value, disabled: readOnly, scale: true, onChange });
}
