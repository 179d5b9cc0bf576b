import { apiRequest } from '../api.ts';
import type { Campaign, SendAccepted } from '../api-types.ts';
import { clearErrors, showError } from '../forms.ts';
import { showNotification } from '../notification-preview.ts';
import { byId, startPage } from '../page.ts';

/**
 * Compose a campaign: the form, a live preview, "Save draft" (creates the draft and opens its page)
 * or "Send" (creates it and sends it). Refusals from the api are shown next to the field they name.
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

/** The draft once created: a failed send after a successful save must not create a second one. */
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

form.addEventListener('input', updatePreview);
updatePreview();

function busy(on: boolean): void {
  saveButton.disabled = on;
  sendButton.disabled = on;
}

/** Creates the draft unless this page already did; refusals land next to their fields. */
async function saveDraft(): Promise<Campaign> {
  draft ??= await apiRequest<Campaign>('POST', '/v1/campaigns', { body: campaignBody() });
  return draft;
}

// "Save draft" keeps it for later: the campaign's page shows it, with its own Send button.
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  busy(true);
  try {
    const saved = await saveDraft();
    location.assign(`/dashboard/campaigns/${saved.id}`);
  } catch (error) {
    showError(form, error);
    busy(false);
  }
});

// "Send" saves the draft and sends it in one go.
sendButton.addEventListener('click', async () => {
  clearErrors(form);
  busy(true);
  try {
    const saved = await saveDraft();
    statusLine.textContent = 'Draft saved; sending…';
    await apiRequest<SendAccepted>('POST', `/v1/campaigns/${saved.id}/send`);
    location.assign(`/dashboard/campaigns/${saved.id}`);
  } catch (error) {
    showError(form, error);
    if (draft !== null) {
      statusLine.replaceChildren('The draft is saved but not sent. ');
      const link = document.createElement('a');
      link.href = `/dashboard/campaigns/${draft.id}`;
      link.textContent = 'Open the draft';
      statusLine.append(link, ' to send it from there.');
    }
    busy(false);
  }
});

cancelButton.addEventListener('click', () => location.assign('/dashboard/'));
