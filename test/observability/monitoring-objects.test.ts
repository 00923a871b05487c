import { Duration } from '../../lib/core/units';
import { DCGM_METRICS, FATAL_XID_CODES, gpuAlertRuleGroups, gpuDashboard } from '../../lib/observability/gpu-monitoring';
import {
  grafanaDashboardConfigMap,
  MonitoringObjectError,
  podMonitor,
  prometheusRule,
  RelabelAction,
  ScrapeScheme,
  serviceMonitor,
} from '../../lib/observability/monitoring-objects';
import { expectValidCustomResource as expectValidMonitoringResource } from '../harness/reference';

/* eslint-disable @typescript-eslint/no-explicit-any */

const LABELS = { release: 'kube-prometheus-stack' };

describe('monitoring object builders', () => {
  const sm = serviceMonitor({
    name: 'router',
    namespace: 'serving',
    labels: LABELS,
    selector: { 'app.kubernetes.io/name': 'router' },
    namespaces: ['serving', 'serving-canary'],
    jobLabel: 'app.kubernetes.io/name',
    endpoints: [{
      port: 'metrics',
      path: '/metrics',
      interval: Duration.seconds(15),
      scrapeTimeout: Duration.seconds(10),
      scheme: ScrapeScheme.HTTP,
      honorLabels: true,
      relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }],
      metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'go_.*', action: RelabelAction.DROP }],
    }],
  });
  const pm = podMonitor({ name: 'engines', namespace: 'serving', labels: LABELS, selector: { app: 'vllm' }, endpoints: [{ port: 'http', interval: Duration.seconds(30) }] });
  const rule = prometheusRule({
    name: 'serving-rules',
    namespace: 'serving',
    labels: LABELS,
    groups: [{
      name: 'latency',
      interval: Duration.minutes(1),
      rules: [
        { record: 'job:request_latency_seconds:p99', expr: 'histogram_quantile(0.99, sum by (job, le) (rate(request_latency_seconds_bucket[5m])))' },
        { alert: 'HighLatency', expr: 'job:request_latency_seconds:p99 > 2', forDuration: Duration.minutes(10), labels: { severity: 'warning' }, annotations: { summary: 'p99 of {{ $labels.job }} above 2s' } },
      ],
    }],
  });

  test('ServiceMonitor, PodMonitor and PrometheusRule validate against the reference CRDs (unknown fields rejected)', () => {
    for (const o of [sm, pm, rule]) expectValidMonitoringResource(o);
  });

  test('the CRD oracle rejects a misspelt field (proves the check above)', () => {
    const bad = JSON.parse(JSON.stringify(sm));
    bad.spec.endpoints[0].intervall = '15s';
    expect(() => expectValidMonitoringResource(bad)).toThrow(/intervall/);
    const badRule = JSON.parse(JSON.stringify(rule));
    badRule.spec.groups[0].rules[1].for = '10 minutes';
    expect(() => expectValidMonitoringResource(badRule)).toThrow(/for/);
  });

  test('render what was asked: selectors, namespaces, durations, relabelings', () => {
    expect(sm.spec).toEqual({
      jobLabel: 'app.kubernetes.io/name',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'router' } },
      namespaceSelector: { matchNames: ['serving', 'serving-canary'] },
      endpoints: [{
        port: 'metrics',
        path: '/metrics',
        interval: '15s',
        scrapeTimeout: '10s',
        scheme: 'http',
        honorLabels: true,
        relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }],
        metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'go_.*', action: 'drop' }],
      }],
    });
    expect(pm.spec).toEqual({ selector: { matchLabels: { app: 'vllm' } }, namespaceSelector: { matchNames: ['serving'] }, podMetricsEndpoints: [{ port: 'http', path: '/metrics', interval: '30s' }] });
    expect((rule.spec as any).groups[0]).toMatchObject({ name: 'latency', interval: '1m' });
    expect((rule.spec as any).groups[0].rules[1]).toEqual({ alert: 'HighLatency', expr: 'job:request_latency_seconds:p99 > 2', for: '10m', labels: { severity: 'warning' }, annotations: { summary: 'p99 of {{ $labels.job }} above 2s' } });
    expect(sm.metadata).toEqual({ name: 'router', namespace: 'serving', labels: LABELS });
  });

  test('reject what Kubernetes or Prometheus would reject, naming the field, the value and the rule', () => {
    const ep = [{ port: 'metrics' }];
    const cases: [() => unknown, RegExp][] = [
      [() => serviceMonitor({ name: 'Bad_Name', namespace: 'x', selector: { a: 'b' }, endpoints: ep }), /ServiceMonitor Bad_Name: name \("Bad_Name"\) is invalid: must be a Kubernetes DNS-1123 subdomain/],
      [() => serviceMonitor({ name: 'x', selector: { a: 'b' }, endpoints: ep }), /namespace \(undefined\) is invalid/],
      [() => serviceMonitor({ name: 'x', namespace: 'x', selector: {}, endpoints: ep }), /selector \(\{\}\) is invalid: must list at least one label/],
      [() => serviceMonitor({ name: 'x', namespace: 'x', selector: { a: 'b' }, endpoints: [] }), /endpoints \(\[\]\) is invalid: must list at least one endpoint/],
      [() => podMonitor({ name: 'x', namespace: 'x', selector: { a: 'b' }, endpoints: [{ port: 'Metrics_Port' }] }), /endpoints\[0\]\.port \("Metrics_Port"\) is invalid: must be a port name/],
      [() => podMonitor({ name: 'x', namespace: 'x', selector: { a: 'b' }, endpoints: [{ port: 'm', path: 'metrics' }] }), /endpoints\[0\]\.path \("metrics"\) is invalid: must start with "\/"/],
      [() => podMonitor({ name: 'x', namespace: 'x', selector: { a: 'b' }, endpoints: [{ port: 'm', interval: Duration.seconds(10), scrapeTimeout: Duration.seconds(30) }] }), /scrapeTimeout \("30 seconds"\) is invalid: must not exceed interval \(10 seconds\)/],
      [() => podMonitor({ name: 'x', namespace: 'x', selector: { a: 'b' }, endpoints: [{ port: 'm', relabelings: [{ regex: '(' , targetLabel: 'a' }] }] }), /relabelings\[0\]\.regex \("\("\) is invalid: must be a regular expression/],
      [() => prometheusRule({ name: 'x', namespace: 'x', groups: [] }), /groups \(\[\]\) is invalid: must list at least one group/],
      [() => prometheusRule({ name: 'x', namespace: 'x', groups: [{ name: 'g', rules: [{ expr: 'up' }] }] }), /groups\[0\]\.rules\[0\] \(undefined\) is invalid: must set exactly one of alert and record/],
      [() => prometheusRule({ name: 'x', namespace: 'x', groups: [{ name: 'g', rules: [{ alert: 'A', record: 'b', expr: 'up' }] }] }), /must set exactly one of alert and record/],
      [() => prometheusRule({ name: 'x', namespace: 'x', groups: [{ name: 'g', rules: [{ alert: 'High-Latency', expr: 'up' }] }] }), /alert \("High-Latency"\) is invalid/],
      [() => prometheusRule({ name: 'x', namespace: 'x', groups: [{ name: 'g', rules: [{ record: 'a-b', expr: 'up' }] }] }), /record \("a-b"\) is invalid: must be a metric name/],
      [() => prometheusRule({ name: 'x', namespace: 'x', groups: [{ name: 'g', rules: [{ record: 'a:b', expr: 'up', forDuration: Duration.minutes(1) }] }] }), /forDuration and annotations apply to alerts only/],
      [() => prometheusRule({ name: 'x', namespace: 'x', groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'sum(rate(x[5m])' }] }] }), /expr .* has unbalanced brackets/],
      [() => prometheusRule({ name: 'x', namespace: 'x', groups: [{ name: 'g', rules: [{ alert: 'A', expr: ' ' }] }] }), /expr \(" "\) is invalid: must be a non-empty PromQL expression/],
      [() => prometheusRule({ name: 'x', namespace: 'x', groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up' }] }, { name: 'g', rules: [{ alert: 'B', expr: 'up' }] }] }), /groups\[1\]\.name \("g"\) is invalid: must be unique/],
      [() => grafanaDashboardConfigMap({ name: 'd', namespace: 'x', labels: {}, dashboardJson: '{}' }), /labels \(\{\}\) is invalid: must include the labels Grafana's sidecar selects/],
      [() => grafanaDashboardConfigMap({ name: 'd', namespace: 'x', labels: { a: 'b' }, dashboardJson: '[1]' }), /must be a JSON object/],
    ];
    for (const [fn, re] of cases) {
      expect(fn).toThrow(MonitoringObjectError);
      expect(fn).toThrow(re);
    }
  });

  test('brackets inside string literals do not count', () => {
    expect(() => prometheusRule({ name: 'x', namespace: 'x', groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up{job=~"a(b"} == 0' }] }] })).not.toThrow();
  });

  test('a dashboard ConfigMap holds the JSON under <name>.json with the sidecar labels', () => {
    const cm = grafanaDashboardConfigMap({ name: 'gpus', namespace: 'monitoring', labels: { grafana_dashboard: '1' }, dashboardJson: '{"title":"x"}' });
    expect(cm).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gpus', namespace: 'monitoring', labels: { grafana_dashboard: '1' } }, data: { 'gpus.json': '{"title":"x"}' } });
  });
});

describe('GPU alert rules', () => {
  const groups = gpuAlertRuleGroups();
  const rules = groups.flatMap((g) => g.rules);
  const byName = (n: string) => rules.find((r) => r.alert === n)!;

  test('cover XID errors, high temperature and the DCGM exporter being down or missing', () => {
    expect(rules.map((r) => r.alert)).toEqual(['GpuXidError', 'GpuFatalXidError', 'GpuHighTemperature', 'DcgmExporterDown', 'DcgmExporterMissing']);
    expect(byName('GpuXidError').expr).toContain(DCGM_METRICS.XID_ERRORS);
    for (const code of FATAL_XID_CODES) expect(byName('GpuFatalXidError').expr).toContain(`${DCGM_METRICS.XID_ERRORS}{job=~".*dcgm-exporter.*"} == ${code}`);
    expect(byName('GpuFatalXidError').labels).toEqual({ severity: 'critical' });
    expect(byName('GpuHighTemperature').expr).toBe(`max by (Hostname, gpu) (${DCGM_METRICS.GPU_TEMP}{job=~".*dcgm-exporter.*"}) > 85`);
    expect(byName('GpuHighTemperature').forDuration!.toGoDuration()).toBe('5m');
    expect(byName('DcgmExporterDown').expr).toMatch(/^up\{job=~".*dcgm-exporter.*"\} == 0$/);
    // Absent targets make `up == 0` silent: the second rule compares GPU nodes with exporter targets.
    expect(byName('DcgmExporterMissing').expr).toMatch(/kube_node_status_capacity\{resource="nvidia_com_gpu"\}.*unless on \(node\)/);
    for (const r of rules) expect(r.annotations?.summary).toEqual(expect.any(String));
    expect(gpuAlertRuleGroups({ temperatureThresholdCelsius: 90 }).flatMap((g) => g.rules).find((r) => r.alert === 'GpuHighTemperature')!.expr).toMatch(/> 90$/);
  });

  test('render to a PrometheusRule the CRD accepts', () => {
    expectValidMonitoringResource(prometheusRule({ name: 'gpu-alerts', namespace: 'monitoring', labels: LABELS, groups }));
  });
});

describe('GPU dashboard', () => {
  const model = gpuDashboard();
  const panels = (model.panels as any[]).filter((p) => p.type !== 'row');

  test('is JSON that round-trips, with unique panel ids and no overlapping panels', () => {
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    const ids = (model.panels as any[]).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of panels) {
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  test('queries each DCGM metric per node (Hostname) and per pod (namespace, pod), through the datasource variable', () => {
    const exprs: string[] = panels.flatMap((p) => p.targets.map((t: any) => t.expr));
    for (const metric of [DCGM_METRICS.GPU_UTIL, DCGM_METRICS.FB_USED, DCGM_METRICS.FB_FREE, DCGM_METRICS.POWER_USAGE, DCGM_METRICS.GPU_TEMP]) {
      expect([metric, exprs.filter((e) => e.includes(metric) && e.includes('by (Hostname')).length > 0]).toEqual([metric, true]);
      expect([metric, exprs.filter((e) => e.includes(metric) && e.includes('by (namespace, pod)')).length > 0]).toEqual([metric, true]);
    }
    for (const p of panels) expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    const vars = (model.templating as any).list.map((v: any) => v.name);
    expect(vars).toEqual(['datasource', 'Hostname']);
    // Per-pod panels leave out GPUs no workload uses (they carry the exporter's own pod name).
    for (const e of exprs.filter((x) => x.includes('by (namespace, pod)'))) expect(e).toContain('pod!~"nvidia-dcgm-exporter.*"');
  });
});
