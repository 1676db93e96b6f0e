// One checklist item on screen: its label (with "required"), guidance on demand, the control of
// its type, a note, and what is wrong with the answer, said in the user's language and naming the
// item. Every change is saved at once; text is saved while it is typed, a moment after the last
// key, and at the latest when the field loses focus or the page is hidden.
import { h } from '../dom.js';
import { itemComponent } from './item-components.js';
import { describeProblem, localized, validateValue } from './item-rules.js';

const TYPING_MS = 400;

/**
 * `answer`: `{value, note}` or undefined. `save(key, value, note)` stores it (returns a promise);
 * `onValue(key, value)` tells the screen (relevance, progress, score); `media` stores pictures.
 * Returns the element, with `flush()` (save what is waiting), `showProblem()` and `focus()`.
 */
export function itemField({ item, answer, lang, t, readOnly, media, save, onValue, signal }) {
  const key = item.key;
  const ids = { label: `label-${key}`, input: `input-${key}`, error: `error-${key}`, guidance: `guidance-${key}` };
  let value = answer?.value ?? null;
  let note = answer?.note ?? null;
  let timer = null;
  let dirty = false;

  const error = h('p', { class: 'field__error item__error', id: ids.error, 'aria-live': 'polite', hidden: true });

  function persist() {
    clearTimeout(timer);
    timer = null;
    if (!dirty) return;
    dirty = false;
    Promise.resolve(save(key, value, note)).catch((failure) => console.error('rasd: answer not saved', key, failure));
  }

  function schedule(typing) {
    dirty = true;
    if (!typing) return persist();
    clearTimeout(timer);
    timer = setTimeout(persist, TYPING_MS);
    return undefined;
  }

  function showProblem({ includeRequired = false } = {}) {
    const problem = Number.isNaN(value) ? { code: 'not_a_number' } : validateValue(item, value);
    const shown = problem && (includeRequired || problem.code !== 'required') ? problem : null;
    error.textContent = shown ? describeProblem(shown, item, lang, t) : '';
    error.hidden = !shown;
    root.classList.toggle('item--invalid', Boolean(shown));
    return shown;
  }

  function onChange(next, { typing = false } = {}) {
    if (Number.isNaN(next)) {
      value = next;
      showProblem();
      return; // "12a" is not saved: the last number stays stored until a number is typed
    }
    value = next;
    showProblem();
    onValue(key, value);
    schedule(typing);
  }

  const component = itemComponent(item.type); // loaded by the checklist before it draws
  const control = component
    ? component({ item, value, lang, t, ids, readOnly, media, onChange })
    : h('p', { class: 'alert' }, t('items.unknownType', { type: item.type }));

  const guidance = localized(item.guidance, lang);
  const guidanceText = guidance ? h('p', { class: 'item__guidance', id: ids.guidance, hidden: true }, guidance) : null;
  const guidanceButton = guidance
    ? h('button', {
      type: 'button', class: 'item__help', 'aria-expanded': 'false', 'aria-controls': ids.guidance,
      'aria-label': t('items.guidanceFor', { item: localized(item.label, lang) }),
      onclick: () => {
        guidanceText.hidden = !guidanceText.hidden;
        guidanceButton.setAttribute('aria-expanded', String(!guidanceText.hidden));
      },
    }, t('items.guidance'))
    : null;

  const noteId = `note-${key}`;
  const noteArea = h('textarea', { id: noteId, class: 'item__note-text', rows: 2, maxlength: 4000, disabled: readOnly });
  noteArea.value = note ?? '';
  noteArea.addEventListener('input', () => {
    note = noteArea.value || null;
    schedule(true);
  });
  noteArea.addEventListener('change', () => persist());
  const noteBox = h('div', { class: 'field item__note', hidden: !note }, h('label', { for: noteId }, t('items.note')), noteArea);
  const noteButton = h('button', {
    type: 'button', class: 'button button--quiet button--small item__note-toggle', hidden: Boolean(note) || readOnly,
    'aria-controls': noteId,
    onclick: () => {
      noteBox.hidden = false;
      noteButton.hidden = true;
      noteArea.focus();
    },
  }, t('items.addNote'));

  // A group named by its label (not a fieldset: a legend does not lay out like the rest).
  const root = h('div', {
    class: `item item--${item.type}`, id: `item-${key}`, 'data-item': key, role: 'group',
    'aria-labelledby': ids.label, 'aria-describedby': ids.error,
  },
    h('p', { class: 'item__legend', id: ids.label },
      h('span', { class: 'item__label' }, localized(item.label, lang)),
      item.required ? h('span', { class: 'item__required' }, h('span', { 'aria-hidden': 'true' }, ' *'), h('span', { class: 'visually-hidden' }, ` ${t('items.required')}`)) : null,
      item.critical ? h('span', { class: 'badge badge--critical' }, t('items.critical')) : null),
    guidanceButton,
    guidanceText,
    control,
    error,
    noteButton,
    noteBox);
  root.addEventListener('focusout', (event) => {
    if (!root.contains(event.relatedTarget)) persist();
  });
  const onHide = () => {
    if (document.visibilityState === 'hidden') persist();
  };
  document.addEventListener('visibilitychange', onHide);
  globalThis.addEventListener('pagehide', persist);
  signal?.addEventListener('abort', () => {
    persist();
    document.removeEventListener('visibilitychange', onHide);
    globalThis.removeEventListener('pagehide', persist);
  });
  if (value !== null) showProblem();

  root.flush = persist;
  root.showProblem = showProblem;
  root.focusControl = () => (root.querySelector('input:not([type=hidden]):not(:disabled), select, textarea, button.rows__add, canvas, button') ?? root).focus();
  return root;
}
