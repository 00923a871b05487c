import { App, Testing } from 'cdktf';
import { AiPlatform, PlatformBackend } from '../../lib';
import { Synth, synthApp } from '../harness/synth';

const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

function synthAll(platform: AiPlatform): { cluster?: Synth; platform: Synth } {
  const stacks = synthApp(platform.node.root as App);
  return { cluster: platform.clusterStack ? stacks[platform.clusterStack.node.id] : undefined, platform: stacks[platform.platformStack.node.id] };
}

describe('AiPlatform stacks', () => {
  test('a cluster stack with only AWS and a platform stack with AWS, kubernetes and helm', () => {
    const app = Testing.app({ stackTraces: false });
    const p = new AiPlatform(app, 'ai', { region: 'us-west-2', cluster: { clusterName: 'demo', availabilityZones: AZS }, tags: { team: 'ml' } });
    const s = synthAll(p);
    expect(Object.keys(s.cluster!.provider!)).toEqual(['aws']);
    expect(Object.keys(s.platform.provider!).sort()).toEqual(['aws', 'helm', 'kubernetes']);
    expect(p.clusterStack!.node.id).toBe('ai-cluster');
    expect(p.platformStack.node.id).toBe('ai-platform');
    expect((s.cluster!.provider!.aws[0] as { default_tags: unknown }).default_tags).toEqual([{ tags: { team: 'ml' } }]);
  });

  test('the kubernetes and helm providers use an exec token, read the cluster from the cluster stack, and hold no secret', () => {
    const app = Testing.app({ stackTraces: false });
    const p = new AiPlatform(app, 'ai', { region: 'us-west-2', cluster: { clusterName: 'demo', availabilityZones: AZS } });
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
    const app = Testing.app({ stackTraces: false });
    const p = new AiPlatform(app, 'ai', {
      region: 'us-west-2',
      existingCluster: {
        clusterName: 'existing', endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com', certificateAuthorityData: 'Q0E=', oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
        oidcIssuerUrl: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC', vpcId: 'vpc-123', privateSubnetIds: ['subnet-1', 'subnet-2'], clusterSecurityGroupId: 'sg-1', region: 'us-west-2',
      },
    });
    expect(p.clusterStack).toBeUndefined();
    const s = synthAll(p);
    expect((s.platform.provider!.kubernetes[0] as { host: string }).host).toBe('https://ABC.gr7.us-west-2.eks.amazonaws.com');
    expect(s.platform.data?.terraform_remote_state).toBeUndefined();
  });

  test('S3 backend with locking; local backend without absolute paths', () => {
    const app = Testing.app({ stackTraces: false });
    const p = new AiPlatform(app, 'ai', { region: 'us-west-2', cluster: { clusterName: 'demo', availabilityZones: AZS }, backend: PlatformBackend.s3({ bucket: 'state', region: 'us-west-2' }) });
    const s = synthAll(p);
    expect((s.cluster!.terraform as { backend: unknown }).backend).toEqual({ s3: { bucket: 'state', key: 'cdktf-ai-platform/ai-cluster.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true } });
    const remote = (s.platform.data!.terraform_remote_state as Record<string, { backend: string; config: Record<string, unknown> }>);
    expect(Object.values(remote)[0]).toMatchObject({ backend: 's3', config: { bucket: 'state', key: 'cdktf-ai-platform/ai-cluster.tfstate' } });
    const app2 = Testing.app({ stackTraces: false });
    const local = synthAll(new AiPlatform(app2, 'ai', { region: 'us-west-2', cluster: { clusterName: 'demo', availabilityZones: AZS } }));
    expect(JSON.stringify(local)).not.toMatch(/"\/(work|tmp|home|root)\//);
  });

  test('exactly one of cluster and existingCluster; a real region', () => {
    const app = Testing.app({ stackTraces: false });
    expect(() => new AiPlatform(app, 'a', { region: 'us-west-2' })).toThrow(/cluster \("neither cluster nor existingCluster"\) is invalid/);
    expect(() => new AiPlatform(app, 'b', { region: 'uswest', cluster: { clusterName: 'x' } })).toThrow(/region \("uswest"\) is invalid/);
  });
});
