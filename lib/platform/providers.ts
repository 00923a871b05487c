import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { awsDefaultTags, TagMap } from '../core/tags';

/** What the kubernetes and helm providers need to reach a cluster. */
export interface ClusterConnection {
  /** Cluster name (for `aws eks get-token`). */
  readonly clusterName: string;
  /** API server endpoint. */
  readonly endpoint: string;
  /** Base64 CA data. */
  readonly certificateAuthorityData: string;
  /** Region of the cluster. */
  readonly region: string;
}

/** Configures the AWS provider of a stack with the platform's default tags. */
export function addAwsProvider(scope: Construct, region: string, tags?: TagMap): AwsProvider {
  return new AwsProvider(scope, 'aws', { region, defaultTags: awsDefaultTags(tags) });
}

/**
 * Configures the kubernetes and helm providers for a cluster. Authentication is an exec plugin
 * (`aws eks get-token`) run at plan/apply time: no token is stored in state or in the JSON.
 */
export function addClusterProviders(scope: Construct, cluster: ClusterConnection): { kubernetes: KubernetesProvider; helm: HelmProvider } {
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'aws',
    args: ['eks', 'get-token', '--cluster-name', cluster.clusterName, '--region', cluster.region, '--output', 'json'],
  };
  const ca = Fn.base64decode(cluster.certificateAuthorityData);
  const kubernetes = new KubernetesProvider(scope, 'kubernetes', { host: cluster.endpoint, clusterCaCertificate: ca, exec: [exec] });
  const helm = new HelmProvider(scope, 'helm', { kubernetes: { host: cluster.endpoint, clusterCaCertificate: ca, exec } });
  return { kubernetes, helm };
}
