import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CampaignFormValues,
  checkCampaignForm,
  textLength,
  ttlSecondsOf,
} from '../../src/dashboard/browser/campaign-form.ts';
import { formatQuantity, formatTtl } from '../../src/dashboard/browser/durations.ts';

const valid: CampaignFormValues = {
  title: 'Winter boots',
  body: 'Back in every size',
  url: 'https://shop.example/boots',
  icon: '',
  ttlHours: '',
};

/** The message for one field, or undefined when the form finds nothing wrong with it. */
function problemOf(change: Partial<CampaignFormValues>, field: string): string | undefined {
  return checkCampaignForm({ ...valid, ...change }).find((problem) => problem.field === field)?.message;
}

describe('dashboard compose checks', () => {
  it('accepts a complete form', () => {
    assert.deepEqual(checkCampaignForm(valid), []);
    assert.deepEqual(checkCampaignForm({ ...valid, icon: 'https://shop.example/i.png', ttlHours: '24' }), []);
  });

  it('says a title or text is missing, apart from too long', () => {
    assert.equal(problemOf({ title: '   ' }, 'body.title'), 'Enter a title.');
    assert.equal(problemOf({ title: '' }, 'body.title'), 'Enter a title.');
    assert.equal(
      problemOf({ title: 'x'.repeat(121) }, 'body.title'),
      'The title is 121 characters long; shorten it to at most 120.',
    );
    assert.equal(problemOf({ body: ' \n ' }, 'body.body'), 'Enter the text of the notification.');
    assert.match(
      problemOf({ body: 'x'.repeat(10_000) }, 'body.body') ?? '',
      /10000 characters long; .* at most 500/,
    );
    assert.equal(problemOf({ title: 'x'.repeat(120) }, 'body.title'), undefined);
  });

  it('counts characters as the api does: an emoji is one', () => {
    assert.equal(textLength('🦉'.repeat(120)), 120);
    assert.equal(problemOf({ title: '🦉'.repeat(120) }, 'body.title'), undefined);
  });

  it('says a link is missing apart from malformed; an icon must be https', () => {
    assert.match(problemOf({ url: '' }, 'body.url') ?? '', /^Enter the link/);
    assert.match(problemOf({ url: 'ftp://shop.example' }, 'body.url') ?? '', /^Enter a web address/);
    assert.match(problemOf({ url: 'https://' }, 'body.url') ?? '', /^Enter a web address/);
    assert.match(problemOf({ icon: 'http://shop.example/i.png' }, 'body.icon') ?? '', /https:\/\//);
  });

  it('refuses hours that are not a whole number from 1 to 672, next to the field', () => {
    assert.match(
      problemOf({ ttlHours: '1.5' }, 'body.ttl_seconds') ?? '',
      /whole number of hours \(not 1\.5\)/,
    );
    assert.match(problemOf({ ttlHours: '0' }, 'body.ttl_seconds') ?? '', /from 1 to 672 hours/);
    assert.match(problemOf({ ttlHours: '673' }, 'body.ttl_seconds') ?? '', /from 1 to 672 hours/);
    assert.match(problemOf({ ttlHours: '', ttlUnreadable: true }, 'body.ttl_seconds') ?? '', /as a number/);
    assert.equal(problemOf({ ttlHours: '672' }, 'body.ttl_seconds'), undefined);
    assert.equal(ttlSecondsOf(' 24 '), 86_400);
    assert.equal(ttlSecondsOf(''), undefined);
  });

  it('pluralises hours and days', () => {
    assert.equal(formatQuantity(1, 'hour', 'en-US'), '1 hour');
    assert.equal(formatTtl(3600, 'en-US'), '1 hour');
    assert.equal(formatTtl(7200, 'en-US'), '2 hours');
    assert.equal(formatTtl(1800, 'en-US'), '30 minutes');
    assert.equal(formatTtl(86_400, 'en-US'), '24 hours (1 day)');
    assert.equal(formatTtl(2_419_200, 'en-US'), '672 hours (28 days)');
  });
});
