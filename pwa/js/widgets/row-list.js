// A growing list of small records (sampled files, interviews): each row a fieldset with its own
// fields and a remove button, an "add" button, the count against min–max and a live summary.
// Every edit hands the whole list to `onChange` (text as it is typed, the rest at once).
import { h } from '../dom.js';
import { formatNumber } from '../i18n.js';

/**
 * `blank()` makes an empty row; `fields({row, index, id, update})` gives the controls of a row,
 * where `update(patch, {typing})` changes it; `summary(rows)` the text under the list.
 */
export function rowList({ id, rows = [], min, max, lang, t, readOnly, words, describedBy, blank, fields, summary, onChange }) {
  let current = rows.map((row) => ({ ...row }));
  const list = h('ol', { class: 'rows' });
  const total = h('p', { class: 'hint rows__summary', id: `${id}-summary`, 'aria-live': 'polite' });
  const add = h('button', {
    type: 'button', class: 'button rows__add', id, hidden: readOnly, 'aria-describedby': `${id}-summary ${describedBy}`,
    onclick: () => {
      current = [...current, blank()];
      changed({ typing: false });
      draw();
      list.lastElementChild?.querySelector('input, select, textarea')?.focus();
    },
  }, words.add);

  function changed(options) {
    onChange(current.length ? current.map((row) => ({ ...row })) : null, options);
    refresh();
  }

  function refresh() {
    const count = max ? t('rows.countOf', { count: formatNumber(current.length, lang), max: formatNumber(max, lang) })
      : t('rows.count', { count: formatNumber(current.length, lang) });
    const least = min ? ` ${t('rows.atLeast', { min: formatNumber(min, lang) })}` : '';
    const more = summary(current);
    total.textContent = `${count}${least}${more ? ` — ${more}` : ''}`;
    add.disabled = Boolean(max && current.length >= max);
    for (const [index, row] of current.entries()) list.children[index]?.refresh?.(row);
  }

  function draw() {
    list.replaceChildren(...current.map((row, index) => {
      const rowId = `${id}-r${index + 1}`;
      const update = (patch, options = {}) => {
        current[index] = { ...current[index], ...patch };
        changed(options);
      };
      const remove = h('button', {
        type: 'button', class: 'button button--quiet rows__remove', hidden: readOnly,
        onclick: () => {
          current = current.filter((_, other) => other !== index);
          changed({ typing: false });
          draw();
          add.focus();
        },
      }, words.remove);
      const { controls, refresh: refreshRow } = fields({ row, index, id: rowId, update });
      const item = h('li', { class: 'rows__row' },
        h('fieldset', { class: 'rows__fieldset', disabled: readOnly },
          h('legend', { class: 'rows__legend' }, words.row(formatNumber(index + 1, lang))),
          controls, remove));
      item.refresh = refreshRow;
      return item;
    }));
    refresh();
  }

  draw();
  return h('div', { class: 'row-list' }, list, total, add);
}

/** A labelled input inside a row. */
export function rowInput({ id, label, value, type = 'text', inputmode, dir, onInput, onChange }) {
  const input = h('input', { id, type, inputmode, dir, value: value ?? '', autocomplete: 'off' });
  if (onInput) input.addEventListener('input', () => onInput(input.value));
  if (onChange) input.addEventListener('change', () => onChange(input.value));
  return h('div', { class: 'field rows__field' }, h('label', { for: id }, label), input);
}
