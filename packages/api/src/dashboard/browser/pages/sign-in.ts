import { loadSession, signIn } from '../api.ts';
import { clearErrors, showError } from '../forms.ts';
import { byId } from '../page.ts';

/** Where to go after signing in: the page that sent us here, if it is a dashboard page. */
function nextPage(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next !== null && /^\/dashboard\/(?!\/)/.test(next) && !next.startsWith('/dashboard/sign-in')
    ? next
    : '/dashboard/';
}

const form = byId('sign-in-form', HTMLFormElement);
const key = byId('api-key', HTMLInputElement);

// Already signed in (another tab, the back button): no need to ask again.
loadSession({ signInOn401: false }).then(
  () => location.replace(nextPage()),
  () => key.focus(),
);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (button !== null) button.disabled = true;
  try {
    await signIn(key.value.trim());
    location.assign(nextPage());
  } catch (error) {
    showError(form, error);
  } finally {
    if (button !== null) button.disabled = false;
  }
});
