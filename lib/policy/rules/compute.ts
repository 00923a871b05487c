// EKS control plane, nodes (launch templates, node groups, Karpenter EC2NodeClasses) and KMS keys.
import { GuardrailRule, GuardrailSeverity } from '../types';
import { fail, onElements, onObjects, Outcome, RuleImpl, undecided } from '../internal/rule';
import { classifySubnets } from '../internal/network';
import { Attrs, block, blocks, bool, isSet, num, obj, objList, show, str, strList, UNKNOWN } from '../internal/values';

const E = GuardrailSeverity.ERROR;
const W = GuardrailSeverity.WARNING;

const EKS_LOGS: GuardrailRule = {
  id: 'CKV_AWS_37',
  title: 'EKS control-plane logs api, audit and authenticator are enabled',
  severity: E,
  fix: 'list api, audit and authenticator in enabled_cluster_log_types (AiCluster controlPlaneLogTypes)',
  area: 'EKS',
  securityRow: 'control-plane logs api, audit, authenticator on',
  appliesTo: ['aws_eks_cluster'],
  note: 'Checkov requires all five log types; the platform baseline (docs/guardrails.md) requires the three that form the audit trail.',
};
const EKS_SECRETS: GuardrailRule = {
  id: 'CKV_AWS_58',
  title: 'EKS secrets are encrypted with a KMS key',
  severity: E,
  fix: 'add encryption_config { resources = ["secrets"], provider.key_arn = <KMS key> }',
  area: 'EKS',
  securityRow: 'secrets encryption with a KMS key',
  appliesTo: ['aws_eks_cluster'],
};
const EKS_PUBLIC_OPEN: GuardrailRule = {
  id: 'CKV_AWS_38',
  title: 'EKS public endpoint is not reachable from 0.0.0.0/0',
  severity: E,
  fix: 'turn the public endpoint off, or list your office/VPN CIDRs in public_access_cidrs (AiCluster publicAccessCidrs)',
  area: 'EKS',
  securityRow: 'public endpoint … limited to listed CIDRs — never 0.0.0.0/0',
  appliesTo: ['aws_eks_cluster'],
  note: 'An enabled public endpoint without public_access_cidrs counts as open: AWS defaults the list to 0.0.0.0/0.',
};
const EKS_PUBLIC: GuardrailRule = {
  id: 'CKV_AWS_39',
  title: 'EKS public endpoint is disabled',
  severity: W,
  fix: 'set endpoint_public_access = false and reach the API over the VPC (VPN, bastion), or suppress with the reason the CIDR-limited public endpoint is needed',
  area: 'EKS',
  securityRow: 'private endpoint on, public endpoint off by default',
  appliesTo: ['aws_eks_cluster'],
  note: 'A warning, not an error: the platform baseline allows a public endpoint limited to listed CIDRs (CKV_AWS_38 covers the open case).',
};
const EKS_PRIVATE: GuardrailRule = {
  id: 'AIP-101',
  title: 'EKS private endpoint is enabled',
  severity: E,
  fix: 'set vpc_config.endpoint_private_access = true so nodes reach the API server inside the VPC',
  area: 'EKS',
  securityRow: 'private endpoint on',
  appliesTo: ['aws_eks_cluster'],
};
const EKS_ACCESS: GuardrailRule = {
  id: 'AIP-102',
  title: 'EKS uses access entries (authentication mode API), not the aws-auth ConfigMap',
  severity: E,
  fix: 'set access_config.authentication_mode = "API" and grant access with aws_eks_access_entry',
  area: 'EKS',
  securityRow: 'access entries (API auth mode) rather than the aws-auth ConfigMap',
  appliesTo: ['aws_eks_cluster'],
  note: 'An unset mode is a violation: EKS then defaults to CONFIG_MAP.',
};

