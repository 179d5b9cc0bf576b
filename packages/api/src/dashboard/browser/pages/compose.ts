import { apiRequest } from '../api.ts';
import type { Campaign, SendAccepted } from '../api-types.ts';
import { clearErrors, showError } from '../forms.ts';
import { showNotification } from '../notification-preview.ts';
import { byId, startPage } from '../page.ts';

/**
 * Compose a campaign: the form, a live preview, "Save draft" (creates the draft), then "Send".
 * Refusals from the api are shown next to the field they name.
 */

await startPage();
const form = byId('compose-form', HTMLFormElement);
const saveButton = byId('save-draft', HTMLButtonElement);
const sendButton = byId('send-campaign', HTMLButtonElement);
const cancelButton = byId('cancel-compose', HTMLButtonElement);
const statusLine = byId('compose-status', HTMLElement);
const preview = document.querySelector<HTMLElement>('.preview .notification')!;
const input = (id: string) => byId(id, HTMLElement) as HTMLInputElement | HTMLTextAreaElement;
const [title, body, url, icon, ttlHours] = ['title', 'body', 'url', 'icon', 'ttl-hours'].map(input) as [
  HTMLInputElement,
  HTMLTextAreaElement,
  HTMLInputElement,
  HTMLInputElement,
  HTMLInputElement,
];
const urgency = byId('urgency', HTMLSelectElement);

/** The saved draft; null until "Save draft" succeeded. */
let draft: Campaign | null = null;

function updatePreview(): void {
  showNotification(preview, {
    title: title.value.trim(),
    body: body.value.trim(),
    url: url.value.trim(),
    icon: icon.value.trim() || null,
  });
}

/** The request body; optional fields only when filled, so the api's defaults apply otherwise. */
function campaignBody(): Record<string, unknown> {
  const request: Record<string, unknown> = {
    title: title.value.trim(),
    body: body.value.trim(),
    url: url.value.trim(),
    urgency: urgency.value,
  };
  if (icon.value.trim() !== '') request.icon = icon.value.trim();
  const hours = ttlHours.value.trim();
  // Not a number is left for the api to refuse, next to this field.
  if (hours !== '') request.ttl_seconds = Number.isFinite(Number(hours)) ? Number(hours) * 3600 : hours;
  return request;
}

function lockForm(): void {
  for (const control of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
    'input, textarea, select',
  )) {
    if (control instanceof HTMLSelectElement) control.disabled = true;
    else control.readOnly = true;
  }
}

form.addEventListener('input', updatePreview);
updatePreview();

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (draft !== null) return;
  clearErrors(form);
  saveButton.disabled = true;
  try {
    draft = await apiRequest<Campaign>('POST', '/v1/campaigns', { body: campaignBody() });
    lockForm();
    saveButton.hidden = true;
    sendButton.disabled = false;
    cancelButton.textContent = 'Cancel campaign';
    statusLine.replaceChildren('Draft saved. ');
    const link = document.createElement('a');
    link.href = `/dashboard/campaigns/${draft.id}`;
    link.textContent = 'Open the campaign';
    statusLine.append(link, '.');
    sendButton.focus();
  } catch (error) {
    showError(form, error);
  } finally {
    saveButton.disabled = false;
  }
});

sendButton.addEventListener('click', async () => {
  if (draft === null) return;
  clearErrors(form);
  sendButton.disabled = true;
  try {
    const accepted = await apiRequest<SendAccepted>('POST', `/v1/campaigns/${draft.id}/send`);
    location.assign(`/dashboard/campaigns/${accepted.campaign.id}`);
  } catch (error) {
    showError(form, error);
    sendButton.disabled = false;
  }
});

cancelButton.addEventListener('click', async () => {
  // Nothing saved: nothing to cancel on the server, just leave.
  if (draft === null) {
    location.assign('/dashboard/');
    return;
  }
  clearErrors(form);
  cancelButton.disabled = true;
  try {
    await apiRequest<SendAccepted>('POST', `/v1/campaigns/${draft.id}/cancel`);
    location.assign('/dashboard/');
  } catch (error) {
    showError(form, error);
    cancelButton.disabled = false;
  }
});
