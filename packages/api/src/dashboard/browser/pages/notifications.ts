import { clearErrors, showError, showFieldProblems } from '../forms.ts';
import { notificationLogTable } from '../notification-log.ts';
import { byId, startPage } from '../page.ts';

/**
 * Notifications: one subscriber's log, looked up by id. The form submits to this page, so the
 * lookup lives in the address: a link, a reload or the back button shows the same subscriber.
 */

const session = await startPage();
const form = byId('lookup-form', HTMLFormElement);
const input = byId('subscriber-id', HTMLInputElement);
const days = byId('days', HTMLSelectElement);
const section = byId('log-section', HTMLElement);
const log = notificationLogTable({
  first: 'campaign',
  timeZone: session.merchant.time_zone,
  empty: 'No notification to this subscriber in this period.',
});

const DAY_MS = 86_400_000;
const PERIODS = ['7', '31'];
/** Past the end of the period: a browser clock a little behind still sees the newest notifications. */
const CLOCK_MARGIN_MS = 5 * 60_000;

async function lookUp(): Promise<void> {
  const address = new URLSearchParams(location.search);
  const period = address.get('days') ?? '';
  days.value = PERIODS.includes(period) ? period : '7';
  const id = (address.get('subscriber_id') ?? '').trim();
  if (id === '') {
    input.focus();
    return;
  }
  input.value = id;
  clearErrors(form);
  if (!/^[1-9][0-9]{0,15}$/.test(id)) {
    const message = byId('subscriber-id-error', HTMLElement).dataset.invalid ?? 'Enter a subscriber id.';
    showFieldProblems(form, [{ field: 'querystring.subscriber_id', message }], true);
    return;
  }
  byId('shown-subscriber', HTMLElement).textContent = id;
  section.hidden = false;
  const to = Date.now() + CLOCK_MARGIN_MS;
  try {
    await log.show({
      subscriber_id: Number(id),
      from: new Date(to - Number(days.value) * DAY_MS).toISOString(),
      to: new Date(to).toISOString(),
    });
  } catch (error) {
    section.hidden = true;
    showError(form, error);
  }
}

await lookUp();
