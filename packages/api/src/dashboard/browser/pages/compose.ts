import { apiRequest } from '../api.ts';
import type { Campaign, SendAccepted } from '../api-types.ts';
import { type CampaignFormValues, checkCampaignForm, textLength, ttlSecondsOf } from '../campaign-form.ts';
import { clearErrors, showError, showFieldProblems } from '../forms.ts';
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
  const ttl = ttlSecondsOf(ttlHours.value);
  if (ttl !== undefined) request.ttl_seconds = ttl;
  return request;
}

function formValues(): CampaignFormValues {
  return {
    title: title.value,
    body: body.value,
    url: url.value,
    icon: icon.value,
    ttlHours: ttlHours.value,
    ttlUnreadable: ttlHours.validity.badInput,
  };
}

/** Under the title and the text: how many characters of how many, and by how much it is over. */
function updateCounts(): void {
  for (const control of [title, body]) {
    const count = byId(`${control.id}-count`, HTMLElement);
    const max = Number(count.dataset.max);
    const length = textLength(control.value.trim());
    count.textContent =
      length > max
        ? `${length} of ${max} characters: ${length - max} too many`
        : `${length} of ${max} characters`;
    count.toggleAttribute('data-over', length > max);
  }
}

/** Once a send was refused, each field's message follows what is typed. */
let checked = false;

/**
 * Checks the form before anything is sent; refusals go next to their fields, focus to the first.
 * Nothing is ever cut short: a text too long stays as typed, with its count and message.
 */
function formIsValid(): boolean {
  checked = true;
  return !showFieldProblems(form, checkCampaignForm(formValues()), true);
}

/** The form's own words for a field the api refused, when it sees what is wrong. */
const explain = (field: string) =>
  checkCampaignForm(formValues()).find((problem) => problem.field === field)?.message;

form.addEventListener('input', () => {
  updatePreview();
  updateCounts();
  if (checked) showFieldProblems(form, checkCampaignForm(formValues()), false);
});
updatePreview();
updateCounts();

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
  if (!formIsValid()) return;
  busy(true);
  try {
    const saved = await saveDraft();
    location.assign(`/dashboard/campaigns/${saved.id}`);
  } catch (error) {
    showError(form, error, explain);
    busy(false);
  }
});

// "Send" saves the draft and sends it in one go.
sendButton.addEventListener('click', async () => {
  clearErrors(form);
  if (!formIsValid()) return;
  busy(true);
  try {
    const saved = await saveDraft();
    statusLine.textContent = 'Draft saved; sending…';
    await apiRequest<SendAccepted>('POST', `/v1/campaigns/${saved.id}/send`);
    location.assign(`/dashboard/campaigns/${saved.id}`);
  } catch (error) {
    showError(form, error, explain);
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
