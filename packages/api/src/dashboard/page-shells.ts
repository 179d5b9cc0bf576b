import type { DashboardAssets, PageName } from './dashboard-assets.ts';
import { campaignLogSection, notificationsMain } from './notification-log-shells.ts';

/** Where the dashboard lives; every link and asset path starts here. */
export const DASHBOARD_PATH = '/dashboard';
export const ASSETS_PATH = `${DASHBOARD_PATH}/assets`;
/** The dashboard's icon, an SVG kept here; `/favicon.ico` answers it too, for clients that ask there. */
export const FAVICON_PATH = `${DASHBOARD_PATH}/favicon.svg`;

/** An owl's face on the accent colour: two eyes and a beak, legible at 16 px. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4338ca"/><circle cx="11" cy="12" r="4" fill="#fff"/><circle cx="21" cy="12" r="4" fill="#fff"/><circle cx="11" cy="12" r="1.6" fill="#0f172a"/><circle cx="21" cy="12" r="1.6" fill="#0f172a"/><path d="M13 19l3 4 3-4z" fill="#fbbf24"/></svg>`;

interface Shell {
  title: string;
  /** The nav entry marked as the current page; none on sign-in. */
  nav: 'campaigns' | 'compose' | 'subscribers' | 'notifications' | null;
  main: string;
}

const figureCells = [
  ['sent', 'Sent'],
  ['impressions', 'Impressions'],
  ['clicks', 'Clicks'],
  ['ctr', 'CTR'],
  ['orders', 'Orders'],
  ['revenue', 'Revenue'],
] as const;

/** Totals as a description list; each figure carries `data-testid="<prefix>-<field>"`. */
function totals(prefix: string, label: string): string {
  const items = figureCells
    .map(
      ([field, name]) =>
        `<div><dt>${name}</dt><dd data-testid="${prefix}-${field}" data-field="${field}">–</dd></div>`,
    )
    .join('');
  return `<dl class="totals" aria-label="${label}">${items}</dl>`;
}

function field(options: {
  id: string;
  label: string;
  apiField: string;
  control: string;
  hint?: string;
  /** The most characters the field takes: a count below it, updated by the page as the merchant types. */
  count?: number;
  /** Shown instead of the api's wording when the api refuses the value's form (validation_failed). */
  invalid?: string;
}): string {
  const hint =
    options.hint === undefined ? '' : `<p class="hint" id="${options.id}-hint">${options.hint}</p>`;
  const count =
    options.count === undefined
      ? ''
      : `<p class="hint count" id="${options.id}-count" data-max="${options.count}" data-testid="${options.id}-count">0 of ${options.count} characters</p>`;
  return `<div class="field">
  <label for="${options.id}">${options.label}</label>
  ${options.control}
  ${count}
  ${hint}
  <p class="field-error" id="${options.id}-error" data-error-for="${options.apiField}"${
    options.invalid === undefined ? '' : ` data-invalid="${options.invalid}"`
  } hidden></p>
</div>`;
}

function describedBy(id: string, hint: boolean, count = false): string {
  return `aria-describedby="${count ? `${id}-count ` : ''}${hint ? `${id}-hint ` : ''}${id}-error"`;
}

const notificationPreview = `<div class="notification" data-testid="notification-preview">
  <img class="notification-icon" alt="" hidden>
  <span class="notification-icon placeholder" aria-hidden="true"></span>
  <div class="notification-text">
    <p class="notification-origin"></p>
    <p class="notification-title"></p>
    <p class="notification-body"></p>
  </div>
</div>`;

const sortable = (key: string, label: string, numeric: boolean) =>
  `<th scope="col" class="${numeric ? 'num' : ''}" data-sort="${key}"><button type="button">${label}<span class="sort-mark" aria-hidden="true"></span></button></th>`;

