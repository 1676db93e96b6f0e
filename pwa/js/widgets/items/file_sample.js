// file_sample: files taken from the register, each with its received and processed dates; the
// processing delay of each (in days, or how long it has been waiting) is shown as it is typed.
import { h } from '../../dom.js';
import { formatNumber } from '../../i18n.js';
import { rowInput, rowList } from '../row-list.js';
import { formatDays, processingDelay, sampleSummary } from '../sample-rows.js';

function delayText(row, lang, t) {
  const delay = processingDelay(row.received, row.processed);
  if (!delay) return row.received && row.processed ? t('sample.badDates') : t('sample.noDelay');
  return t(delay.pending ? 'sample.pendingFor' : 'sample.delay', { days: formatDays(delay.days, lang) });
}

export function fileSample({ item, value, lang, t, ids, readOnly, onChange }) {
  return rowList({
    id: ids.input, rows: value ?? [], min: item.min, max: item.max, lang, t, readOnly, describedBy: ids.error,
    words: { add: t('sample.add'), remove: t('sample.remove'), row: (n) => t('sample.row', { n }) },
    blank: () => ({ file: '', received: null, processed: null }),
    fields({ row, id, update }) {
      const delay = h('output', { class: 'rows__computed', for: `${id}-received ${id}-processed` }, delayText(row, lang, t));
      const controls = [
        rowInput({ id: `${id}-file`, label: t('sample.file'), value: row.file, dir: 'auto',
          onInput: (file) => update({ file }, { typing: true }), onChange: (file) => update({ file }) }),
        h('div', { class: 'rows__pair' },
          rowInput({ id: `${id}-received`, label: t('sample.received'), value: row.received, type: 'date',
            onChange: (received) => update({ received: received || null }) }),
          rowInput({ id: `${id}-processed`, label: t('sample.processed'), value: row.processed, type: 'date',
            onChange: (processed) => update({ processed: processed || null }) })),
        delay,
      ];
      return { controls, refresh: (current) => { delay.textContent = delayText(current, lang, t); } };
    },
    summary(rows) {
      const { count, mean, max, pending } = sampleSummary(rows);
      if (!count) return '';
      return t('sample.summary', {
        mean: formatDays(Math.round(mean * 10) / 10, lang), max: formatDays(max, lang), pending: formatNumber(pending, lang),
      });
    },
    onChange,
  });
}
