/**
 * The compose form's own checks, made before anything is sent so that each refusal says what is
 * wrong (missing, too long, not a whole number) next to its field, in the terms of the form. The
 * limits are the api's (`CreateCampaignBody`); the api still checks everything.
 */

/** Longest title and text, in characters as the api counts them (code points). */
export const TITLE_MAX = 120;
export const BODY_MAX = 500;
const URL_MAX = 2048;
/** Longest time to live a push service keeps: 28 days. */
export const TTL_MAX_HOURS = 672;

/** The api's patterns: a scheme, then a host (the NUL character it also refuses cannot be typed). */
const PAGE_URL = /^https?:\/\/[^/?#\s]+([/?#][\s\S]*)?$/;
const ICON_URL = /^https:\/\/[^/?#\s]+([/?#][\s\S]*)?$/;

/** The form's values as typed (untrimmed). */
export interface CampaignFormValues {
  title: string;
  body: string;
  url: string;
  icon: string;
  ttlHours: string;
  /** The number input holds something that is not a number (`validity.badInput`): its value reads ''. */
  ttlUnreadable?: boolean;
}

/** A refusal of one field, named as the api names it (`body.title`). */
export interface FieldProblem {
  field: 'body.title' | 'body.body' | 'body.url' | 'body.icon' | 'body.ttl_seconds';
  message: string;
}

/** The length of a text as the api counts it: in code points, so an emoji is one character. */
export function textLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

function textProblem(value: string, max: number, what: string, missing: string): string | null {
  const length = textLength(value.trim());
  if (length === 0) return missing;
  if (length > max) return `${what} is ${length} characters long; shorten it to at most ${max}.`;
  return null;
}

/** The time to live in seconds for the hours typed, or undefined for an empty field (the api's default). */
export function ttlSecondsOf(hours: string): number | undefined {
  const text = hours.trim();
  return text === '' ? undefined : Number(text) * 3600;
}

/** Every problem of the form, in the order of its fields; empty when it may be sent. */
export function checkCampaignForm(values: CampaignFormValues): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: FieldProblem['field'], message: string | null) => {
    if (message !== null) problems.push({ field, message });
  };
  add('body.title', textProblem(values.title, TITLE_MAX, 'The title', 'Enter a title.'));
  add('body.body', textProblem(values.body, BODY_MAX, 'The text', 'Enter the text of the notification.'));

  const url = values.url.trim();
  if (url === '') add('body.url', 'Enter the link opened on a click, starting with https:// or http://.');
  else if (textLength(url) > URL_MAX) add('body.url', `The link is too long; at most ${URL_MAX} characters.`);
  else if (!PAGE_URL.test(url)) add('body.url', 'Enter a web address starting with https:// or http://.');

  const icon = values.icon.trim();
  if (textLength(icon) > URL_MAX)
    add('body.icon', `The icon address is too long; at most ${URL_MAX} characters.`);
  else if (icon !== '' && !ICON_URL.test(icon)) {
    add('body.icon', 'Enter an image address starting with https://, or leave it empty.');
  }

  const hours = values.ttlHours.trim();
  if (values.ttlUnreadable === true || (hours !== '' && !Number.isFinite(Number(hours)))) {
    add('body.ttl_seconds', 'Enter the hours as a number, such as 24, or leave it empty.');
  } else if (hours !== '' && !Number.isInteger(Number(hours))) {
    add('body.ttl_seconds', `Enter a whole number of hours (not ${hours}), or leave it empty.`);
  } else if (hours !== '' && (Number(hours) < 1 || Number(hours) > TTL_MAX_HOURS)) {
    add('body.ttl_seconds', `Enter from 1 to ${TTL_MAX_HOURS} hours (28 days), or leave it empty.`);
  }
  return problems;
}
