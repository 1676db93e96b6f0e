// The top of every screen of a visit: the agency and checklist, the visit's status and start, the
// live score, and the tabs between checklist, findings and submission.
import { h } from '../dom.js';
import { formatDate } from '../i18n.js';
import { routeHash } from '../screens/routes.js';
import { localized } from './item-rules.js';
import { formatScore } from './live-score.js';

export function agencyName(agency, lang) {
  if (!agency) return '';
  return (lang === 'ar' ? agency.name_ar : agency.name_fr) || agency.name_fr || agency.name_ar || agency.code;
}

export function visitHeader({ t, lang, visit, agency, document, current, score, findingsCount = 0 }) {
  const tab = (name, label) => h('a', {
    class: 'tabs__tab', href: routeHash({ name, visitId: visit.id }), 'aria-current': current === name ? 'page' : null,
  }, label);
  const scoreValue = h('output', { class: 'score__value', id: 'live-score' }, formatScore(score?.score_pct, lang));
  const header = h('header', { class: 'visit-header' },
    h('a', { class: 'visit-header__back', href: '#/' }, t('visit.backToList')),
    h('h1', { id: 'screen-title', tabindex: '-1' }, agencyName(agency, lang)),
    h('p', { class: 'visit-header__template' }, localized(document?.title, lang)),
    h('div', { class: 'visit-header__facts' },
      h('span', { class: `badge badge--${visit.status}`, id: 'visit-status' }, t(`visit.status.${visit.status}`)),
      visit.started_at ? h('span', { class: 'hint' }, t('visit.startedAt', { when: formatDate(visit.started_at, lang, { dateStyle: 'medium', timeStyle: 'short' }) })) : null,
      h('span', { class: 'score' }, h('span', { class: 'score__label' }, t('visit.score')), ' ', scoreValue)),
    h('nav', { class: 'tabs', 'aria-label': t('visit.tabs') },
      tab('checklist', t('visit.tab.checklist')),
      tab('findings', findingsCount ? t('visit.tab.findingsCount', { count: findingsCount }) : t('visit.tab.findings')),
      tab('submit', t('visit.tab.submit'))));
  header.setScore = (next) => {
    scoreValue.textContent = formatScore(next?.score_pct, lang);
  };
  return header;
}
