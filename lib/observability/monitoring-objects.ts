import { Token } from 'cdktf';
import { describeEnum } from '../core/enums';
import { Duration } from '../core/units';
import { formatValue } from '../core/errors';
import { isDns1123Label, isDns1123Subdomain } from '../core/names';
import { JsonObject, JsonValue, KubernetesObject } from '../k8s/values';

// Typed builders for the Prometheus operator's custom resources (monitoring.coreos.com/v1) and
// Grafana dashboard ConfigMaps. Only fields the library needs are typed; the output is checked
// against the reference CRDs in the tests (unknown fields would be pruned silently by Kubernetes).

/** API version of the Prometheus operator's custom resources. */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

/**
 * Thrown by the builders for a field Kubernetes or Prometheus would reject. Constructs turn it into
 * a `ValidationError` naming their path.
 */
export class MonitoringObjectError extends Error {
  /** The invalid field, dotted (e.g. `endpoints[0].port`). */
  public readonly prop: string;
  /** The value received. */
  public readonly value: unknown;
  /** What a valid value looks like. */
  public readonly expected: string;

  /**
   * @param kind object kind
   * @param name object name
   * @param prop invalid field
   * @param value the value
   * @param expected what is valid
   */
  public constructor(kind: string, name: string, prop: string, value: unknown, expected: string) {
    super(`${kind} ${name}: ${prop} (${formatValue(value)}) is invalid: ${expected}`);
    this.name = 'MonitoringObjectError';
    this.prop = prop;
    this.value = value;
    this.expected = expected;
  }
}

/** Relabeling action (Prometheus `relabel_config.action`). */
export enum RelabelAction {
  /** Write `replacement` (with regex groups) to `targetLabel`. */
  REPLACE = 'replace',
  /** Keep targets/series whose source labels match `regex`. */
  KEEP = 'keep',
  /** Drop targets/series whose source labels match `regex`. */
  DROP = 'drop',
  /** Copy labels whose names match `regex`. */
  LABEL_MAP = 'labelmap',
  /** Remove labels whose names match `regex`. */
  LABEL_DROP = 'labeldrop',
  /** Keep only labels whose names match `regex`. */
  LABEL_KEEP = 'labelkeep',
}

/** One Prometheus relabeling step. */
export interface RelabelConfig {
  /**
   * Labels whose values are concatenated and matched.
   * @default - none
   */
  readonly sourceLabels?: string[];
  /**
   * Separator between concatenated source label values.
   * @default ';' (Prometheus default)
   */
  readonly separator?: string;
  /**
   * Label written by `REPLACE`.
   * @default - none
   */
  readonly targetLabel?: string;
  /**
   * Regular expression (RE2) matched against the concatenated values or label names.
   * @default '(.*)' (Prometheus default)
   */
  readonly regex?: string;
  /**
   * Replacement for `REPLACE`, may use `$1`.
   * @default '$1' (Prometheus default)
   */
  readonly replacement?: string;
  /**
   * The action.
   * @default RelabelAction.REPLACE
   */
  readonly action?: RelabelAction;
}

/** URL scheme of a scrape. */
export enum ScrapeScheme {
  /** Plain HTTP. */
  HTTP = 'http',
  /** HTTPS. */
  HTTPS = 'https',
}

/** Where and how Prometheus scrapes a Service port or a pod port. */
export interface ScrapeEndpoint {
  /** Name of the Service port (ServiceMonitor) or container port (PodMonitor). */
  readonly port: string;
  /**
   * HTTP path of the metrics.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * Scrape interval.
   * @default - Prometheus' global interval (30s in kube-prometheus-stack)
   */
  readonly interval?: Duration;
  /**
   * Scrape timeout; must not exceed `interval`.
   * @default - Prometheus' global timeout (10s)
   */
  readonly scrapeTimeout?: Duration;
  /**
   * URL scheme.
   * @default ScrapeScheme.HTTP
   */
  readonly scheme?: ScrapeScheme;
  /**
   * Keep the target's own labels when they clash with the labels Prometheus attaches (needed for
   * exporters that report for other objects: Pushgateway, DCGM exporter).
   * @default false
   */
  readonly honorLabels?: boolean;
  /**
   * Target relabelings (before the scrape).
   * @default - none
   */
  readonly relabelings?: RelabelConfig[];
  /**
   * Series relabelings (after the scrape; drop expensive series here).
   * @default - none
   */
  readonly metricRelabelings?: RelabelConfig[];
}

