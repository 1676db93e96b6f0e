// An open corrective action from an earlier visit to the same agency, checked on site:
// "carried out? yes / partly / no". The answer is recorded as the status of the action, the one
// field of it that stays writable once its own visit is submitted (the server turns changes to
// its other fields into conflicts for a reviewer):
//   yes    → done, then verified (an inspector may verify an action on a later visit)
//   partly → in progress (from open)
//   no     → stays as it is
import { h } from '../dom.js';
import { formatDate } from '../i18n.js';
import { choiceList } from './choice-list.js';
import { today } from './sample-rows.js';

export const CARRIED = Object.freeze(['yes', 'partly', 'no']);

/** The status moves that record an answer, in the order to write them. */
export function carriedOutChanges(action, answer) {
  const status = action.status ?? 'open';
  if (answer === 'yes') {
    if (status === 'open' || status === 'in_progress') return ['done', 'verified'];
    return status === 'done' ? ['verified'] : [];
  }
  if (answer === 'partly' && status === 'open') return ['in_progress'];
  return [];
}

/** What the status says was answered: only "verified" is unambiguous. */
export function carriedOutAnswer(action) {
  return action.status === 'verified' ? 'yes' : null;
}

export function earlierAction({ t, lang, action, onAnswer }) {
  const overdue = action.deadline && action.deadline < today() && !['done', 'verified'].includes(action.status);
  const status = h('p', { class: 'hint earlier-action__status', role: 'status' }, t(`actionStatus.${action.status ?? 'open'}`));
  const legendId = `earlier-${action.id}`;
  return h('li', { class: `card earlier-action${overdue ? ' earlier-action--overdue' : ''}` },
    h('p', { class: 'earlier-action__title' }, action.description || action.title || '—'),
    h('p', { class: 'hint' },
      t('actions.ownerDeadline', {
        owner: action.owner_name || '—',
        deadline: action.deadline ? formatDate(`${action.deadline}T12:00:00`, lang) : '—',
      }),
      overdue ? h('span', { class: 'badge badge--late' }, t('actions.overdue')) : null),
    status,
    h('fieldset', { class: 'earlier-action__question', 'aria-labelledby': legendId },
      h('legend', { id: legendId }, t('actions.carriedOut')),
      choiceList({
        name: `carried-${action.id}`, inline: true, selected: carriedOutAnswer(action),
        options: CARRIED.map((answer) => ({ value: answer, label: t(`actions.carried.${answer}`) })),
        onChange: async (answer) => {
          const next = await onAnswer(action, answer);
          status.textContent = t(`actionStatus.${next ?? action.status ?? 'open'}`);
        },
      })));
}