const shells: Record<PageName, Shell> = {
  'sign-in': {
    title: 'Sign in',
    nav: null,
    main: `<div class="narrow">
<h1>Sign in to Hoot</h1>
<form id="sign-in-form" class="stack" novalidate>
  <p class="form-error" id="form-error" role="alert" hidden></p>
  ${field({
    id: 'api-key',
    label: 'API key',
    apiField: 'body.api_key',
    hint: 'The key printed once when your merchant account was created.',
    control: `<input id="api-key" name="api_key" type="password" autocomplete="current-password" spellcheck="false" required ${describedBy('api-key', true)}>`,
  })}
  <div class="actions"><button type="submit" class="primary">Sign in</button></div>
</form>
</div>`,
  },

  campaigns: {
    title: 'Campaigns',
    nav: 'campaigns',
    main: `<div class="page-head">
  <h1>Campaigns</h1>
  <a class="button primary" href="${DASHBOARD_PATH}/campaigns/new">New campaign</a>
</div>
<form id="list-controls" class="controls">
  <div class="field inline"><label for="status-filter">Status</label>
    <select id="status-filter" name="status">
      <option value="">All</option><option value="draft">Draft</option><option value="sending">Sending</option>
      <option value="sent">Sent</option><option value="canceled">Canceled</option>
    </select></div>
  <div class="field inline"><label for="page-size">Per page</label>
    <select id="page-size" name="limit">
      <option>10</option><option selected>20</option><option>50</option><option>100</option>
    </select></div>
</form>
<p class="form-error" id="list-error" role="alert" hidden></p>
<p class="scroll-hint" aria-hidden="true">Scroll the table sideways for more columns →</p>
<div class="table-scroll" role="region" aria-labelledby="campaigns-caption" tabindex="0">
<table id="campaigns" class="figures" data-testid="campaigns-table">
  <caption id="campaigns-caption">Campaigns</caption>
  <thead><tr>
    <th scope="col">Title</th>
    <th scope="col">Status</th>
    ${sortable('sent', 'Sent', true)}
    ${sortable('impressions', 'Impressions', true)}
    ${sortable('clicks', 'Clicks', true)}
    <th scope="col" class="num">CTR</th>
    <th scope="col" class="num">Orders</th>
    ${sortable('revenue', 'Revenue', true)}
    ${sortable('created_at', 'Created', false)}
  </tr></thead>
  <tbody id="campaign-rows" aria-busy="true"></tbody>
</table>
</div>
<nav class="pager" aria-label="Pages of campaigns">
  <button type="button" id="previous-page" disabled>Previous</button>
  <p id="page-status" data-testid="page-status" aria-live="polite"></p>
  <button type="button" id="next-page" disabled>Next</button>
</nav>`,
  },

  campaign: {
    title: 'Campaign',
    nav: 'campaigns',
    main: `<p class="crumbs"><a href="${DASHBOARD_PATH}/">Campaigns</a></p>
<div class="page-head">
  <h1 id="campaign-title" data-testid="campaign-title">Campaign</h1>
  <span id="campaign-status" class="status" data-testid="campaign-status"></span>
</div>
<p class="form-error" id="campaign-error" role="alert" hidden></p>
<div class="actions">
  <button type="button" id="send-campaign" class="primary" hidden>Send</button>
  <button type="button" id="cancel-campaign" class="danger" hidden>Cancel campaign</button>
</div>
<section aria-labelledby="totals-heading">
  <h2 id="totals-heading">Totals</h2>
  ${totals('campaign', 'Campaign totals')}
  <p class="muted" id="report-updated" data-testid="report-updated"></p>
</section>
<section aria-labelledby="content-heading" class="content-grid">
  <div>
    <h2 id="content-heading">Notification</h2>
    ${notificationPreview}
  </div>
  <dl class="facts" id="campaign-facts"></dl>
</section>
<section aria-labelledby="hours-heading">
  <h2 id="hours-heading">Per hour</h2>
  <p class="muted">Times in <span class="time-zone" data-testid="time-zone"></span>.</p>
  <p id="hours-empty" class="muted" hidden>No activity yet.</p>
  <figure class="chart-panel">
    <figcaption id="activity-caption">Sent, impressions and clicks per hour</figcaption>
    <div id="activity-chart" class="chart" role="img" aria-labelledby="activity-caption" aria-describedby="hourly-note"></div>
  </figure>
  <figure class="chart-panel">
    <figcaption id="revenue-caption">Revenue per hour</figcaption>
    <div id="revenue-chart" class="chart" role="img" aria-labelledby="revenue-caption" aria-describedby="hourly-note"></div>
  </figure>
  <p class="visually-hidden" id="hourly-note">The table of hourly figures below holds the same numbers.</p>
  <p class="scroll-hint hours-table" aria-hidden="true">Scroll the table sideways for more columns →</p>
  <div class="table-scroll hours-table" role="region" aria-labelledby="hourly-caption" tabindex="0">
  <table id="hourly-table" class="figures" data-testid="hourly-table">
    <caption id="hourly-caption">Figures per hour with events, local time</caption>
    <thead><tr>
      <th scope="col">Hour</th><th scope="col" class="num">Sent</th><th scope="col" class="num">Impressions</th>
      <th scope="col" class="num">Clicks</th><th scope="col" class="num">CTR</th><th scope="col" class="num">Orders</th>
      <th scope="col" class="num">Revenue</th>
    </tr></thead>
  </table>
  </div>
</section>
${campaignLogSection}`,
  },

  compose: {
    title: 'New campaign',
    nav: 'compose',
    main: `<h1>New campaign</h1>
<div class="compose">
<form id="compose-form" class="stack" novalidate>
  <p class="form-error" id="form-error" role="alert" hidden></p>
  ${field({
    id: 'title',
    invalid: 'The title must be 1 to 120 characters long.',
    label: 'Title',
    apiField: 'body.title',
    count: 120,
    control: `<input id="title" name="title" required ${describedBy('title', false, true)}>`,
  })}
  ${field({
    id: 'body',
    invalid: 'The text must be 1 to 500 characters long.',
    label: 'Text',
    apiField: 'body.body',
    count: 500,
    control: `<textarea id="body" name="body" rows="3" required ${describedBy('body', false, true)}></textarea>`,
  })}
  ${field({
    id: 'url',
    invalid: 'Enter a web address starting with https:// or http://, at most 2048 characters.',
    label: 'Link',
    apiField: 'body.url',
    hint: 'Opened when the notification is clicked: https://…',
    control: `<input id="url" name="url" type="url" inputmode="url" required placeholder="https://shop.example/sale" ${describedBy('url', true)}>`,
  })}
  ${field({
    id: 'icon',
    invalid: 'Enter an image address starting with https://, or leave it empty.',
    label: 'Icon (optional)',
    apiField: 'body.icon',
    hint: 'An https image, shown beside the text.',
    control: `<input id="icon" name="icon" type="url" inputmode="url" placeholder="https://shop.example/icon.png" ${describedBy('icon', true)}>`,
  })}
  <fieldset>
    <legend>Delivery</legend>
    ${field({
      id: 'ttl-hours',
      invalid: 'Enter a whole number of hours from 1 to 672, or leave it empty.',
      label: 'Keep trying for (hours, optional)',
      apiField: 'body.ttl_seconds',
      hint: 'How long push services hold it for an offline browser; 672 hours (28 days) when empty.',
      control: `<input id="ttl-hours" name="ttl_hours" type="number" inputmode="numeric" min="1" max="672" step="1" ${describedBy('ttl-hours', true)}>`,
    })}
    ${field({
      id: 'urgency',
      label: 'Urgency',
      apiField: 'body.urgency',
      control: `<select id="urgency" name="urgency" ${describedBy('urgency', false)}>
        <option value="very-low">Very low</option><option value="low">Low</option>
        <option value="normal" selected>Normal</option><option value="high">High</option>
      </select>`,
    })}
  </fieldset>
  <div class="actions">
    <button type="submit" id="save-draft" class="primary">Save draft</button>
    <button type="button" id="send-campaign">Send</button>
    <button type="button" id="cancel-compose" class="link">Cancel</button>
  </div>
  <p id="compose-status" role="status"></p>
</form>
<aside aria-labelledby="preview-heading" class="preview">
  <h2 id="preview-heading">Preview</h2>
  ${notificationPreview}
  <p class="hint">Browsers and systems differ; this is how a desktop browser shows it.</p>
</aside>
</div>`,
  },

  notifications: {
    title: 'Notifications',
    nav: 'notifications',
    main: notificationsMain,
  },

  subscribers: {
    title: 'Subscribers',
    nav: 'subscribers',
    main: `<h1>Subscribers</h1>
<p class="form-error" id="stats-error" role="alert" hidden></p>
<dl class="totals" aria-label="Subscriber totals">
  <div><dt>Total</dt><dd data-testid="subscribers-total" data-field="total">–</dd></div>
  <div><dt>Sendable</dt><dd data-testid="subscribers-sendable" data-field="sendable">–</dd></div>
  <div><dt>Expired</dt><dd data-testid="subscribers-expired" data-field="expired">–</dd></div>
  <div><dt>Unsubscribed</dt><dd data-testid="subscribers-unsubscribed" data-field="unsubscribed">–</dd></div>
</dl>
<section aria-labelledby="growth-heading">
  <h2 id="growth-heading">Growth per day</h2>
  <p class="muted">The last 30 days, days in <span class="time-zone" data-testid="time-zone"></span>.</p>
  <figure class="chart-panel">
    <figcaption id="growth-caption">Subscribed, expired and unsubscribed per day</figcaption>
    <div id="growth-chart" class="chart" role="img" aria-labelledby="growth-caption" aria-describedby="growth-note"></div>
  </figure>
  <details>
    <summary id="growth-note">Figures per day</summary>
    <div class="table-scroll" role="region" aria-labelledby="growth-table-caption" tabindex="0">
    <table id="growth-table" class="figures" data-testid="growth-table">
      <caption id="growth-table-caption">Subscribers per day</caption>
      <thead><tr><th scope="col">Day</th><th scope="col" class="num">Subscribed</th>
        <th scope="col" class="num">Expired</th><th scope="col" class="num">Unsubscribed</th></tr></thead>
      <tbody></tbody>
    </table>
    </div>
  </details>
</section>
<section aria-labelledby="services-heading">
  <h2 id="services-heading">By push service</h2>
  <div class="table-scroll" role="region" aria-labelledby="services-heading" tabindex="0">
  <table id="push-services" class="figures" data-testid="push-services-table">
    <thead><tr><th scope="col">Push service</th><th scope="col" class="num">Total</th>
      <th scope="col" class="num">Sendable</th><th scope="col" class="num">Expired</th></tr></thead>
    <tbody></tbody>
  </table>
  </div>
</section>`,
  },
};

