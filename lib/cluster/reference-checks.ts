import { IConstruct } from 'constructs';
import { Annotations, Token } from 'cdktf';
import { ValidationError } from '../core/errors';
import { partitionOfRegion, validateRegion } from '../core/regions';
import { ClusterReference } from './cluster-reference';

// Bring-your-own-cluster inputs get the checks a created cluster gets by construction: every value
// has the shape AWS gives it, names are not ARNs (and ARNs not names), and everything is in one
// region and one account. Values that are Terraform references (outputs of another stack, data
// sources) are known only at apply time and pass; docs/operations.md#bring-your-own-cluster says so.

const EC2_ID = (prefix: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
const EKS_HOST = /^[0-9A-Fa-f]{32}\.[a-z0-9]+\.([a-z0-9-]+)\.eks\.amazonaws\.com(\.cn)?$/;
const OIDC_ISSUER = /^https:\/\/oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/id\/([0-9A-Fa-f]+)$/;
const OIDC_PROVIDER_ARN = /^arn:([a-z-]+):iam::(\d{12}):oidc-provider\/(oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/id\/([0-9A-Fa-f]+))$/;
const IAM_ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const literal = (v: unknown): v is string => typeof v === 'string' && !Token.isUnresolved(v);

/**
 * Checks a {@link ClusterReference} against itself and the platform's region.
 * @param scope the construct that received it
 * @param prefix the prop holding it (e.g. `existingCluster`)
 * @param ref the reference
 * @param platformRegion the region of the platform's providers
 */
export function checkClusterReference(scope: IConstruct, prefix: string, ref: ClusterReference, platformRegion: string): void {
  const P = (k: string) => `${prefix}.${k}`;
  if (ref === null || typeof ref !== 'object') throw new ValidationError(scope, prefix, ref, 'must describe the cluster (clusterName, endpoint, certificateAuthorityData, oidcProviderArn, oidcIssuerUrl, vpcId, privateSubnetIds, clusterSecurityGroupId, region)');
  for (const k of ['clusterName', 'endpoint', 'certificateAuthorityData', 'oidcProviderArn', 'oidcIssuerUrl', 'vpcId', 'clusterSecurityGroupId', 'region'] as const) {
    if (typeof ref[k] !== 'string' || ref[k].length === 0) throw new ValidationError(scope, P(k), ref[k], 'is required: a non-empty string (see `aws eks describe-cluster`)');
  }
  if (literal(ref.clusterName) && ref.clusterName.startsWith('arn:')) {
    const name = /:cluster\/(.+)$/.exec(ref.clusterName)?.[1];
    throw new ValidationError(scope, P('clusterName'), ref.clusterName, `must be the cluster name, not its ARN${name ? ` (here "${name}")` : ''}`);
  }

  // Region: the providers of the platform stack talk to the platform's region.
  if (literal(ref.region)) {
    validateRegion(scope, P('region'), ref.region);
    if (literal(platformRegion) && ref.region !== platformRegion) {
      throw new ValidationError(scope, P('region'), ref.region, `must be the platform's region ${platformRegion}: the platform stack's providers, IRSA roles and buckets are created there (set region: "${ref.region}" on the platform, or use a cluster of ${platformRegion})`);
    }
  }
  const region = literal(ref.region) ? ref.region : platformRegion;

  // Endpoint: the API server URL EKS gives (`https://<id>.<cell>.<region>.eks.amazonaws.com`).
  if (literal(ref.endpoint)) {
    const m = /^https:\/\/([^/:]+)(:\d+)?\/?$/.exec(ref.endpoint);
    if (!m) throw new ValidationError(scope, P('endpoint'), ref.endpoint, 'must be the API server URL "https://<host>" without a path (aws eks describe-cluster --query cluster.endpoint)');
    const eks = EKS_HOST.exec(m[1]);
    if (eks && literal(region) && eks[1] !== region) {
      throw new ValidationError(scope, P('endpoint'), ref.endpoint, `is the endpoint of a cluster in ${eks[1]}, not in ${region} (the platform's region): give the endpoint of the cluster named by clusterName`);
    }
    if (!eks) Annotations.of(scope).addWarning(`${P('endpoint')} (${ref.endpoint}) is not an EKS endpoint host (<id>.<cell>.<region>.eks.amazonaws.com); a proxy in front of the API server must present the cluster's certificate`);
  }

  // OIDC issuer and provider ARN: the same issuer, in the cluster's region.
  let issuerHostPath: string | undefined;
  if (literal(ref.oidcIssuerUrl)) {
    const m = OIDC_ISSUER.exec(ref.oidcIssuerUrl);
    if (!m) {
      const hint = ref.oidcIssuerUrl.startsWith('arn:') ? ' (this is the provider ARN; give the issuer URL)' : ref.oidcIssuerUrl.startsWith('oidc.') ? ' (add the "https://" scheme)' : '';
      throw new ValidationError(scope, P('oidcIssuerUrl'), ref.oidcIssuerUrl, `must be the cluster's OIDC issuer "https://oidc.eks.<region>.amazonaws.com/id/<ID>"${hint} (aws eks describe-cluster --query cluster.identity.oidc.issuer)`);
    }
    if (literal(region) && m[1] !== region) throw new ValidationError(scope, P('oidcIssuerUrl'), ref.oidcIssuerUrl, `is an issuer of region ${m[1]}, not of ${region}: give the issuer of the cluster named by clusterName`);
    issuerHostPath = ref.oidcIssuerUrl.slice('https://'.length);
  }
  let account: string | undefined;
  if (literal(ref.oidcProviderArn)) {
    const m = OIDC_PROVIDER_ARN.exec(ref.oidcProviderArn);
    if (!m) {
      const hint = ref.oidcProviderArn.startsWith('https://') ? ' (this is the issuer URL; give the ARN of the IAM OIDC provider created for it)' : '';
      throw new ValidationError(scope, P('oidcProviderArn'), ref.oidcProviderArn, `must be an IAM OIDC provider ARN "arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>"${hint}`);
    }
    account = m[2];
    checkPartition(scope, P('oidcProviderArn'), ref.oidcProviderArn, m[1], region);
    if (issuerHostPath !== undefined && m[3] !== issuerHostPath) {
      throw new ValidationError(scope, P('oidcProviderArn'), ref.oidcProviderArn, `must be the provider of oidcIssuerUrl (${ref.oidcIssuerUrl}): it names ${m[3]}, so IRSA roles would trust another cluster's service accounts`);
    }
  }

  // Certificate authority: base64 of a PEM certificate, as describe-cluster returns it.
  if (literal(ref.certificateAuthorityData)) {
    const ca = ref.certificateAuthorityData;
    if (ca.includes('-----BEGIN')) throw new ValidationError(scope, P('certificateAuthorityData'), `${ca.slice(0, 30)}...`, 'must be base64 of the PEM certificate (cluster.certificateAuthority.data), not the PEM itself');
    const pem = /^[A-Za-z0-9+/]+={0,2}$/.test(ca) ? Buffer.from(ca, 'base64').toString('utf8') : '';
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ValidationError(scope, P('certificateAuthorityData'), ca.length > 40 ? `${ca.slice(0, 37)}...` : ca, 'must be the base64 certificate authority data of the cluster (aws eks describe-cluster --query cluster.certificateAuthority.data): it must decode to a PEM "-----BEGIN CERTIFICATE-----"');
    }
  }

  // EC2 ids.
  if (literal(ref.vpcId) && !EC2_ID('vpc').test(ref.vpcId)) throw new ValidationError(scope, P('vpcId'), ref.vpcId, 'must be a VPC id such as "vpc-0abc1234def567890" (not a name or an ARN)');
  if (literal(ref.clusterSecurityGroupId) && !EC2_ID('sg').test(ref.clusterSecurityGroupId)) {
    throw new ValidationError(scope, P('clusterSecurityGroupId'), ref.clusterSecurityGroupId, 'must be a security group id such as "sg-0123456789abcdef0" (cluster.resourcesVpcConfig.clusterSecurityGroupId)');
  }
  if (Array.isArray(ref.privateSubnetIds) && !Token.isUnresolved(ref.privateSubnetIds)) {
    ref.privateSubnetIds.forEach((s, i) => {
      if (literal(s) && !EC2_ID('subnet').test(s)) throw new ValidationError(scope, `${P('privateSubnetIds')}[${i}]`, s, 'must be a subnet id such as "subnet-0aaa1111bbbb2222c"');
    });
    const literals = ref.privateSubnetIds.filter(literal);
    if (new Set(literals).size !== literals.length) throw new ValidationError(scope, P('privateSubnetIds'), ref.privateSubnetIds, 'must not repeat a subnet');
  }

  // Node role: an ARN and a name that agree.
  if (literal(ref.nodeRoleArn)) {
    const m = IAM_ROLE_ARN.exec(ref.nodeRoleArn);
    if (!m) throw new ValidationError(scope, P('nodeRoleArn'), ref.nodeRoleArn, 'must be an IAM role ARN such as "arn:aws:iam::111122223333:role/my-cluster-node" (an instance profile ARN or a role name is not one)');
    checkPartition(scope, P('nodeRoleArn'), ref.nodeRoleArn, m[1], region);
    if (account !== undefined && m[2] !== account) {
      throw new ValidationError(scope, P('nodeRoleArn'), ref.nodeRoleArn, `must be in the cluster's account ${account} (the account of oidcProviderArn), not ${m[2]}`);
    }
    if (literal(ref.nodeRoleName) && ref.nodeRoleName !== m[3]) {
      throw new ValidationError(scope, P('nodeRoleName'), ref.nodeRoleName, `must be the name of nodeRoleArn ("${m[3]}"); give one of the two or both consistently`);
    }
  }
  if (literal(ref.nodeRoleName) && (ref.nodeRoleName.startsWith('arn:') || ref.nodeRoleName.includes('/'))) {
    throw new ValidationError(scope, P('nodeRoleName'), ref.nodeRoleName, 'must be a role name (the part after "role/"), not an ARN or a path; give the ARN as nodeRoleArn');
  }
}

function checkPartition(scope: IConstruct, prop: string, arn: string, partition: string, region: string): void {
  const expected = literal(region) ? partitionOfRegion(region) : undefined;
  if (expected && partition !== expected) throw new ValidationError(scope, prop, arn, `must be in partition "${expected}" of region ${region} (arn:${expected}:...), not "${partition}"`);
}
