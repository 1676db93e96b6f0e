// number: a count or an amount, with its unit (e.g. %, DZD) and bounds.
import { numberInput } from '../number-input.js';

export function number({ item, value, lang, t, ids, readOnly, onChange }) {
  return numberInput({
    id: ids.input, value, lang, t, unit: item.unit, min: item.min, max: item.max, readOnly,
    labelledBy: ids.label, describedBy: ids.error, onChange,
  });
}
