import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { qosClass } from '../../src/core/k8s/qos.js';
import { buildRecommendations, clusterScore, DEFAULT_PRICES } from '../../src/rightsize/analysis.js';
import type { ContainerHistory, Report, StrategyResult } from '../../src/rightsize/model.js';
import { renderCsv } from '../../src/rightsize/output/csv.js';
import { helmValues, kustomizePatches, vpaObjects, writeGitOps } from '../../src/rightsize/output/gitops.js';
import { renderJson } from '../../src/rightsize/output/json.js';
import { renderTable } from '../../src/rightsize/output/table.js';
import { renderYaml } from '../../src/rightsize/output/yaml.js';
import { tempDir } from '../helpers/index.js';

const MIB = 2 ** 20;

function history(
  ns: string,
  kind: string,
  name: string,
  container: string,
  current: ContainerHistory['current'],
  role: ContainerHistory['role'] = 'app',
): ContainerHistory {
  return {
    workload: { namespace: ns, kind, name },
    container,
    role,
    current,
    pods: [
      {
        pod: `${name}-a`,
        cpu: 0.2,
        cpuCount: 500,
        memory: 300 * MIB,
        memoryCount: 500,
        cpuAvg: 0.1,
        memoryAvg: 200 * MIB,
        running: true,
      },
      {
        pod: `${name}-b`,
        cpu: 0.1,
        cpuCount: 500,
        memory: 250 * MIB,
        memoryCount: 500,
        cpuAvg: 0.1,
        memoryAvg: 200 * MIB,
        running: true,
      },
    ],
    hpa: { cpu: false, memory: false },
    oomKilled: false,
  };
}

const rec = (cpu: number, mem: number): StrategyResult => ({
  cpu: { request: cpu, limit: null },
  memory: { request: mem, limit: mem },
});

/** A report built from known inputs: a Guaranteed Deployment with an init container, a CronJob, a bare Pod. */
function sampleReport(): Report {
  const hs = [
    history('shop', 'Deployment', 'web', 'app', {
      requests: { cpu: 1, memory: 1024 * MIB },
      limits: { cpu: 1, memory: 1024 * MIB },
    }),
    history(
      'shop',
      'Deployment',
      'web',
      'setup, "quoted"',
      {
        requests: { cpu: 0.5, memory: 128 * MIB },
        limits: { cpu: 0.5, memory: 128 * MIB },
      },
      'init',
    ),
    history('batch', 'CronJob', 'nightly', 'job', {
      requests: { cpu: null, memory: null },
      limits: { cpu: null, memory: null },
    }),
    history('default', 'Pod', 'debug', 'shell', {
      requests: { cpu: 0.1, memory: 64 * MIB },
      limits: { cpu: null, memory: null },
    }),
  ];
  const results: StrategyResult[] = [
    rec(0.2, 345 * MIB),
    {
      cpu: { request: undefined, limit: undefined, reason: 'Not enough data' },
      memory: { request: undefined, limit: undefined, reason: 'Not enough data' },
    },
    rec(0.05, 100 * MIB),
    rec(0.3, 100 * MIB),
  ];
  const { recommendations, workloads } = buildRecommendations(hs, results, DEFAULT_PRICES, true);
  return {
    generatedAt: '2026-01-01T00:00:00.000Z',
    at: 1_767_225_600,
    strategy: { name: 'simple', settings: { cpuPercentile: 95 } },
    prometheus: 'http://127.0.0.1:9090',
    score: clusterScore(recommendations.map((r) => r.severity.overall)),
    totals: { monthlySavings: 1, cpuCoresDelta: 0, memoryBytesDelta: 0 },
    recommendations,
    workloads,
    warnings: [],
    timing: { totalMs: 0, prometheusMs: 0, queries: 0 },
  };
}

describe('rightsize analysis', () => {
  test('severity, QoS, efficiency and savings follow krr and OpenCost', () => {
    const r = sampleReport();
    const web = r.recommendations[0]!;
    assert.deepEqual(web.severity, { cpu: 'CRITICAL', memory: 'CRITICAL', overall: 'CRITICAL' });
    assert.deepEqual(web.qos, { current: 'Guaranteed', recommended: 'Burstable' });
    assert.ok(web.warnings.some((w) => w.includes('out of Guaranteed')));
    assert.equal(web.efficiency.current.cpu, 0.1, 'average 0.1 core of a 1-core request');
    assert.equal(web.efficiency.recommended.cpu, 0.5);
    // (1 − 0.2) cores × $0.031611 × 730 h × 2 replicas
    assert.equal(web.savings.cpu, Math.round(0.8 * 0.031611 * 730 * 2 * 100) / 100);
    const job = r.recommendations[2]!;
    assert.equal(job.severity.cpu, 'WARNING', 'krr: a request where there was none is a WARNING');
    assert.ok(job.savings.total < 0, 'adding requests costs money');
    assert.equal(r.recommendations[1]!.severity.overall, 'UNKNOWN');
    assert.equal(r.workloads[0]!.effectiveRequests.current.cpu, 1, 'max(init 0.5, app 1)');
    assert.deepEqual(clusterScore(['CRITICAL', 'WARNING', 'GOOD', 'OK']), { value: 57, letter: 'C' });
    assert.deepEqual(clusterScore([]), { value: 0, letter: 'F' });
    assert.equal(
      qosClass([{ requests: { cpu: null, memory: null }, limits: { cpu: null, memory: null } }]),
      'BestEffort',
    );
    assert.equal(
      qosClass([{ requests: { cpu: null, memory: null }, limits: { cpu: 1, memory: 5 } }]),
      'Guaranteed',
    );
  });
});

