/** What a notification shows. */
export interface NotificationContent {
  title: string;
  body: string;
  url: string;
  icon: string | null;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** Fills a `.notification` card of the shell the way a desktop browser lays a notification out. */
export function showNotification(card: HTMLElement, content: NotificationContent): void {
  const part = <T extends HTMLElement>(selector: string) => card.querySelector<T>(selector);
  const title = part('.notification-title');
  const body = part('.notification-body');
  const origin = part('.notification-origin');
  const image = part<HTMLImageElement>('img.notification-icon');
  const placeholder = part('.notification-icon.placeholder');
  if (title !== null) title.textContent = content.title || 'Title';
  if (body !== null) body.textContent = content.body || 'The text of the notification';
  if (origin !== null) origin.textContent = hostOf(content.url) || 'your-shop.example';
  const icon = content.icon?.startsWith('https://') ? content.icon : null;
  if (image !== null) {
    // An icon that does not load is shown as the browser would: not at all, the default in its
    // place; remembered, so that redrawing the card (every keystroke, every live event) keeps it so.
    image.onerror = () => {
      image.dataset.failed = image.getAttribute('src') ?? '';
      image.hidden = true;
      if (placeholder !== null) placeholder.hidden = false;
    };
    image.onload = () => {
      delete image.dataset.failed;
    };
    if (icon === null) image.removeAttribute('src');
    else if (image.getAttribute('src') !== icon) {
      delete image.dataset.failed;
      image.src = icon;
    }
  }
  const showIcon = icon !== null && image !== null && image.dataset.failed !== icon;
  if (image !== null) image.hidden = !showIcon;
  if (placeholder !== null) {
    // Without an icon a browser shows the site's own: its initial stands in for it.
    placeholder.textContent = (
      hostOf(content.url)
        .replace(/^www\./, '')
        .charAt(0) || 'H'
    ).toUpperCase();
    placeholder.hidden = showIcon;
  }
}
