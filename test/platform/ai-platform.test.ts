import { App, Testing } from 'cdktf';
import { AiPlatform } from '../../lib';
import { Synth, synthApp } from '../harness/synth';
import { buildPlatformApp } from '../harness/platform-apps';


function synthAll(platform: AiPlatform): { cluster?: Synth; platform: Synth } {
  const stacks = synthApp(platform.node.root as App);
  return { cluster: platform.clusterStack ? stacks[platform.clusterStack.node.id] : undefined, platform: stacks[platform.platformStack.node.id] };
}

describe('AiPlatform stacks', () => {
  test('a cluster stack with only AWS and a platform stack with AWS, kubernetes and helm', () => {
    const p = buildPlatformApp('created-tags');
    const s = synthAll(p);
    expect(Object.keys(s.cluster!.provider!)).toEqual(['aws']);
    expect(Object.keys(s.platform.provider!).sort()).toEqual(['aws', 'helm', 'kubernetes']);
    expect(p.clusterStack!.node.id).toBe('ai-cluster');
    expect(p.platformStack.node.id).toBe('ai-platform');
    expect((s.cluster!.provider!.aws[0] as { default_tags: unknown }).default_tags).toEqual([{ tags: { team: 'ml' } }]);
  });

  test('the kubernetes and helm providers use an exec token, read the cluster from the cluster stack, and hold no secret', () => {
    const p = buildPlatformApp('created-tags');
    const s = synthAll(p);
    const k8s = s.platform.provider!.kubernetes[0] as { host: string; exec: { command: string; args: string[] }[]; token?: string };
    expect(k8s.exec[0].command).toBe('aws');
    expect(k8s.exec[0].args).toEqual(expect.arrayContaining(['eks', 'get-token', '--region', 'us-west-2']));
    expect(k8s.token).toBeUndefined();
    expect(k8s.host).toMatch(/data\.terraform_remote_state\.cross-stack-reference-input-ai--ai-cluster\.outputs/);
    const helm = s.platform.provider!.helm[0] as { kubernetes: { exec: { command: string } } };
    expect(helm.kubernetes.exec.command).toBe('aws');
  });

  test('bring your own cluster: no cluster stack, plain values', () => {
    const p = buildPlatformApp('byo-empty');
    expect(p.clusterStack).toBeUndefined();
    const s = synthAll(p);
    expect((s.platform.provider!.kubernetes[0] as { host: string }).host).toBe('https://ABC.gr7.us-west-2.eks.amazonaws.com');
    expect(s.platform.data?.terraform_remote_state).toBeUndefined();
  });

  test('S3 backend with locking; local backend without absolute paths', () => {
    const p = buildPlatformApp('created-s3');
    const s = synthAll(p);
    expect((s.cluster!.terraform as { backend: unknown }).backend).toEqual({ s3: { bucket: 'state', key: 'cdktf-ai-platform/ai-cluster.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true } });
    const remote = (s.platform.data!.terraform_remote_state as Record<string, { backend: string; config: Record<string, unknown> }>);
    expect(Object.values(remote)[0]).toMatchObject({ backend: 's3', config: { bucket: 'state', key: 'cdktf-ai-platform/ai-cluster.tfstate' } });
    const local = synthAll(buildPlatformApp('created-tags'));
    expect(JSON.stringify(local)).not.toMatch(/"\/(work|tmp|home|root)\//);
  });

  test('exactly one of cluster and existingCluster; a real region', () => {
    const app = Testing.app({ stackTraces: false });
    expect(() => new AiPlatform(app, 'a', { region: 'us-west-2' })).toThrow(/cluster \("neither cluster nor existingCluster"\) is invalid/);
    expect(() => new AiPlatform(app, 'b', { region: 'uswest', cluster: { clusterName: 'x' } })).toThrow(/region \("uswest"\) is invalid/);
  });

  test('outputs users need, with fixed readable names, in both modes', () => {
    const byo = synthAll(buildPlatformApp('byo-full')).platform;
    const value = (name: string) => byo.output?.[name]?.value;
    expect(value('cluster_name')).toBe('existing');
    expect(value('cluster_region')).toBe('us-west-2');
    expect(value('configure_kubectl_command')).toBe('aws eks update-kubeconfig --region us-west-2 --name existing');
    expect(value('serving_chat_base_url')).toBe('http://chat-router-service.chat.svc.cluster.local/v1');
    expect(value('serving_chat_namespace')).toBe('chat');
    expect(value('serving_chat_model_names')).toEqual(['qwen-7b', 'Qwen/Qwen2.5-7B-Instruct']);
    expect(value('serving_chat_api_key_secret_name')).toBe('chat-api-key');
    expect(value('serving_chat_external_url')).toBe('https://llm.internal.example.com/v1');
    expect(value('registry_tracking_uri')).toBe('http://mlflow.mlflow.svc.cluster.local');
    // The ALB's DNS name, read from the chart's Ingress ("<release>-ingress-router") after the release.
    const hostname = value('serving_chat_alb_hostname') as string;
    const [, dataId] = /^\$\{try\(data\.kubernetes_ingress_v1\.([^.]+)\.status\[0\]\.load_balancer\[0\]\.ingress\[0\]\.hostname, ""\)\}$/.exec(hostname) ?? [];
    const ingress = (byo.data!.kubernetes_ingress_v1 as Record<string, { metadata: { name: string; namespace: string }; depends_on: string[] }>)[dataId];
    expect(ingress.metadata).toEqual({ name: 'chat-ingress-router', namespace: 'chat' });
    expect(ingress.depends_on).toEqual([expect.stringMatching(/^helm_release\.chat_chart_release_/)]);
    // Created cluster: the same names, in the platform stack and (cluster access) in the cluster stack.
    const created = synthAll(buildPlatformApp('created-tags'));
    expect(created.cluster!.output!.configure_kubectl_command.value).toBe('aws eks update-kubeconfig --region us-west-2 --name demo');
    expect(created.platform.output!.configure_kubectl_command.value).toBe('aws eks update-kubeconfig --region us-west-2 --name demo');
    // No output of ours carries a hash suffix, and none holds a secret value.
    const ours = Object.keys(byo.output!).filter((n) => !n.startsWith('registry_') && !n.startsWith('cross-stack-output-'));
    for (const n of ours) expect(n).toMatch(/^[a-z][a-z0-9_-]*[a-z0-9]$/);
    for (const n of ours) expect(n).not.toMatch(/_[0-9A-F]{8}$/);
  });

  test('the evaluation of a one-model serving stack needs no model (the default applies)', () => {
    const p = buildPlatformApp('byo-full');
    expect(p.evaluations.eval.model).toBe('qwen-7b');
  });
});

describe('AiPlatform notes', () => {
  it('reach the manifest cdktf synth prints from: annotations of the platform stack, not of the AiPlatform construct', () => {
    const platform = buildPlatformApp('byo-full');
    const app = platform.node.root as App;
    app.synth();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const manifest = JSON.parse(require('fs').readFileSync(require('path').join(app.outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { annotations: { constructPath: string; level: string; message: string }[] }> };
    const notes = manifest.stacks['ai-platform'].annotations.filter((a) => a.message.startsWith('namespaces created by the platform:'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ constructPath: 'ai/ai-platform', level: '@cdktf/info' });
    expect(notes[0].message).toContain('ml-jobs');
  });
});