describe('rightsize outputs', () => {
  test('json follows the documented schema: cores and bytes, null = unset, reason when undefined', () => {
    const doc = JSON.parse(renderJson(sampleReport()));
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.at, '2026-01-01T00:00:00.000Z');
    const [web, init] = doc.recommendations;
    assert.deepEqual(web.workload, { kind: 'Deployment', name: 'web' });
    assert.deepEqual(web.recommended, {
      requests: { cpu: 0.2, memory: 345 * MIB },
      limits: { cpu: null, memory: 345 * MIB },
    });
    assert.equal(web.reason, undefined);
    assert.deepEqual(init.reason, { cpu: 'Not enough data', memory: 'Not enough data' });
    assert.equal(init.containerType, 'init');
    for (const key of [
      'usage',
      'qos',
      'efficiency',
      'savings',
      'severity',
      'current',
      'namespace',
      'container',
    ]) {
      assert.ok(key in web, key);
    }
  });

  test('yaml is the json document; csv quotes fields; table shows changes and the score', () => {
    const report = sampleReport();
    assert.deepEqual(parse(renderYaml(report)), JSON.parse(renderJson(report)));
    const csv = renderCsv(report).trimEnd().split('\r\n');
    assert.equal(csv.length, 5);
    assert.match(csv[2]!, /"setup, ""quoted"""/);
    assert.equal(csv[0]!.split(',').length, 27);
    const table = renderTable(report);
    assert.match(table, /1 → 200m/);
    assert.match(table, /1Gi → 345Mi/);
    assert.match(table, /\? \(Not enough data\)/);
    assert.match(table, new RegExp(`Score: ${report.score.value} \\(${report.score.letter}\\)`));
    assert.match(table, /Warnings:/);
  });

  test('kustomize patches: strategic merge per workload, null removes a CPU limit, init containers apart', () => {
    const { files, skipped } = kustomizePatches(sampleReport());
    assert.deepEqual([...files.keys()].sort(), [
      'batch--cronjob--nightly.yaml',
      'shop--deployment--web.yaml',
    ]);
    assert.deepEqual(skipped, ['default/Pod/debug: no pod template to patch']);
    const web = parse(files.get('shop--deployment--web.yaml')!);
    assert.equal(web.apiVersion, 'apps/v1');
    assert.deepEqual(web.metadata, { name: 'web', namespace: 'shop' });
    assert.deepEqual(web.spec.template.spec.containers, [
      {
        name: 'app',
        resources: { requests: { cpu: '200m', memory: '345Mi' }, limits: { cpu: null, memory: '345Mi' } },
      },
    ]);
    assert.equal(
      web.spec.template.spec.initContainers,
      undefined,
      'no change for an undefined recommendation',
    );
    const cron = parse(files.get('batch--cronjob--nightly.yaml')!);
    assert.equal(cron.apiVersion, 'batch/v1');
    assert.deepEqual(cron.spec.jobTemplate.spec.template.spec.containers[0].resources, {
      requests: { cpu: '50m', memory: '100Mi' },
      limits: { memory: '100Mi' },
    });
  });

  test('patch dir: kustomization.yaml lists patches and VPA objects; helm values per workload', async () => {
    const dir = await tempDir();
    try {
      const out = writeGitOps(sampleReport(), join(dir.path, 'rightsize'), {
        helm: false,
        vpa: true,
        vpaUpdateMode: 'Off',
      });
      assert.ok(out.files.includes('kustomization.yaml'));
      const k = parse(readFileSync(join(dir.path, 'rightsize', 'kustomization.yaml'), 'utf8'));
      assert.equal(k.kind, 'Kustomization');
      assert.deepEqual(k.patches, [
        { path: 'shop--deployment--web.yaml' },
        { path: 'batch--cronjob--nightly.yaml' },
      ]);
      assert.deepEqual(k.resources, ['shop--deployment--web.vpa.yaml', 'batch--cronjob--nightly.vpa.yaml']);
      const helm = helmValues(sampleReport()).files;
      const webValues = parse(helm.get('shop--deployment--web.values.yaml')!);
      assert.deepEqual(webValues.app.resources.requests, { cpu: '200m', memory: '345Mi' });
      assert.deepEqual(parse(helm.get('default--pod--debug.values.yaml')!).resources.requests, {
        cpu: '300m',
        memory: '100Mi',
      });
    } finally {
      await dir.cleanup();
    }
  });

  test('VPA objects: updateMode Off, min/maxAllowed around the recommendation, not for bare pods', () => {
    const { files, skipped } = vpaObjects(sampleReport(), 'Off');
    assert.deepEqual(skipped, ['default/Pod/debug: VPA cannot target a Pod']);
    assert.match(
      files.get('shop--deployment--web.vpa.yaml')!,
      /updateMode: "Off"/,
      'quoted: Off is false in YAML 1.1',
    );
    const docs = parseAllDocuments(files.get('shop--deployment--web.vpa.yaml')!).map((d) => d.toJS());
    const vpa = docs[0];
    assert.equal(vpa.apiVersion, 'autoscaling.k8s.io/v1');
    assert.equal(vpa.kind, 'VerticalPodAutoscaler');
    assert.deepEqual(vpa.spec.targetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    assert.equal(vpa.spec.updatePolicy.updateMode, 'Off');
    const [policy] = vpa.spec.resourcePolicy.containerPolicies;
    assert.equal(policy.containerName, 'app');
    assert.deepEqual(policy.minAllowed, { cpu: '160m', memory: '276Mi' });
    assert.deepEqual(policy.maxAllowed, { cpu: '400m', memory: '690Mi' });
    assert.equal(vpa.spec.resourcePolicy.containerPolicies.length, 1, 'init containers are not VPA-managed');
  });
});
