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
 * Shows the form's own refusals next to their fields (`field` as the api names it) and clears the
 * others; with `focus`, moves focus to the first field at fault. Returns whether there was any.
 */
export function showFieldProblems(
  form: HTMLFormElement,
  problems: ReadonlyArray<{ field: string; message: string }>,
  focus: boolean,
): boolean {
  const byField = new Map(problems.map((problem) => [problem.field, problem.message]));
  let first: HTMLElement | null = null;
  for (const element of form.querySelectorAll<HTMLElement>('[data-error-for]')) {
    const message = byField.get(element.dataset.errorFor ?? '') ?? null;
    showMessage(element, message);
    const control = controlOf(element);
    if (message === null) control?.removeAttribute('aria-invalid');
    else {
      control?.setAttribute('aria-invalid', 'true');
      first ??= control;
    }
  }
  if (focus) first?.focus();
  return problems.length > 0;
}

/**
 * Shows a refusal next to the field the api named (`field: 'body.url'` → the element with
 * `data-error-for="body.url"`), marks that control invalid and moves focus to it; anything else
 * goes to the form's alert. `explain` may word a refusal of the value's form (`validation_failed`)
 * for the field; else the field's `data-invalid` text is shown.
 */
export function showError(
  form: HTMLFormElement,
  error: unknown,
  explain?: (field: string) => string | undefined,
): void {
  const field = error instanceof ApiError ? error.field : undefined;
  const target =
    field === undefined ? null : form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(field)}"]`);
  if (target !== null && field !== undefined) {
    // A refusal of the value's form: the page's own words for what is wrong with it, if it knows.
    const friendly =
      error instanceof ApiError && error.code === 'validation_failed'
        ? (explain?.(field) ?? target.dataset.invalid)
        : undefined;
    showMessage(target, friendly ?? messageOf(error));
    const control = controlOf(target);
    control?.setAttribute('aria-invalid', 'true');
    control?.focus();
    return;
  }
  const formError = form.querySelector<HTMLElement>('.form-error');
  if (formError !== null) showMessage(formError, messageOf(error));
}
