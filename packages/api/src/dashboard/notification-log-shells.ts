/**
 * The notification log's parts of the page shells: the campaign page's section of its recent
 * notifications and the Notifications page, which looks up one subscriber. Both hold a table the
 * script `browser/notification-log.ts` fills from `GET /v1/notifications`, page by page.
 */

/** Who or what the first column names: the subscriber (a campaign's log) or the campaign (a subscriber's). */
type FirstColumn = 'Subscriber' | 'Campaign';

function logTable(caption: string, first: FirstColumn): string {
  return `<div class="table-scroll" role="region" aria-labelledby="log-caption" tabindex="0">
  <table id="notification-log" class="figures log" data-testid="notification-log">
    <caption id="log-caption">${caption}</caption>
    <thead><tr>
      <th scope="col">${first}</th><th scope="col">Outcome</th><th scope="col">Sent or decided</th>
      <th scope="col">Delivered</th><th scope="col">Clicked</th>
    </tr></thead>
    <tbody id="log-rows"></tbody>
  </table>
  </div>
  <div class="pager">
    <p id="log-status" data-testid="log-status" aria-live="polite"></p>
    <button type="button" id="log-more" hidden>Show more</button>
  </div>`;
}

/** The campaign page's section: its notifications, newest first, with a refresh (the archive lags). */
export const campaignLogSection = `<section aria-labelledby="log-heading">
  <div class="page-head">
    <h2 id="log-heading">Recent notifications</h2>
    <button type="button" id="log-refresh">Refresh</button>
  </div>
  <p class="muted">Each notification's outcome, newest first, as the audit archive holds it (seconds behind); delivered and clicked as the browser reported them, in <span class="time-zone"></span> time.</p>
  <p class="form-error" id="log-error" role="alert" hidden></p>
  ${logTable('Notifications of this campaign, newest first', 'Subscriber')}
</section>`;

/** The Notifications page: one subscriber's notifications over the last 7 or 31 days. */
export const notificationsMain = `<h1>Notifications</h1>
<p class="muted">What was sent to one subscriber, with its outcome and when the browser showed and clicked it. The subscriber id is the one <code>hoot.subscribe()</code> answers on your site.</p>
<form id="lookup-form" class="lookup" method="get" novalidate>
  <p class="form-error" id="form-error" role="alert" hidden></p>
  <div class="field">
    <label for="subscriber-id">Subscriber id</label>
    <input id="subscriber-id" name="subscriber_id" inputmode="numeric" pattern="[0-9]*" autocomplete="off" required aria-describedby="subscriber-id-error">
    <p class="field-error" id="subscriber-id-error" data-error-for="querystring.subscriber_id" data-invalid="Enter a subscriber id: a whole number from 1." hidden></p>
  </div>
  <div class="field">
    <label for="days">Period</label>
    <select id="days" name="days"><option value="7">Last 7 days</option><option value="31">Last 31 days</option></select>
  </div>
  <div class="actions"><button type="submit" class="primary">Look up</button></div>
</form>
<section aria-labelledby="results-heading" id="log-section" hidden>
  <h2 id="results-heading">Notifications to subscriber <span id="shown-subscriber" data-testid="shown-subscriber"></span></h2>
  <p class="muted">Newest first, times in <span class="time-zone"></span>.</p>
  <p class="form-error" id="log-error" role="alert" hidden></p>
  ${logTable("The subscriber's notifications, newest first", 'Campaign')}
</section>`;