/** Props of {@link serviceMonitor}. */
export interface ServiceMonitorProps {
  /** Object name (DNS-1123 subdomain). */
  readonly name: string;
  /**
   * Namespace of the ServiceMonitor. Required by the builder; `Observability.addServiceMonitor()`
   * defaults it to the monitoring namespace.
   * @default - none (required)
   */
  readonly namespace?: string;
  /**
   * Labels of the ServiceMonitor. They must include the backbone's `monitorLabels`
   * (`Observability.addServiceMonitor()` adds them) or Prometheus ignores it.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /** Labels of the Services to scrape (`spec.selector.matchLabels`, non-empty). */
  readonly selector: Record<string, string>;
  /**
   * Namespaces of the Services.
   * @default - the ServiceMonitor's own namespace
   */
  readonly namespaces?: string[];
  /** Ports to scrape (at least one). */
  readonly endpoints: ScrapeEndpoint[];
  /**
   * Service label whose value becomes the `job` label.
   * @default - the Service name
   */
  readonly jobLabel?: string;
}

/** Props of {@link podMonitor}. */
export interface PodMonitorProps {
  /** Object name (DNS-1123 subdomain). */
  readonly name: string;
  /**
   * Namespace of the PodMonitor. Required by the builder; `Observability.addPodMonitor()` defaults
   * it to the monitoring namespace.
   * @default - none (required)
   */
  readonly namespace?: string;
  /**
   * Labels of the PodMonitor (must include the backbone's `monitorLabels`).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /** Labels of the pods to scrape (`spec.selector.matchLabels`, non-empty). */
  readonly selector: Record<string, string>;
  /**
   * Namespaces of the pods.
   * @default - the PodMonitor's own namespace
   */
  readonly namespaces?: string[];
  /** Container ports to scrape (at least one). */
  readonly endpoints: ScrapeEndpoint[];
  /**
   * Pod label whose value becomes the `job` label.
   * @default - `<namespace>/<podmonitor name>`
   */
  readonly jobLabel?: string;
}

/** One alerting or recording rule. Set exactly one of `alert` and `record`. */
export interface PrometheusRuleEntry {
  /**
   * Alert name (`[a-zA-Z_][a-zA-Z0-9_]*`).
   * @default - a recording rule
   */
  readonly alert?: string;
  /**
   * Name of the recorded series (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
   * @default - an alerting rule
   */
  readonly record?: string;
  /** PromQL expression. */
  readonly expr: string;
  /**
   * How long the condition must hold before the alert fires (the rule's `for`; alerts only).
   * Named so because `for` is a reserved word in the languages jsii targets.
   * @default - fires at the first evaluation
   */
  readonly forDuration?: Duration;
  /**
   * Labels added to the alert or series (e.g. `severity`).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Alert annotations (`summary`, `description`, `runbook_url`); may use `{{ $labels.x }}`.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** A group of rules evaluated together. */
export interface PrometheusRuleGroup {
  /** Group name (unique in the PrometheusRule). */
  readonly name: string;
  /**
   * Evaluation interval.
   * @default - Prometheus' global evaluation interval
   */
  readonly interval?: Duration;
  /** The rules (at least one). */
  readonly rules: PrometheusRuleEntry[];
}

/** Props of {@link prometheusRule}. */
export interface PrometheusRuleProps {
  /** Object name (DNS-1123 subdomain). */
  readonly name: string;
  /**
   * Namespace. Required by the builder; `Observability.addPrometheusRule()` defaults it to the
   * monitoring namespace.
   * @default - none (required)
   */
  readonly namespace?: string;
  /**
   * Labels (must include the backbone's `ruleLabels` or Prometheus does not load the rules).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /** Rule groups (at least one). */
  readonly groups: PrometheusRuleGroup[];
}

/** Props of {@link grafanaDashboardConfigMap}. */
export interface GrafanaDashboardProps {
  /** ConfigMap name (DNS-1123 subdomain); the dashboard file is `<name>.json`. */
  readonly name: string;
  /** Namespace of the ConfigMap (Grafana's sidecar searches every namespace). */
  readonly namespace: string;
  /** Labels the Grafana sidecar selects (the backbone's `dashboardLabels`). */
  readonly labels: Record<string, string>;
  /** The dashboard JSON model, as text. */
  readonly dashboardJson: string;
}

const ALERT_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

class Checker {
  public constructor(private readonly kind: string, private readonly name: string) {}

