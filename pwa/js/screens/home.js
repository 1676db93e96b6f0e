// Home: who is signed in, with which role and scope; the language; signing out; notifications.
import { h } from '../dom.js';
import { formatList } from '../i18n.js';
import { languagePicker } from '../widgets/language-picker.js';
import { notificationList } from '../widgets/notification-list.js';
import { notificationSettings } from '../widgets/notification-settings.js';

/** Keep a name written in another script from reordering the sentence around it. */
const isolate = (text) => `\u2068${text}\u2069`;

export function scopeText(scope, lang, t) {
  if (scope.kind === 'national') return t('scope.national');
  return t(`scope.${scope.kind}`, { ids: formatList(scope.ids, lang) });
}

export function homeScreen({ t, lang, user, offline, api, onSignOut, onLanguage }) {
  const fact = (label, value, attributes = {}) => [h('dt', {}, label), h('dd', attributes, value)];
  return h('section', { class: 'home', 'aria-labelledby': 'screen-title' },
    h('h1', { id: 'screen-title', tabindex: '-1' },
      t('home.signedInAs', { name: isolate(user.display_name || user.username) })),
    offline ? h('p', { class: 'notice', id: 'offline-notice' }, t('home.offline')) : null,
    h('dl', { class: 'facts' },
      fact(t('home.username'), h('bdi', {}, user.username), { class: 'facts__user' }),
      fact(t('home.role'), t(`role.${user.role}`), { class: 'facts__role' }),
      fact(t('home.scope'), scopeText(user.scope, lang, t), { class: 'facts__scope' }),
    ),
    languagePicker({ lang, t, onChange: onLanguage }),
    h('button', { type: 'button', class: 'button', id: 'sign-out', onclick: onSignOut }, t('home.signOut')),
    api ? notificationList({ t, lang, api, offline }) : null,
    api ? notificationSettings({ t, api, offline }) : null,
  );
}
