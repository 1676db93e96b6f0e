// The in-app list of my notifications, on the home screen: what push would have shown, for the
// devices where push is off or unsupported. Newest first; opening one marks it read on the server
// and goes to its page (only ever a page of this app). The list lives on the server: offline, a notice.
import { describeError, NetworkError } from '../api.js';
import { h } from '../dom.js';
import { formatDate, formatNumber, formatRelativeTime } from '../i18n.js';

const PAGE_SIZE = 20;
const LIST = '/api/notifications';

/** The notification's page on this origin; anything else (another site, a bad URL) is the start page. */
export function sameOriginHref(url, origin = globalThis.location.origin) {
  try {
    const target = new URL(typeof url === 'string' && url ? url : '/', origin);
    return target.origin === origin ? target.href : new URL('/', origin).href;
  } catch {
    return new URL('/', origin).href;
  }
}

export function notificationList({ t, lang, api, offline, navigate = (href) => globalThis.location.assign(href) }) {
  let unread = 0;
  const heading = h('h2', { id: 'notification-list-title' }, t('notificationList.title'));
  const count = h('span', { class: 'notification-list__count' });
  heading.append(' ', count);
  const list = h('ul', { class: 'notification-list__items', 'aria-labelledby': 'notification-list-title' });
  const status = h('p', { class: 'hint notification-list__status', role: 'status' });
  const more = h('button', { type: 'button', class: 'button button--quiet', id: 'notification-list-more', hidden: true },
    t('notificationList.more'));
  let nextOffset = 0;

  const drawCount = () => {
    count.textContent = t('notificationList.unreadCount', { count: formatNumber(unread, lang) });
  };
  const sayError = (error) => {
    status.textContent = error instanceof NetworkError ? t('notificationList.offline') : describeError(error, t).message;
  };

  function markedRead(item, entry, badge) {
    if (item.read_at !== null) return;
    item.read_at = new Date().toISOString();
    entry.classList.remove('notification-list__item--unread');
    badge.remove();
    unread = Math.max(0, unread - 1);
    drawCount();
  }

  function draw(item) {
    const href = sameOriginHref(item.url);
    const badge = h('span', { class: 'notification-list__badge' }, t('notificationList.unread'));
    const when = h('time', { class: 'notification-list__time', datetime: item.created_at,
      title: formatDate(item.created_at, lang, { dateStyle: 'medium', timeStyle: 'short' }) },
    formatRelativeTime(item.created_at, lang));
    const link = h('a', { class: 'notification-list__link', href },
      item.read_at === null ? badge : null,
      h('span', { class: 'notification-list__title' }, item.title),
      item.body ? h('span', { class: 'notification-list__body' }, item.body) : null,
      when);
    const entry = h('li', {
      class: `notification-list__item${item.read_at === null ? ' notification-list__item--unread' : ''}`,
      'data-id': item.id,
    }, link);
    link.addEventListener('click', async (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      if (item.read_at === null) {
        try {
          await api.post(`${LIST}/${encodeURIComponent(item.id)}/read`);
          markedRead(item, entry, badge);
        } catch (error) {
          sayError(error); // still go: reading it matters more than the mark
        }
      }
      navigate(href);
    });
    return entry;
  }

  async function load() {
    more.disabled = true;
    try {
      const page = await api.get(`${LIST}?offset=${nextOffset}&limit=${PAGE_SIZE}`);
      unread = page.unread;
      drawCount();
      list.append(...page.items.map(draw));
      nextOffset = page.next_offset;
      more.hidden = nextOffset === null || nextOffset === undefined;
      status.textContent = page.total === 0 ? t('notificationList.empty') : '';
    } catch (error) {
      sayError(error);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => load());

  const section = h('section', { class: 'notification-list', 'aria-labelledby': 'notification-list-title' },
    heading,
    offline ? h('p', { class: 'notice', id: 'notification-list-offline' }, t('notificationList.offline')) : null,
    list, status, more);
  if (!offline) load();
  return section;
}