const NODE_LT: GuardrailRule = {
  id: 'AIP-110',
  title: 'Managed node groups use a launch template',
  severity: E,
  fix: 'give the node group a launch_template with IMDSv2 (hop limit 1) and an encrypted root volume',
  area: 'nodes',
  securityRow: 'launch templates with IMDSv2 required and hop limit 1',
  appliesTo: ['aws_eks_node_group'],
  note: 'Without one, EKS generates a launch template whose metadata options and volume encryption this check cannot see.',
};
const IMDSV2: GuardrailRule = {
  id: 'CKV_AWS_79',
  title: 'IMDSv2 is required (IMDSv1 disabled)',
  severity: E,
  fix: 'set metadata_options.http_tokens = "required" (EC2NodeClass: spec.metadataOptions.httpTokens: required)',
  area: 'nodes',
  securityRow: 'launch templates with IMDSv2 required',
  appliesTo: ['aws_launch_template', 'EC2NodeClass'],
  note: 'An EC2NodeClass without metadataOptions passes: Karpenter defaults to httpTokens required, hop limit 1.',
};
const HOP_LIMIT: GuardrailRule = {
  id: 'CKV_AWS_341',
  title: 'Instance metadata hop limit is 1',
  severity: E,
  fix: 'set metadata_options.http_put_response_hop_limit = 1 so pods cannot reach the node role; a documented exception (2) needs a suppression with its reason',
  area: 'nodes',
  securityRow: 'hop limit 1 [CKV_AWS_79/341] (2 only where documented)',
  appliesTo: ['aws_launch_template', 'EC2NodeClass'],
  note: 'Stricter than Checkov on launch templates: an unset hop limit fails, because EKS AL2023 AMIs default it to 2.',
};
const EBS: GuardrailRule = {
  id: 'AIP-111',
  title: 'Node volumes are encrypted',
  severity: E,
  fix: 'declare the root volume in block_device_mappings with ebs.encrypted = true (EC2NodeClass: blockDeviceMappings[].ebs.encrypted: true)',
  area: 'nodes',
  securityRow: 'encrypted EBS',
  appliesTo: ['aws_launch_template', 'EC2NodeClass'],
  note: 'A launch template without block_device_mappings fails: the AMI root volume is then encrypted only if the account enables EBS encryption by default, which synth cannot see.',
};
const NO_SSH: GuardrailRule = {
  id: 'AIP-112',
  title: 'Nodes have no SSH key or remote access',
  severity: E,
  fix: 'remove remote_access from node groups and key_name from launch templates; use SSM Session Manager',
  area: 'nodes',
  securityRow: 'no SSH key',
  appliesTo: ['aws_eks_node_group', 'aws_launch_template'],
  note: 'Stricter than CKV_AWS_100, which only fails SSH open to 0.0.0.0/0.',
};
const NO_PUBLIC_IP: GuardrailRule = {
  id: 'CKV_AWS_88',
  title: 'Launch templates do not give instances public IPs',
  severity: E,
  fix: 'remove associate_public_ip_address = true from network_interfaces',
  area: 'nodes',
  securityRow: 'nodes in private subnets',
  appliesTo: ['aws_launch_template'],
};
const PRIVATE_NODES: GuardrailRule = {
  id: 'AIP-113',
  title: 'Node groups run in private subnets',
  severity: E,
  fix: 'put node groups in subnets without a route to an internet gateway and without map_public_ip_on_launch',
  area: 'nodes',
  securityRow: 'nodes in private subnets',
  appliesTo: ['aws_eks_node_group'],
  note: 'Decided only for subnets created in the same stack (public = map_public_ip_on_launch or a route table with an internet gateway route).',
};

const KMS_ROTATION: GuardrailRule = {
  id: 'CKV_AWS_7',
  title: 'KMS key rotation is enabled',
  severity: E,
  fix: 'set enable_key_rotation = true',
  area: 'KMS',
  securityRow: 'key rotation on',
  appliesTo: ['aws_kms_key'],
  note: 'Asymmetric and HMAC keys (which AWS cannot rotate) are not applicable.',
};
const KMS_WINDOW: GuardrailRule = {
  id: 'AIP-120',
  title: 'KMS key deletion window is set (7-30 days)',
  severity: E,
  fix: 'set deletion_window_in_days (30 recommended) so a deleted key can be recovered',
  area: 'KMS',
  securityRow: 'deletion window set',
  appliesTo: ['aws_kms_key'],
};

function publicEndpoint(attrs: Attrs): boolean | typeof UNKNOWN {
  const v = bool(block(attrs.vpc_config)?.endpoint_public_access);
  // The AWS provider defaults endpoint_public_access to true.
  return v === undefined ? true : v;
}

