// Notification settings, on the home screen: turn pushes on for this device (the browser asks for
// permission only on that click), send a test, and switch kinds of notification off or on (the
// server keeps the list, so the settings need the network).
import { describeError } from '../api.js';
import { h } from '../dom.js';
import { enablePush, pushStatus, sendTest } from '../push.js';

const PREFERENCES = '/api/notifications/preferences';
const HIDDEN_KINDS = new Set(['test']); // a test is asked for, never switched off

function statusKey({ supported, permission, subscribed }) {
  if (!supported) return 'notifications.unsupported';
  if (permission === 'denied') return 'notifications.denied';
  return subscribed ? 'notifications.enabled' : 'notifications.notEnabled';
}

export function notificationSettings({ t, api, offline }) {
  const status = h('p', { class: 'hint notification-settings__status', id: 'notification-status', role: 'status' });
  const say = (text) => {
    status.textContent = text;
  };
  const sayError = (error) => say(describeError(error, t).message);

  const enable = h('button', { type: 'button', class: 'button', id: 'notifications-enable', disabled: offline },
    t('notifications.enable'));
  const test = h('button', { type: 'button', class: 'button button--quiet', id: 'notifications-test', disabled: offline },
    t('notifications.test'));
  const kinds = h('div', { class: 'choices' });
  const fieldset = h('fieldset', { class: 'notification-settings__kinds', disabled: offline },
    h('legend', {}, t('notifications.kinds')), kinds);

  enable.addEventListener('click', async () => {
    enable.disabled = true;
    try {
      say(t(statusKey(await enablePush({ api }))));
    } catch (error) {
      sayError(error);
    } finally {
      enable.disabled = false;
    }
  });
  test.addEventListener('click', async () => {
    test.disabled = true;
    try {
      await sendTest({ api });
      say(t('notifications.testSent'));
    } catch (error) {
      sayError(error);
    } finally {
      test.disabled = false;
    }
  });

  function drawKinds({ off, kinds: all }) {
    const switchedOff = new Set(off);
    kinds.replaceChildren(...all.filter((kind) => !HIDDEN_KINDS.has(kind)).map((kind) => {
      const box = h('input', { type: 'checkbox', name: 'notification-kind', value: kind, checked: !switchedOff.has(kind) });
      box.addEventListener('change', () => save());
      return h('label', { class: 'choice' }, box, t(`notifications.kind.${kind}`));
    }));
  }

  async function save() {
    const boxes = [...kinds.querySelectorAll('input[type="checkbox"]')];
    const off = boxes.filter((box) => !box.checked).map((box) => box.value);
    fieldset.disabled = true;
    try {
      drawKinds(await api.patch(PREFERENCES, { off }));
      say(t('notifications.saved'));
    } catch (error) {
      sayError(error);
      load(); // show what the server really has
    } finally {
      fieldset.disabled = false;
    }
  }

  async function load() {
    try {
      drawKinds(await api.get(PREFERENCES));
    } catch (error) {
      sayError(error);
    }
  }

  const section = h('section', { class: 'notification-settings', 'aria-labelledby': 'notifications-title' },
    h('h2', { id: 'notifications-title' }, t('notifications.title')),
    offline ? h('p', { class: 'notice', id: 'notifications-offline' }, t('notifications.offline')) : null,
    h('div', { class: 'notification-settings__actions' }, enable, test),
    status,
    fieldset,
  );

  if (!offline) {
    load();
    pushStatus()
      .then((current) => {
        if (!status.textContent) say(t(statusKey(current)));
      })
      .catch(() => {});
  }
  return section;
}
