// The sign-in screen: two labelled fields, errors said next to the field they are about and
// summed up in an alert that names that field.
import { describeError } from '../api.js';
import { h } from '../dom.js';
import { languagePicker } from '../widgets/language-picker.js';

const FIELDS = ['username', 'password'];

export function signInScreen({ t, lang, notice = null, onSubmit, onLanguage }) {
  const inputs = {
    username: h('input', {
      id: 'username', name: 'username', type: 'text', dir: 'ltr',
      autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false',
      'aria-describedby': 'username-error',
    }),
    password: h('input', {
      id: 'password', name: 'password', type: 'password', dir: 'ltr',
      autocomplete: 'current-password', 'aria-describedby': 'password-error',
    }),
  };
  const fieldErrors = Object.fromEntries(
    FIELDS.map((name) => [name, h('p', { id: `${name}-error`, class: 'field__error', hidden: true })]),
  );
  const alert = h('p', { id: 'signin-error', class: 'alert', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, t('signin.submit'));

  function clearErrors() {
    alert.hidden = true;
    alert.textContent = '';
    for (const name of FIELDS) {
      inputs[name].removeAttribute('aria-invalid');
      fieldErrors[name].hidden = true;
      fieldErrors[name].textContent = '';
    }
  }

  function showError({ message, field }) {
    if (FIELDS.includes(field)) {
      inputs[field].setAttribute('aria-invalid', 'true');
      fieldErrors[field].textContent = message;
      fieldErrors[field].hidden = false;
      alert.textContent = t('errors.fieldLabel', { field: t(`signin.${field}`), message });
      inputs[field].focus();
    } else {
      alert.textContent = message;
    }
    alert.hidden = false;
  }

  async function handleSubmit(event) {
    event.preventDefault();
    clearErrors();
    const username = inputs.username.value.trim();
    const password = inputs.password.value;
    const missing = FIELDS.find((name) => !(name === 'username' ? username : password));
    if (missing) {
      showError({ field: missing, message: t('errors.required') });
      return;
    }
    submit.disabled = true;
    submit.textContent = t('signin.busy');
    try {
      await onSubmit(username, password);
    } catch (error) {
      submit.disabled = false;
      submit.textContent = t('signin.submit');
      showError(describeError(error, t));
    }
  }

  const field = (name) =>
    h('div', { class: 'field' },
      h('label', { for: name }, t(`signin.${name}`)),
      inputs[name],
      fieldErrors[name],
    );

  return h('section', { class: 'signin', 'aria-labelledby': 'screen-title' },
    h('h1', { id: 'screen-title', tabindex: '-1' }, t('signin.title')),
    notice ? h('p', { class: 'notice' }, notice) : null,
    h('p', { class: 'hint' }, t('signin.intro')),
    h('form', { class: 'form', novalidate: true, onsubmit: handleSubmit },
      alert,
      field('username'),
      field('password'),
      submit,
    ),
    languagePicker({ lang, t, onChange: onLanguage }),
  );
}
