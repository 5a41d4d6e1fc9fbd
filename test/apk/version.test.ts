import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareVersions, isValidVersion, versionRelation } from '../../src/apk/version.js';

// Ordered pairs: apk-tools' documented cases (shared/apk-format.md §5) and the brief's examples.
const PAIRS: [string, '<' | '>' | '=', string][] = [
  ['1.2.3_rc1-r0', '<', '1.2.3-r0'],
  ['1.2.3-r0', '<', '1.2.3-r1'],
  ['1.2.3-r1', '<', '1.2.3a-r0'],
  ['1.2.3_rc1-r0', '<', '1.2.3-r1'],
  ['1.1', '>', '1.1_alpha1'],
  ['1.3_pre1-r1', '<', '1.3.2'],
  ['0.1.0_alpha_pre2', '<', '0.1.0_alpha'],
  ['6.0_pre1', '<', '6.0'],
  ['6.0_p1', '>', '6.0'],
  ['1.8.5', '<', '1.8.5_p2'],
  ['0.10.0', '<', '0.10.1_rc1'],
  ['1.0_p10-r0', '>', '1.0_p9-r0'],
  ['4.5_p1-r1', '>', '4.5_p1'],
  ['1.2.2-r1', '>', '1.2.2'],
  ['1.3.5-r10', '>', '1.3.5-r9'],
  ['0.7.18-r2', '<', '0.17-r6'],
  ['1.2.11', '<', '1.2.12.1'],
  ['0.9.28-r2', '<', '0.9.28.1'],
  ['1.3-r0', '<', '1.3.1-r0'],
  ['2.5.1-r8', '<', '2.5.1a-r1'],
  ['1.7', '<', '1.7b'],
  ['1.0', '<', '1.0bc'],
  ['1.06-r6', '<', '006'],
  ['0.9.28.1', '<', '087-r1'],
  ['20060720', '>', '3.0.20060720'],
  ['1.0.0_pre20191002222144-r0', '<', '1.0.0_pre20210530193627-r0'],
  ['1.07', '<', '1.1'],
  ['1.007', '<', '1.07'],
  ['2', '<', '10'],
  ['1.2', '<', '1.2.1'],
  ['1.0', '<', '1.0.0'],
  ['1.2.3', '<', '1.2.3.0'],
  ['1.2.3', '<', '1.2.3-r0'],
  ['1.0_alpha', '<', '1.0_beta'],
  ['1.0_beta', '<', '1.0_pre'],
  ['1.0_pre', '<', '1.0_rc'],
  ['1.0_rc', '<', '1.0'],
  ['1.0', '<', '1.0_cvs'],
  ['1.0_cvs', '<', '1.0_svn'],
  ['1.0_svn', '<', '1.0_git'],
  ['1.0_git', '<', '1.0_hg'],
  ['1.0_hg', '<', '1.0_p'],
  ['1.0_rc', '<', '1.0_rc0'],
  ['1.0_rc0', '<', '1.0_rc1'],
  ['1.0_foo', '<', '1.0'],
  ['0.1.0_alpha2', '>', '0.1.0_alpha'],
  ['3.1_p16', '<', '3.1_p17'],
  ['2.12r-r4', '<', '2.12r-r5'],
  ['0.20070118', '<', '0.20070207_rc1'],
  ['1.2.12.04', '<', '1.2.12.05'],
  ['8.2.0', '<', '8.2.001'],
  ['8.2.0015', '<', '8.2.002'],
  ['1.0.0', '=', '1.0.0'],
  ['2.16.1-r3', '=', '2.16.1-r3'],
];

describe('apk version order', () => {
  test(`${PAIRS.length} ordered pairs match apk-tools`, () => {
    assert.ok(PAIRS.length >= 40);
    for (const [a, rel, b] of PAIRS) {
      assert.equal(versionRelation(a, b), rel, `${a} ${rel} ${b}`);
      const flipped = rel === '<' ? '>' : rel === '>' ? '<' : '=';
      assert.equal(versionRelation(b, a), flipped, `${b} ${flipped} ${a}`);
    }
  });

  test('sorting a shuffled list gives the release order', () => {
    const ordered = [
      '1.2.3_alpha-r0',
      '1.2.3_rc1-r0',
      '1.2.3-r0',
      '1.2.3-r1',
      '1.2.3a-r0',
      '1.2.3_p1-r0',
      '1.2.4-r0',
      '1.10-r0',
    ];
    const shuffled = [
      ordered[4],
      ordered[0],
      ordered[7],
      ordered[2],
      ordered[5],
      ordered[1],
      ordered[6],
      ordered[3],
    ];
    // 1.2.3a sorts before 1.2.3_p1 because the letter token ranks below a suffix at the same spot.
    assert.deepEqual([...shuffled].sort(compareVersions), [
      '1.2.3_alpha-r0',
      '1.2.3_rc1-r0',
      '1.2.3-r0',
      '1.2.3-r1',
      '1.2.3_p1-r0',
      '1.2.3a-r0',
      '1.2.4-r0',
      '1.10-r0',
    ]);
  });

  test('validity follows apk version -c', () => {
    for (const v of ['1.0', '1.2.3_rc1-r0', '2.5.1a-r1', '0.1.0_alpha_pre2', '1.0_p10-r0'])
      assert.ok(isValidVersion(v), v);
    for (const v of ['', '1.0bc', '1.0_foo', '1.0-1', '1.0-R1', '1.0_rc1_x', 'v1.0', '1.2a3'])
      assert.ok(!isValidVersion(v), v);
  });
});