function launchTemplateEbs(attrs: Attrs): Outcome[] {
  const mappings = blocks(attrs.block_device_mappings);
  if (mappings.length === 0) return [fail('no block_device_mappings: the root volume follows the AMI and the account default, not necessarily encrypted')];
  const out: Outcome[] = [];
  for (const m of mappings) {
    const ebs = block(m.ebs);
    if (!ebs) continue;
    const enc = bool(ebs.encrypted);
    if (enc === UNKNOWN) out.push(undecided(`ebs.encrypted of ${show(m.device_name)} is computed`));
    else if (enc !== true) out.push(fail(`ebs.encrypted of ${show(m.device_name)} is ${show(ebs.encrypted)}`));
  }
  return out;
}

function nodeClassMetadata(spec: Attrs): Attrs | undefined {
  return obj(spec.metadataOptions);
}

/** EKS, node and KMS rules. */
export const COMPUTE_RULES: RuleImpl[] = [
  onElements(EKS_LOGS, ({ attrs }) => {
    const types = strList(attrs.enabled_cluster_log_types);
    if (types === UNKNOWN) return [undecided('enabled_cluster_log_types is computed')];
    const missing = ['api', 'audit', 'authenticator'].filter((t) => !(types ?? []).includes(t));
    return missing.length > 0 ? [fail(`enabled_cluster_log_types lacks ${missing.join(', ')}`)] : [];
  }),
  onElements(EKS_SECRETS, ({ attrs }) => {
    const cfg = blocks(attrs.encryption_config).find((c) => {
      const r = strList(c.resources);
      return r !== UNKNOWN && r !== undefined && r.includes('secrets');
    });
    if (!cfg) return [fail('no encryption_config for "secrets"')];
    return isSet(block(cfg.provider)?.key_arn) ? [] : [fail('encryption_config has no provider.key_arn')];
  }),
  onElements(EKS_PUBLIC_OPEN, ({ attrs }) => {
    const pub = publicEndpoint(attrs);
    if (pub === false) return [];
    if (pub === UNKNOWN) return [undecided('endpoint_public_access is computed')];
    const cidrs = strList(block(attrs.vpc_config)?.public_access_cidrs);
    if (cidrs === undefined) return [fail('the public endpoint is on and public_access_cidrs is unset (AWS defaults it to 0.0.0.0/0)')];
    if (cidrs === UNKNOWN) return [undecided('public_access_cidrs is computed')];
    const open = cidrs.filter((c) => c === '0.0.0.0/0' || c === '::/0');
    return open.length > 0 ? [fail(`public_access_cidrs includes ${open.join(', ')}`)] : [];
  }),
  onElements(EKS_PUBLIC, ({ attrs }) => {
    const pub = publicEndpoint(attrs);
    if (pub === UNKNOWN) return [undecided('endpoint_public_access is computed')];
    if (!pub) return [];
    const explicit = block(attrs.vpc_config)?.endpoint_public_access !== undefined;
    return [fail(explicit ? 'endpoint_public_access is true' : 'endpoint_public_access is unset (the AWS provider defaults it to true)')];
  }),
  onElements(EKS_PRIVATE, ({ attrs }) => {
    const v = bool(block(attrs.vpc_config)?.endpoint_private_access);
    if (v === UNKNOWN) return [undecided('endpoint_private_access is computed')];
    return v === true ? [] : [fail(`endpoint_private_access is ${show(block(attrs.vpc_config)?.endpoint_private_access)}`)];
  }),
  onElements(EKS_ACCESS, ({ attrs }) => {
    const mode = str(block(attrs.access_config)?.authentication_mode);
    if (mode === UNKNOWN) return [undecided('authentication_mode is computed')];
    if (mode === 'API') return [];
    return [fail(mode === undefined ? 'access_config.authentication_mode is unset (EKS defaults to CONFIG_MAP)' : `authentication_mode is ${show(mode)}`)];
  }),

  onElements(NODE_LT, ({ attrs }) => {
    const lt = block(attrs.launch_template);
    return lt && (isSet(lt.id) || isSet(lt.name)) ? [] : [fail('no launch_template: EKS generates one with metadata options and volumes this library does not control')];
  }),
  onElements(IMDSV2, ({ attrs }) => {
    const tokens = str(block(attrs.metadata_options)?.http_tokens);
    if (tokens === UNKNOWN) return [undecided('metadata_options.http_tokens is computed')];
    return tokens === 'required' ? [] : [fail(`metadata_options.http_tokens is ${show(tokens)} (IMDSv1 stays reachable)`)];
  }, ['aws_launch_template']),
  onObjects(IMDSV2, ({ object }) => {
    const md = nodeClassMetadata(obj(object.object.spec) ?? {});
    if (!md || md.httpTokens === undefined) return [];
    return md.httpTokens === 'required' ? [] : [fail(`spec.metadataOptions.httpTokens is ${show(md.httpTokens)}`)];
  }, ['EC2NodeClass']),
  onElements(HOP_LIMIT, ({ attrs }) => {
    const hop = num(block(attrs.metadata_options)?.http_put_response_hop_limit);
    if (hop === UNKNOWN) return [undecided('http_put_response_hop_limit is computed')];
    if (hop === 1) return [];
    return [fail(hop === undefined ? 'http_put_response_hop_limit is unset (EKS AL2023 AMIs default to 2: pods could reach the node credentials)' : `http_put_response_hop_limit is ${hop}`)];
  }, ['aws_launch_template']),
  onObjects(HOP_LIMIT, ({ object }) => {
    const md = nodeClassMetadata(obj(object.object.spec) ?? {});
    const hop = num(md?.httpPutResponseHopLimit);
    if (hop === undefined || hop === 1) return [];
    if (hop === UNKNOWN) return [undecided('spec.metadataOptions.httpPutResponseHopLimit is computed')];
    return [fail(`spec.metadataOptions.httpPutResponseHopLimit is ${hop}`)];
  }, ['EC2NodeClass']),
  onElements(EBS, ({ attrs }) => launchTemplateEbs(attrs), ['aws_launch_template']),
  onObjects(EBS, ({ object }) => {
    const out: Outcome[] = [];
    for (const m of objList(obj(object.object.spec)?.blockDeviceMappings)) {
      const ebs = obj(m.ebs);
      if (!ebs) continue;
      const enc = bool(ebs.encrypted);
      if (enc === UNKNOWN) out.push(undecided(`blockDeviceMappings ${show(m.deviceName)} ebs.encrypted is computed`));
      else if (enc !== true) out.push(fail(`blockDeviceMappings ${show(m.deviceName)} ebs.encrypted is ${show(ebs.encrypted)}`));
    }
    return out;
  }, ['EC2NodeClass']),
  onElements(NO_SSH, ({ entry, attrs }) => {
    if (entry.type === 'aws_eks_node_group') return blocks(attrs.remote_access).length > 0 ? [fail('remote_access is set (SSH to the nodes)')] : [];
    return isSet(attrs.key_name) ? [fail(`key_name is ${show(attrs.key_name)}`)] : [];
  }),
  onElements(NO_PUBLIC_IP, ({ attrs }) => {
    const pub = blocks(attrs.network_interfaces).filter((n) => bool(n.associate_public_ip_address) === true);
    return pub.length > 0 ? [fail('network_interfaces associate a public IP address')] : [];
  }),
  onElements(PRIVATE_NODES, ({ attrs, index }) => {
    const refs = strList(attrs.subnet_ids);
    if (refs === UNKNOWN) return [undecided('subnet_ids is computed')];
    const c = classifySubnets(index, refs ?? []);
    if (c.public.length > 0) return [fail(`public subnets ${c.public.join(', ')}`)];
    return c.unknown.length > 0 ? [undecided(`subnets not created in this stack: ${c.unknown.join(', ')}`)] : [];
  }),

  onElements(KMS_ROTATION, ({ attrs }) => {
    const spec = str(attrs.customer_master_key_spec);
    const usage = str(attrs.key_usage);
    if ((typeof spec === 'string' && spec !== 'SYMMETRIC_DEFAULT') || (typeof usage === 'string' && usage !== 'ENCRYPT_DECRYPT')) return [];
    const rot = bool(attrs.enable_key_rotation);
    if (rot === UNKNOWN) return [undecided('enable_key_rotation is computed')];
    return rot === true ? [] : [fail(`enable_key_rotation is ${show(attrs.enable_key_rotation)}`)];
  }),
  onElements(KMS_WINDOW, ({ attrs }) => {
    const days = num(attrs.deletion_window_in_days);
    if (days === UNKNOWN) return [undecided('deletion_window_in_days is computed')];
    if (days === undefined) return [fail('deletion_window_in_days is unset')];
    return days >= 7 && days <= 30 ? [] : [fail(`deletion_window_in_days is ${days}`)];
  }),
];
