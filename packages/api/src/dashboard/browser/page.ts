import { ApiError, loadSession, SIGN_IN_PATH, signOut } from './api.ts';
import type { Session } from './api-types.ts';

/** The element with this id, checked to be of the expected kind; a missing hook is a bug in the shell. */
export function byId<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`#${id} is missing or not a ${kind.name}`);
  return element;
}

/** Shows a message in an alert element, or hides it for null. */
export function showMessage(element: HTMLElement, message: string | null): void {
  element.textContent = message ?? '';
  element.hidden = message === null;
}

/** The message of whatever went wrong, for the reader. */
export function messageOf(error: unknown): string {
  // A 503 names the dependency that did not answer: an operator's concern, not the merchant's.
  if (error instanceof ApiError && error.status === 503) {
    return 'Hoot could not do this right now. Nothing was changed; try again in a moment.';
  }
  // The api's messages start in lower case, made to be embedded; on their own they read as sentences.
  if (error instanceof ApiError) return error.message.charAt(0).toUpperCase() + error.message.slice(1);
  return 'Something went wrong on this page. Reload it to try again.';
}

/**
 * Starts a signed-in page: loads the session (no session: to sign-in), shows the merchant and the
 * zone, and wires the sign-out button every page has.
 */
export async function startPage(): Promise<Session> {
  let session: Session;
  try {
    session = await loadSession();
  } catch (error) {
    const main = byId('main', HTMLElement);
    const alert = document.createElement('p');
    alert.className = 'form-error';
    alert.setAttribute('role', 'alert');
    alert.textContent = messageOf(error);
    main.prepend(alert);
    throw error;
  }
  byId('merchant-name', HTMLElement).textContent = session.merchant.name;
  for (const element of document.querySelectorAll<HTMLElement>('.time-zone')) {
    element.textContent = session.merchant.time_zone;
  }
  const button = byId('sign-out', HTMLButtonElement);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await signOut();
    } catch {
      // Leaving is what the merchant asked for; a session the server already ended is fine too.
    }
    location.assign(SIGN_IN_PATH);
  });
  return session;
}
