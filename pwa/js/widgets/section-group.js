// A section of the checklist: a collapsible group whose summary says how far it has got
// ("3 / 6 answered", a progress bar, what is still required) and its score.
import { h } from '../dom.js';
import { formatNumber } from '../i18n.js';
import { localized } from './item-rules.js';
import { formatScore } from './live-score.js';

export function sectionGroup({ section, lang, t, open = false, items }) {
  const progressText = h('span', { class: 'section__count' });
  const bar = h('progress', { class: 'section__bar', max: 1, value: 0, 'aria-hidden': 'true' });
  const missing = h('span', { class: 'section__missing' });
  const score = h('span', { class: 'section__score' });
  const details = h('details', { class: 'section', id: `section-${section.key}`, open },
    h('summary', { class: 'section__summary' },
      h('span', { class: 'section__title' }, localized(section.title, lang)),
      h('span', { class: 'section__meta' }, progressText, missing, score),
      bar),
    h('div', { class: 'section__items' }, items));

  details.update = ({ answered, total, missing: left }, sectionScore) => {
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