  public that(ok: boolean, prop: string, value: unknown, expected: string): void {
    if (!ok) throw new MonitoringObjectError(this.kind, this.name, prop, value, expected);
  }

  public objectName(): void {
    this.that(typeof this.name === 'string' && (Token.isUnresolved(this.name) || isDns1123Subdomain(this.name)), 'name', this.name, 'must be a Kubernetes DNS-1123 subdomain (lowercase letters, digits, "-" and ".")');
  }

  public namespace(ns: string | undefined): string {
    this.that(typeof ns === 'string' && (Token.isUnresolved(ns) || isDns1123Label(ns)), 'namespace', ns, 'must be a Kubernetes namespace name (DNS-1123 label)');
    return ns as string;
  }

  public selector(sel: Record<string, string> | undefined): void {
    this.that(typeof sel === 'object' && sel !== null && Object.keys(sel).length > 0, 'selector', sel, 'must list at least one label: an empty selector matches every object in the namespaces');
  }

  public endpoints(eps: ScrapeEndpoint[] | undefined, field: string): void {
    this.that(Array.isArray(eps) && eps.length > 0, field, eps, 'must list at least one endpoint');
    (eps ?? []).forEach((e, i) => {
      this.that(typeof e.port === 'string' && e.port.length > 0 && e.port.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(e.port), `${field}[${i}].port`, e.port, 'must be a port name (IANA_SVC_NAME: up to 15 lowercase letters, digits and "-")');
      this.that(e.path === undefined || e.path.startsWith('/'), `${field}[${i}].path`, e.path, 'must start with "/"');
      this.that(e.scheme === undefined || (Object.values(ScrapeScheme) as string[]).includes(e.scheme), `${field}[${i}].scheme`, e.scheme, `must be one of ${describeEnum(ScrapeScheme, 'ScrapeScheme')}`);
      if (e.interval && e.scrapeTimeout) {
        this.that(e.scrapeTimeout.toSeconds() <= e.interval.toSeconds(), `${field}[${i}].scrapeTimeout`, e.scrapeTimeout, `must not exceed interval (${e.interval})`);
      }
      this.that(e.interval === undefined || e.interval.toSeconds() > 0, `${field}[${i}].interval`, e.interval, `must be at least ${Duration.seconds(1)}`);
      [...(e.relabelings ?? []), ...(e.metricRelabelings ?? [])].forEach((r, j) => this.relabel(r, `${field}[${i}].relabelings[${j}]`));
    });
  }

