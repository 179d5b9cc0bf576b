import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalToMinor, minorUnitDigits } from '../../src/orders/money.ts';
import { orderTime } from '../../src/orders/order-intake.ts';
import { parseJsonKeepingNumbers, readShopifyOrder } from '../../src/orders/shopify-order.ts';

describe('order money by ISO 4217', () => {
  it('knows the ISO 4217 exponent, not the CLDR one, and refuses codes that are not money', () => {
    assert.equal(minorUnitDigits('USD'), 2);
    assert.equal(minorUnitDigits('JPY'), 0);
    assert.equal(minorUnitDigits('KWD'), 3);
    assert.equal(minorUnitDigits('CLF'), 4);
    assert.equal(minorUnitDigits('IQD'), 3, 'CLDR says 0');
    for (const code of ['XXQ', 'usd', 'US', 'XAU', 'XXX', 'XTS', ''])
      assert.equal(minorUnitDigits(code), undefined, code);
  });

  it('shifts decimal digits as text, never through a float', () => {
    assert.deepEqual(decimalToMinor('19.99', 2), { minor: 1999 });
    assert.deepEqual(decimalToMinor('0.29', 2), { minor: 29 }, '0.29 * 100 is 28.999999999999996 in floats');
    assert.deepEqual(decimalToMinor('1700', 0), { minor: 1700 });
    assert.deepEqual(decimalToMinor('1700.00', 0), { minor: 1700 });
    assert.deepEqual(decimalToMinor('1.250', 3), { minor: 1250 });
    assert.deepEqual(decimalToMinor('1.25', 3), { minor: 1250 });
    assert.deepEqual(decimalToMinor('19.999', 2), { problem: 'too_precise' });
    assert.deepEqual(decimalToMinor('1.5', 0), { problem: 'too_precise' });
    for (const bad of ['-1.00', '1e3', '1,00', ' 1', '', '.5', '1.', 'NaN']) {
      assert.deepEqual(decimalToMinor(bad, 2), { problem: 'not_a_decimal' }, bad);
    }
    assert.deepEqual(decimalToMinor('90071992547409.92', 2), { problem: 'too_large' });
  });
});

describe('Shopify order bodies', () => {
  it('keeps ids beyond 2^53 exact where JSON.parse merges them', () => {
    const text = '{"a":820982911946154508,"b":820982911946154509}';
    const plain = JSON.parse(text) as { a: number; b: number };
    assert.equal(plain.a, plain.b, 'the failure: both become …500');
    assert.deepEqual(parseJsonKeepingNumbers(text), { a: '820982911946154508', b: '820982911946154509' });
  });

  it('reads shop money, never the presentment money, and the subscriber from note_attributes first', () => {
    const order = readShopifyOrder(
      parseJsonKeepingNumbers(
        JSON.stringify({
          id: 1,
          created_at: '2026-11-21T10:15:00+09:00',
          total_price: '99.00',
          total_price_set: {
            shop_money: { amount: '1700', currency_code: 'JPY' },
            presentment_money: { amount: '11.00', currency_code: 'USD' },
          },
          note_attributes: [{ name: 'hoot_subscriber_id', value: '42' }],
          landing_site: '/?hoot_subscriber_id=7',
          customer: { id: 5 },
        }),
      ),
    );
    assert.deepEqual(order, {
      orderId: '1',
      customerId: '5',
      totalMinor: 1700,
      currency: 'JPY',
      createdAt: Date.parse('2026-11-21T01:15:00Z'),
      subscriberId: 42,
      attribution: 'attributed',
    });
  });
});

describe('order time', () => {
  it('clamps a time later than the receive time plus the skew to the receive time, keeps others', () => {
    const now = Date.UTC(2026, 10, 21);
    assert.equal(orderTime(now + 60_000, now, 300_000), now + 60_000);
    assert.equal(orderTime(now + 301_000, now, 300_000), now);
    assert.equal(orderTime(now - 86_400_000, now, 300_000), now - 86_400_000);
  });
});
