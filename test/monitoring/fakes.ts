// Small stand-ins for the contracts the drift and eval constructs consume: a metrics backbone
// (IMetricsBackbone), an OpenAI-compatible endpoint (IOpenAiEndpoint, implemented by the serving
// stack) and an imported cluster. Only what the constructs read.
import { execFileSync, spawnSync } from 'child_process';
import * as os from 'os';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { IOpenAiEndpoint } from '../../lib/evaluation/types';
import { JsonObject, KubernetesObject } from '../../lib/k8s/values';
import { ScheduledJob } from '../../lib/monitoring/scheduled-job';
import { IMetricsBackbone } from '../../lib/observability/types';
import { resources, Synth } from '../harness/synth';

export class FakeMetrics extends Construct implements IMetricsBackbone {
  public readonly namespace = 'monitoring';
  public readonly monitorLabels = { release: 'kube-prometheus-stack' };
  public readonly ruleLabels = { release: 'kube-prometheus-stack' };
  public readonly dashboardLabels = { grafana_dashboard: '1' };
  public readonly crdDependencies: ITerraformDependable[];
  public readonly prometheusUrl = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';
  public readonly pushgatewayUrl?: string;
  public readonly operator: Release;

  /** Push grants received (namespace, pod labels). */
  public readonly pushGrants: { namespace: string; podLabels: Record<string, string> }[] = [];

  public allowPushes(namespace: string, podLabels: Record<string, string>): void {
    this.pushGrants.push({ namespace, podLabels: { ...podLabels } });
  }

  public constructor(scope: Construct, id: string, opts: { pushgateway?: boolean } = {}) {
    super(scope, id);
    this.operator = new Release(this, 'operator', { name: 'kube-prometheus-stack', chart: 'kube-prometheus-stack', namespace: 'monitoring' });
    this.crdDependencies = [this.operator];
    this.pushgatewayUrl = opts.pushgateway === false ? undefined : 'http://prometheus-pushgateway.monitoring.svc:9091';
  }
}

export function fakeEndpoint(o: Partial<IOpenAiEndpoint> = {}): IOpenAiEndpoint {
  return {
    baseUrl: 'http://llm-router-service.serving.svc.cluster.local/v1',
    apiKeySecretName: 'llm-api-key',
    apiKeySecretKey: 'api-key',
    namespace: 'serving',
    modelNames: ['meta-llama/Llama-3.1-8B-Instruct', 'qwen2.5-7b'],
    ...o,
  };
}

export { fakeCluster } from '../harness/fakes';

/** The objects of the helm_release named `releaseName`, as Helm receives them (YAML values parsed). */
export function releaseManifests(s: Synth, releaseName: string): KubernetesObject[] {
  const rel = Object.values(resources(s, 'helm_release')).find((r) => r.name === releaseName) as { values: string[] } | undefined;
  if (!rel) throw new Error(`no helm_release ${releaseName}; have ${Object.values(resources(s, 'helm_release')).map((r) => r.name).join(', ')}`);
  return (YAML.parse(rel.values[0]) as { manifests: KubernetesObject[] }).manifests;
}

/** One object of a kind from a list. */
export function only(objs: readonly KubernetesObject[], kind: string): KubernetesObject {
  const hits = objs.filter((o) => o.kind === kind);
  if (hits.length !== 1) throw new Error(`expected one ${kind}, found ${hits.length}`);
  return hits[0];
}

/** Terraform reads `$${` as a literal `${` and `%%{` as `%{`: what the ConfigMap holds once applied. */
export function terraformUnescape(s: string): string {
  return s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/**
 * Builds the job bundles when they are missing (`npx jest` without `npm test`'s pretest). Synchronous:
 * the test files build their stacks at load time, before any beforeAll. The script writes through a
 * temporary file and a rename, so parallel workers never read a half-written bundle.
 */
export function ensureBundles(): void {
  const root = path.join(__dirname, '..', '..');
  const dir = path.join(root, 'assets', 'jobs');
  if (fs.existsSync(path.join(dir, 'drift.js')) && fs.existsSync(path.join(dir, 'eval.js'))) return;
  execFileSync(process.execPath, [path.join(root, 'scripts', 'bundle-jobs.js')], { stdio: 'pipe' });
}

type Statement = { sid?: string; actions: string[]; resources: string[]; condition?: { test: string; variable: string; values: string[] }[] };

/** The statements of the aws_iam_policy_document whose logical id contains `fragment`. */
export function policyStatements(s: Synth, fragment: string): Statement[] {
  const docs = (s.data?.aws_iam_policy_document ?? {}) as Record<string, { statement: Statement[] }>;
  const hit = Object.entries(docs).find(([k]) => k.includes(fragment));
  if (!hit) throw new Error(`no policy document ${fragment}; have ${Object.keys(docs).join(', ')}`);
  return hit[1].statement;
}

/**
 * Runs the job exactly as the pod would: the bundle and config.json written from the rendered ConfigMap
 * (Terraform-unescaped) into a directory, `node <dir>/<job>.js` with `JOB_CONFIG_FILE` and no other env.
 */
export function runRenderedJob(job: ScheduledJob, kind: 'drift' | 'eval'): { status: number | null; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${kind}-rendered-`));
  try {
    const data = job.configMap.data as JsonObject;
    fs.writeFileSync(path.join(dir, 'config.json'), data['config.json'] as string);
    fs.writeFileSync(path.join(dir, `${kind}.js`), terraformUnescape(data[`${kind}.js`] as string));
    const r = spawnSync(process.execPath, [path.join(dir, `${kind}.js`)], { env: { JOB_CONFIG_FILE: path.join(dir, 'config.json'), PATH: process.env.PATH }, encoding: 'utf8', timeout: 60000 });
    return { status: r.status, stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