  private relabel(r: RelabelConfig, prop: string): void {
    const action = r.action ?? RelabelAction.REPLACE;
    this.that((Object.values(RelabelAction) as string[]).includes(action), `${prop}.action`, action, `must be one of ${describeEnum(RelabelAction, 'RelabelAction')}`);
    if (action === RelabelAction.REPLACE) {
      this.that(typeof r.targetLabel === 'string' && r.targetLabel.length > 0, `${prop}.targetLabel`, r.targetLabel, 'is required for a replace action');
    }
    if (r.targetLabel !== undefined) {
      this.that(LABEL_NAME.test(r.targetLabel) || /\$\{?\d/.test(r.targetLabel), `${prop}.targetLabel`, r.targetLabel, 'must be a Prometheus label name');
    }
    if (r.regex !== undefined) {
      let ok = true;
      try {
        new RegExp(r.regex);
      } catch {
        ok = false;
      }
      this.that(ok, `${prop}.regex`, r.regex, 'must be a regular expression');
    }
  }
}

function duration(d: Duration | undefined): string | undefined {
  return d === undefined ? undefined : d.toGoDuration();
}

function relabelings(rs: RelabelConfig[] | undefined): JsonObject[] | undefined {
  if (!rs || rs.length === 0) return undefined;
  return rs.map((r) => compact({
    sourceLabels: r.sourceLabels,
    separator: r.separator,
    targetLabel: r.targetLabel,
    regex: r.regex,
    replacement: r.replacement,
    action: r.action ?? RelabelAction.REPLACE,
  }));
}

function endpoint(e: ScrapeEndpoint): JsonObject {
  return compact({
    port: e.port,
    path: e.path ?? '/metrics',
    interval: duration(e.interval),
    scrapeTimeout: duration(e.scrapeTimeout),
    scheme: e.scheme,
    honorLabels: e.honorLabels,
    relabelings: relabelings(e.relabelings),
    metricRelabelings: relabelings(e.metricRelabelings),
  });
}

/** Drops `undefined` members (Kubernetes objects carry no nulls). */
function compact(o: { [k: string]: JsonValue | undefined }): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function metadata(name: string, namespace: string, labels: Record<string, string> | undefined): KubernetesObject['metadata'] {
  return labels && Object.keys(labels).length > 0 ? { name, namespace, labels: { ...labels } } : { name, namespace };
}

/** A ServiceMonitor (monitoring.coreos.com/v1): Prometheus scrapes the ports of the selected Services. */
export function serviceMonitor(props: ServiceMonitorProps): KubernetesObject {
  const c = new Checker('ServiceMonitor', props.name);
  c.objectName();
  const namespace = c.namespace(props.namespace);
  c.selector(props.selector);
  c.endpoints(props.endpoints, 'endpoints');
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: 'ServiceMonitor',
    metadata: metadata(props.name, namespace, props.labels),
    spec: compact({
      jobLabel: props.jobLabel,
      selector: { matchLabels: { ...props.selector } },
      namespaceSelector: { matchNames: [...(props.namespaces ?? [namespace])] },
      endpoints: props.endpoints.map(endpoint),
    }),
  };
}

/** A PodMonitor (monitoring.coreos.com/v1): Prometheus scrapes the ports of the selected pods. */
export function podMonitor(props: PodMonitorProps): KubernetesObject {
  const c = new Checker('PodMonitor', props.name);
  c.objectName();
  const namespace = c.namespace(props.namespace);
  c.selector(props.selector);
  c.endpoints(props.endpoints, 'endpoints');
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: 'PodMonitor',
    metadata: metadata(props.name, namespace, props.labels),
    spec: compact({
      jobLabel: props.jobLabel,
      selector: { matchLabels: { ...props.selector } },
      namespaceSelector: { matchNames: [...(props.namespaces ?? [namespace])] },
      podMetricsEndpoints: props.endpoints.map(endpoint),
    }),
  };
}

