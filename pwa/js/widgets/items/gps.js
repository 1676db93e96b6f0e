// gps: the position where the inspector stands, with its accuracy, recorded on request.
import { h } from '../../dom.js';
import { formatPosition, locate } from '../geolocate.js';

export function gps({ value, lang, t, ids, readOnly, onChange }) {
  const shown = h('p', { class: 'gps__value', id: `${ids.input}-value`, role: 'status' },
    value ? formatPosition(value, lang, t) : t('gps.none'));
  const button = h('button', {
    type: 'button', class: 'button', id: ids.input, hidden: readOnly,
    'aria-describedby': `${ids.input}-value ${ids.error}`,
    onclick: async () => {
      button.disabled = true;
      shown.textContent = t('gps.busy');
      try {
        const location = await locate();
        shown.textContent = formatPosition(location, lang, t);
        onChange(location);
      } catch (error) {
        shown.textContent = t(`gps.error.${error.reason ?? 'unavailable'}`);
      } finally {
        button.disabled = false;
      }
    },
  }, value ? t('gps.again') : t('gps.capture'));
  return h('div', { class: 'gps' }, shown, button);
}
