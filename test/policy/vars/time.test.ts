import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatRFC3339, parseGoTime } from '../../../src/policy/vars/gotime.js';
import { jmespathSearch, VariableError } from '../../../src/policy/vars/index.js';

const q = (expr: string) => jmespathSearch(expr, {});

describe('Go time layouts', () => {
  test('parse reference layouts and keep the zone for RFC 3339 output', () => {
    const cases: [string, string, string][] = [
      ['2006-01-02T15:04:05Z07:00', '2023-05-06T07:08:09+02:00', '2023-05-06T07:08:09+02:00'],
      ['2006-01-02T15:04:05Z07:00', '2023-05-06T07:08:09.123Z', '2023-05-06T07:08:09Z'],
      ['Mon Jan _2 15:04:05 2006', 'Sat May  6 07:08:09 2023', '2023-05-06T07:08:09Z'],
      ['02 Jan 06 15:04 MST', '06 May 23 07:08 UTC', '2023-05-06T07:08:00Z'],
      ['January 2, 2006 3:04 PM', 'May 6, 2023 7:08 PM', '2023-05-06T19:08:00Z'],
      ['2006-01-02 15:04:05.000 -0700', '2023-05-06 07:08:09.500 -0130', '2023-05-06T07:08:09-01:30'],
      ['2006-002', '2024-060', '2024-02-29T00:00:00Z'],
    ];
    for (const [layout, value, out] of cases)
      assert.equal(formatRFC3339(parseGoTime(layout, value)), out, value);
  });

  test('rejects values that do not fit the layout, with Go messages', () => {
    assert.throws(
      () => parseGoTime('2006-01-02', '2023/05/06'),
      /parsing time "2023\/05\/06" as "2006-01-02": cannot parse "\/05\/06" as "-"/,
    );
    assert.throws(() => parseGoTime('2006-01-02', '2023-02-30'), /day out of range/);
    assert.throws(() => parseGoTime('2006-01-02', '2023-13-01'), /month out of range/);
    assert.throws(() => parseGoTime('2006-01-02', '2023-01-01x'), /extra text/);
  });
});

describe('time_* functions', () => {
  test('differences, additions and comparisons', () => {
    assert.equal(q("time_diff('2021-01-01T00:00:00Z', '2021-01-02T01:00:00.5+01:00')"), '24h0m0.5s');
    assert.equal(q("time_diff('2021-01-02T00:00:00Z', '2021-01-01T00:00:00Z')"), '-24h0m0s');
    assert.equal(q("time_since('', '2021-01-01T00:00:00Z', '2021-01-01T00:01:30Z')"), '1m30s');
    assert.equal(q("time_since('2006-01-02', '2021-01-01', '2021-01-03')"), '48h0m0s');
    assert.equal(q("time_add('2021-01-01T00:00:00+05:30', '36h')"), '2021-01-02T12:00:00+05:30');
    assert.equal(q("time_utc('2021-01-01T05:30:00+05:30')"), '2021-01-01T00:00:00Z');
    assert.equal(q("time_before('2021-01-01T00:00:00Z', '2021-01-01T00:00:01Z')"), true);
    assert.equal(q("time_after('2021-01-01T00:00:00Z', '2021-01-01T00:00:01Z')"), false);
    assert.equal(
      q("time_between('2021-01-02T00:00:00Z', '2021-01-01T00:00:00Z', '2021-01-03T00:00:00Z')"),
      true,
    );
    assert.equal(
      q("time_between('2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z', '2021-01-03T00:00:00Z')"),
      false,
    );
  });

  test('time_parse with layouts and epoch seconds', () => {
    assert.equal(
      q("time_parse('Mon Jan 02 2006 15:04:05 -0700', 'Fri Mar 01 2024 10:00:00 +0200')"),
      '2024-03-01T10:00:00+02:00',
    );
    assert.equal(q("time_parse('1136239445', '1136239445')"), '2006-01-02T22:04:05Z');
    assert.throws(() => q("time_parse('2006', 'abc')"), VariableError);
  });

  test('time_truncate and time_to_cron', () => {
    assert.equal(q("time_truncate('2021-01-01T13:37:42Z', '1h')"), '2021-01-01T13:00:00Z');
    // truncation counts from Go's zero time, so a week boundary falls on a Monday
    assert.equal(q("time_truncate('2024-05-09T10:00:00Z', '168h')"), '2024-05-06T00:00:00Z');
    assert.equal(q("time_to_cron('2023-02-02T15:04:05Z')"), '4 15 2 2 4');
  });

  test('time_now and time_now_utc return RFC 3339', () => {
    assert.match(q('time_now_utc()') as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.match(q('time_now()') as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
  });
});