/** A PrometheusRule (monitoring.coreos.com/v1): alerting and recording rules. */
export function prometheusRule(props: PrometheusRuleProps): KubernetesObject {
  const c = new Checker('PrometheusRule', props.name);
  c.objectName();
  const namespace = c.namespace(props.namespace);
  c.that(Array.isArray(props.groups) && props.groups.length > 0, 'groups', props.groups, 'must list at least one group');
  const groupNames = new Set<string>();
  props.groups.forEach((g, i) => {
    c.that(typeof g.name === 'string' && g.name.trim().length > 0, `groups[${i}].name`, g.name, 'must be a non-empty string');
    c.that(!groupNames.has(g.name), `groups[${i}].name`, g.name, 'must be unique in the PrometheusRule');
    groupNames.add(g.name);
    c.that(Array.isArray(g.rules) && g.rules.length > 0, `groups[${i}].rules`, g.rules, 'must list at least one rule');
    g.rules.forEach((r, j) => {
      const p = `groups[${i}].rules[${j}]`;
      c.that((r.alert === undefined) !== (r.record === undefined), p, r.alert ?? r.record, 'must set exactly one of alert and record');
      if (r.alert !== undefined) c.that(ALERT_NAME.test(r.alert), `${p}.alert`, r.alert, 'must match [a-zA-Z_][a-zA-Z0-9_]*');
      if (r.record !== undefined) {
        c.that(METRIC_NAME.test(r.record), `${p}.record`, r.record, 'must be a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
        c.that(r.forDuration === undefined && r.annotations === undefined, `${p}.forDuration`, r.forDuration, 'forDuration and annotations apply to alerts only');
      }
      c.that(typeof r.expr === 'string' && r.expr.trim().length > 0, `${p}.expr`, r.expr, 'must be a non-empty PromQL expression');
      c.that(balanced(r.expr), `${p}.expr`, r.expr, 'has unbalanced brackets');
      for (const k of Object.keys(r.labels ?? {})) c.that(LABEL_NAME.test(k), `${p}.labels`, k, 'keys must be Prometheus label names');
    });
  });
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: 'PrometheusRule',
    metadata: metadata(props.name, namespace, props.labels),
    spec: {
      groups: props.groups.map((g) => compact({
        name: g.name,
        interval: duration(g.interval),
        rules: g.rules.map((r) => compact({
          alert: r.alert,
          record: r.record,
          expr: r.expr,
          for: duration(r.forDuration),
          labels: r.labels && Object.keys(r.labels).length > 0 ? { ...r.labels } : undefined,
          annotations: r.annotations && Object.keys(r.annotations).length > 0 ? { ...r.annotations } : undefined,
        })),
      })),
    },
  };
}

/** A ConfigMap holding one Grafana dashboard, labelled for Grafana's dashboard sidecar. */
export function grafanaDashboardConfigMap(props: GrafanaDashboardProps): KubernetesObject {
  const c = new Checker('ConfigMap', props.name);
  c.objectName();
  const namespace = c.namespace(props.namespace);
  c.that(Object.keys(props.labels ?? {}).length > 0, 'labels', props.labels, 'must include the labels Grafana\'s sidecar selects (IMetricsBackbone.dashboardLabels)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(props.dashboardJson);
  } catch (e) {
    throw new MonitoringObjectError('ConfigMap', props.name, 'dashboardJson', `${String(props.dashboardJson).slice(0, 40)}…`, `must be JSON (${(e as Error).message})`);
  }
  c.that(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), 'dashboardJson', typeof parsed, 'must be a JSON object (a Grafana dashboard model)');
  // ConfigMaps are limited to 1 MiB; the annotation of kubectl/Helm metadata needs headroom.
  c.that(Buffer.byteLength(props.dashboardJson, 'utf8') < 900 * 1024, 'dashboardJson', `${Buffer.byteLength(props.dashboardJson, 'utf8')} bytes`, 'must be under 900 KiB (ConfigMaps hold at most 1 MiB)');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(props.name, namespace, props.labels),
    data: { [`${props.name}.json`]: props.dashboardJson },
  };
}

/** True when (), [] and {} outside string literals balance. */
function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === '\'' || ch === '`') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0 && quote === undefined;
}
