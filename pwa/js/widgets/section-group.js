// A section of the checklist: a collapsible group whose summary says how far it has got
// ("3 / 6 answered", a progress bar, what is still required) and its score. Its items are built
// when it is first opened (`buildItems()`), not before: a 300-item checklist opens with only the
// items in view, and a slow phone does not build hundreds of fields nobody has looked at yet.
import { h } from '../dom.js';
import { formatNumber } from '../i18n.js';
import { localized } from './item-rules.js';
import { formatScore } from './live-score.js';

export function sectionGroup({ section, lang, t, open = false, buildItems }) {
  const progressText = h('span', { class: 'section__count' });
  const bar = h('progress', { class: 'section__bar', max: 1, value: 0, 'aria-hidden': 'true' });
  const missing = h('span', { class: 'section__missing' });
  const score = h('span', { class: 'section__score' });
  const body = h('div', { class: 'section__items' });
  const details = h('details', { class: 'section', id: `section-${section.key}`, open },
    h('summary', { class: 'section__summary' },
      h('span', { class: 'section__title' }, localized(section.title, lang)),
      h('span', { class: 'section__meta' }, progressText, missing, score),
      bar),
    body);

  // On the summary's click (mouse, Enter or Space), before the browser opens the group, so it never
  // shows empty; on toggle too, for an opening that does not come from the summary.
  let built = false;
  details.build = () => {
    if (built) return;
    built = true;
    body.append(...buildItems());
  };
  details.querySelector('summary').addEventListener('click', details.build);
  details.addEventListener('toggle', () => details.open && details.build());
  if (open) details.build();

  // Called after every answer anywhere in the checklist: a section whose figures did not change is
  // left alone, so that one tap restyles one summary, not all of them.
  let shown = null;
  details.update = ({ answered, total, missing: left }, sectionScore) => {
    const figures = `${answered} ${total} ${left} ${sectionScore?.max_points ?? ''} ${sectionScore?.pct ?? ''}`;
    if (figures === shown) return;
    shown = figures;
    progressText.textContent = t('section.progress', { answered: formatNumber(answered, lang), total: formatNumber(total, lang) });
    bar.max = Math.max(total, 1);
    bar.value = answered;
    missing.textContent = left ? t('section.missing', { count: formatNumber(left, lang) }) : '';
    missing.hidden = !left;
    const scored = sectionScore && sectionScore.max_points > 0;
    score.textContent = scored ? t('section.score', { score: formatScore(sectionScore.pct, lang) }) : '';
    score.hidden = !scored;
    details.classList.toggle('section--done', total > 0 && answered === total);
  };
  return details;
}