function navLink(href: string, label: string, current: boolean): string {
  return `<li><a href="${href}"${current ? ' aria-current="page"' : ''}>${label}</a></li>`;
}

function header(nav: Shell['nav']): string {
  if (nav === null) return `<header class="top"><span class="brand">Hoot</span></header>`;
  return `<header class="top">
  <a class="brand" href="${DASHBOARD_PATH}/">Hoot</a>
  <nav aria-label="Dashboard"><ul>
    ${navLink(`${DASHBOARD_PATH}/`, 'Campaigns', nav === 'campaigns')}
    ${navLink(`${DASHBOARD_PATH}/campaigns/new`, 'New campaign', nav === 'compose')}
    ${navLink(`${DASHBOARD_PATH}/subscribers`, 'Subscribers', nav === 'subscribers')}
    ${navLink(`${DASHBOARD_PATH}/notifications`, 'Notifications', nav === 'notifications')}
  </ul></nav>
  <div class="account">
    <span id="live" class="live" data-state="offline" data-testid="live-indicator" role="status" hidden>Offline</span>
    <span id="merchant-name" data-testid="merchant-name"></span>
    <button type="button" id="sign-out" data-testid="sign-out">Sign out</button>
  </div>
</header>`;
}

/**
 * The HTML of a page: a static shell (landmarks, headings, forms, empty tables) that the page's
 * script fills from the JSON api. Nothing in it comes from a request, so nothing needs escaping,
 * and no script is inline, so the Content-Security-Policy can forbid them.
 */
export function pageShell(page: PageName, assets: DashboardAssets): string {
  const shell = shells[page];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${shell.title} · Hoot</title>
<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">
<link rel="stylesheet" href="${ASSETS_PATH}/${assets.stylesheet}">
<script type="module" src="${ASSETS_PATH}/${assets.scripts[page]}"></script>
</head>
<body data-page="${page}">
<a class="skip-link" href="#main">Skip to content</a>
${header(shell.nav)}
<main id="main" tabindex="-1">
${shell.main}
</main>
</body>
</html>
`;
}

/** A small page for dashboard addresses that do not exist. */
export function notFoundPage(assets: DashboardAssets): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not found · Hoot</title><link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml"><link rel="stylesheet" href="${ASSETS_PATH}/${assets.stylesheet}"></head>
<body><main id="main" class="narrow"><h1>Not found</h1><p>There is no such page. <a href="${DASHBOARD_PATH}/">Go to your campaigns</a>.</p></main></body>
</html>
`;
}
