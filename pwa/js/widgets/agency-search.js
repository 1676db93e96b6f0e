// Find an agency of the scope by name or code, as typed: case, accents and Arabic vowel marks
// do not matter. Pure except the widget at the end.
import { h } from '../dom.js';
import { formatNumber } from '../i18n.js';

const SHOWN = 30; // a long list is a search away: the scope of a wilaya holds hundreds of centres

/** Lower case, no accents, no Arabic diacritics or tatweel, alef forms folded. */
export function fold(text) {
  return String(text ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, '')
    .replace(/[أإآ]/g, 'ا')
    .replace(/ة/g, 'ه')
    .replace(/ى/g, 'ي')
    .toLowerCase()
    .trim();
}

/** The agencies whose code or name (in any language) contains every word of the query. */
export function matchAgencies(agencies, query) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return agencies;
  return agencies.filter((agency) => {
    const haystack = fold([agency.code, agency.name_ar, agency.name_fr, agency.name_en].join(' '));
    return words.every((word) => haystack.includes(word));
  });
}

/** `row(agency)` draws one agency; the list is redrawn as the query changes (told to `onQuery`). */
export function agencySearch({ t, lang, agencies, row, query = '', onQuery = () => {} }) {
  const input = h('input', {
    id: 'agency-search', type: 'search', autocomplete: 'off', value: query,
    'aria-controls': 'agency-list', 'aria-describedby': 'agency-count',
  });
  const list = h('ul', { class: 'list', id: 'agency-list' });
  const count = h('p', { class: 'hint', id: 'agency-count', role: 'status' });
  const draw = () => {
    const found = matchAgencies(agencies, input.value);
    list.replaceChildren(...found.slice(0, SHOWN).map(row));
    count.textContent = found.length > SHOWN
      ? t('home.agenciesShown', { shown: formatNumber(SHOWN, lang), count: formatNumber(found.length, lang) })
      : t('home.agenciesCount', { count: formatNumber(found.length, lang) });
  };
  input.addEventListener('input', () => {
    onQuery(input.value);
    draw();
  });
  draw();
  return h('div', { class: 'agency-search' },
    h('div', { class: 'field' }, h('label', { for: 'agency-search' }, t('home.searchAgency')), input),
    count, list);
}
