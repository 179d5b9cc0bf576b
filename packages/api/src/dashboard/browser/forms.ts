import { ApiError } from './api.ts';
import { messageOf, showMessage } from './page.ts';

/** The control an error paragraph `#<id>-error` belongs to. */
function controlOf(errorElement: HTMLElement): HTMLElement | null {
  return document.getElementById(errorElement.id.replace(/-error$/, ''));
}

/** Hides every error of the form. */
export function clearErrors(form: HTMLFormElement): void {
  for (const element of form.querySelectorAll<HTMLElement>('[data-error-for]')) {
    showMessage(element, null);
    controlOf(element)?.removeAttribute('aria-invalid');
  }
  const formError = form.querySelector<HTMLElement>('.form-error');
  if (formError !== null) showMessage(formError, null);
}

/**
 * Shows a refusal next to the field the api named (`field: 'body.url'` → the element with
 * `data-error-for="body.url"`), marks that control invalid and moves focus to it; anything else
 * goes to the form's alert.
 */
export function showError(form: HTMLFormElement, error: unknown): void {
  const field = error instanceof ApiError ? error.field : undefined;
  const target =
    field === undefined ? null : form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(field)}"]`);
  if (target !== null) {
    const friendly =
      error instanceof ApiError && error.code === 'validation_failed' ? target.dataset.invalid : undefined;
    showMessage(target, friendly ?? messageOf(error));
    const control = controlOf(target);
    control?.setAttribute('aria-invalid', 'true');
    control?.focus();
    return;
  }
  const formError = form.querySelector<HTMLElement>('.form-error');
  if (formError !== null) showMessage(formError, messageOf(error));
}
