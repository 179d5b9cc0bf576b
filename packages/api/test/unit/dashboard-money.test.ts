import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  currencyFractionDigits,
  formatMinor,
  formatRevenue,
  minorToDecimal,
  minorToMajor,
} from '../../src/dashboard/browser/money.ts';

describe('dashboard money from minor units', () => {
  it('knows the fraction digits of each currency', () => {
    assert.equal(currencyFractionDigits('EUR'), 2);
    assert.equal(currencyFractionDigits('jpy'), 0);
    assert.equal(currencyFractionDigits('KWD'), 3);
  });

  it('turns minor units into an exact decimal string, negative and tiny amounts included', () => {
    assert.equal(minorToDecimal(12345, 2), '123.45');
    assert.equal(minorToDecimal(5, 2), '0.05');
    assert.equal(minorToDecimal(-5, 2), '-0.05');
    assert.equal(minorToDecimal(0, 2), '0.00');
    assert.equal(minorToDecimal(1500, 0), '1500');
    assert.equal(minorToDecimal(1, 3), '0.001');
  });

  it('keeps amounts beyond 2^53 exact when given as bigint', () => {
    assert.equal(minorToDecimal(123456789012345678901n, 2), '1234567890123456789.01');
    assert.equal(formatMinor(123456789012345678901n, 'EUR', 'en-US'), '€1,234,567,890,123,456,789.01');
  });

  it('formats in the currency and locale with the currency’s own digits', () => {
    assert.equal(formatMinor(123456, 'EUR', 'en-US'), '€1,234.56');
    assert.equal(formatMinor(123456, 'EUR', 'de-DE'), '1.234,56\u00a0€');
    assert.equal(formatMinor(1500, 'JPY', 'en-US'), '¥1,500');
    assert.equal(formatMinor(1234, 'KWD', 'en-US'), 'KWD\u00a01.234');
    // 0.1 + 0.2 in floats is 0.30000000000000004; minor units never meet a float.
    assert.equal(formatMinor(10 + 20, 'USD', 'en-US'), '$0.30');
  });

  it('shows no revenue as a dash without a currency, and as money in the currency once there is one', () => {
    assert.equal(formatRevenue(0, null, 'en-US'), '–');
    assert.equal(formatRevenue(0, 'EUR', 'en-US'), '€0.00');
    assert.equal(formatRevenue(250, 'EUR', 'en-US'), '€2.50');
  });

  it('gives charts major units by the currency’s digits', () => {
    assert.equal(minorToMajor(250, 'EUR'), 2.5);
    assert.equal(minorToMajor(250, 'JPY'), 250);
  });
});
