// citizen_feedback: short interviews (service used, minutes waited, satisfaction 1–5, comment).
import { h } from '../../dom.js';
import { formatNumber } from '../../i18n.js';
import { parseNumber, RATING_SCALE } from '../item-rules.js';
import { rowInput, rowList } from '../row-list.js';
import { feedbackSummary } from '../sample-rows.js';

export function citizenFeedback({ item, value, lang, t, ids, readOnly, onChange }) {
  return rowList({
    id: ids.input, rows: value ?? [], min: item.min, max: item.max, lang, t, readOnly, describedBy: ids.error,
    words: { add: t('feedback.add'), remove: t('feedback.remove'), row: (n) => t('feedback.row', { n }) },
    blank: () => ({ service: '', waiting_minutes: null, satisfaction: null, comment: '' }),
    fields({ row, id, update }) {
      const minutes = (text) => {
        const parsed = parseNumber(text.trim());
        return text.trim() === '' || Number.isNaN(parsed) ? null : parsed;
      };
      const satisfaction = h('select', {
        id: `${id}-satisfaction`,
        onchange: () => update({ satisfaction: satisfaction.value ? Number(satisfaction.value) : null }),
      },
      h('option', { value: '' }, t('feedback.choose')),
      RATING_SCALE.map((n) => h('option', { value: n, selected: row.satisfaction === n }, t(`feedback.scale.${n}`, { n: formatNumber(n, lang) }))));
      const controls = [
        rowInput({ id: `${id}-service`, label: t('feedback.service'), value: row.service,
          onInput: (service) => update({ service }, { typing: true }), onChange: (service) => update({ service }) }),
        h('div', { class: 'rows__pair' },
          rowInput({ id: `${id}-waiting`, label: t('feedback.waiting'), value: row.waiting_minutes ?? '', inputmode: 'numeric', dir: 'ltr',
            onInput: (text) => update({ waiting_minutes: minutes(text) }, { typing: true }),
            onChange: (text) => update({ waiting_minutes: minutes(text) }) }),
          h('div', { class: 'field rows__field' }, h('label', { for: `${id}-satisfaction` }, t('feedback.satisfaction')), satisfaction)),
        rowInput({ id: `${id}-comment`, label: t('feedback.comment'), value: row.comment,
          onInput: (comment) => update({ comment }, { typing: true }), onChange: (comment) => update({ comment }) }),
      ];
      return { controls, refresh: () => {} };
    },
    summary(rows) {
      const { meanSatisfaction, meanWaiting } = feedbackSummary(rows);
      const parts = [];
      if (meanSatisfaction !== null) {
        parts.push(t('feedback.meanSatisfaction', { mean: formatNumber(meanSatisfaction, lang, { maximumFractionDigits: 1 }) }));
      }
      if (meanWaiting !== null) {
        parts.push(t('feedback.meanWaiting', { mean: formatNumber(Math.round(meanWaiting), lang) }));
      }
      return parts.join(' · ');
    },
    onChange,
  });
}
