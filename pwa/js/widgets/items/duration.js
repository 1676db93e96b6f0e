// duration: a length of time in the item's unit (minutes, hours or days), with bounds.
import { numberInput } from '../number-input.js';

export function duration({ item, value, lang, t, ids, readOnly, onChange }) {
  return numberInput({
    id: ids.input, value, lang, t, unit: item.unit ?? 'minutes', min: item.min, max: item.max, readOnly,
    labelledBy: ids.label, describedBy: ids.error, onChange,
  });
}
