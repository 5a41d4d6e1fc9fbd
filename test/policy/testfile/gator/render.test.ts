import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderSuites, suitesFailed } from '../../../../src/policy/testfile/gator/render.js';
import type { SuiteOutcome } from '../../../../src/policy/testfile/gator/suite.js';

const outcome = (status: 'pass' | 'fail'): SuiteOutcome => ({
  file: 'suite.yaml',
  seconds: 0.5,
  tests: [
    {
      name: 't',
      status,
      seconds: 0.25,
      cases: [
        { name: 'ok-case', status: 'pass', messages: [], seconds: 0.1 },
        ...(status === 'fail'
          ? [
              {
                name: 'bad-case',
                status: 'fail' as const,
                reason: 'got 0 violations',
                messages: [],
                seconds: 0.1,
              },
            ]
          : []),
      ],
    },
  ],
});

describe('gator output', () => {
  test('quiet: a passing suite is one ok line, then PASS', () => {
    assert.equal(renderSuites([outcome('pass')]), 'ok\tsuite.yaml\t0.500s\nPASS\n');
    assert.equal(suitesFailed([outcome('pass')]), false);
  });

  test('a failing suite lists only its failing cases with the reason, then FAIL', () => {
    const text = renderSuites([outcome('fail')]);
    assert.equal(
      text,
      '    --- FAIL: bad-case\t(0.100s)\n        got 0 violations\n--- FAIL: t\t(0.250s)\nFAIL\tsuite.yaml\t0.500s\nFAIL\n',
    );
    assert.equal(suitesFailed([outcome('fail')]), true);
  });

  test('verbose: === RUN and --- PASS lines for every test and case', () => {
    const text = renderSuites([outcome('pass')], true);
    assert.match(
      text,
      /^=== RUN {3}t\n {4}=== RUN {3}ok-case\n {4}--- PASS: ok-case\t\(0\.100s\)\n--- PASS: t\t\(0\.250s\)\nok\t/,
    );
  });
});
