import { Construct, IConstruct } from 'constructs';
import { Annotations, Token } from 'cdktf';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { ValidationError } from './errors';
import { FactTable } from './facts';

// AWS regions and what embeds them: availability zone names and ids, ARNs, EKS endpoints and OIDC
// issuers. A value of another region passes every pattern and fails at apply (or, for an S3 bucket,
// works slowly and expensively), so the platform compares them with its region at synth.

/** Where the region list comes from. */
export const REGION_SOURCE = {
  source: 'aws/aws-sdk-js-v3:packages/util-endpoints/src/lib/aws/partitions.json@685ff5d03588f81121c6fa9466771cd444492209',
  checked: '2026-12-07',
} as const;

/** AWS partitions: ARN partition name and the region pattern of the partition (partitions.json `regionRegex`). */
export const PARTITIONS: readonly { readonly id: string; readonly regionRegex: RegExp; readonly regions: readonly string[] }[] = [
  {
    id: 'aws',
    regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
    regions: [
      'af-south-1', 'ap-east-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1',
      'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'eu-central-1',
      'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1',
      'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
    ],
  },
  { id: 'aws-cn', regionRegex: /^cn-\w+-\d+$/, regions: ['cn-north-1', 'cn-northwest-1'] },
  { id: 'aws-us-gov', regionRegex: /^us-gov-\w+-\d+$/, regions: ['us-gov-east-1', 'us-gov-west-1'] },
  { id: 'aws-iso', regionRegex: /^us-iso-\w+-\d+$/, regions: ['us-iso-east-1', 'us-iso-west-1'] },
  { id: 'aws-iso-b', regionRegex: /^us-isob-\w+-\d+$/, regions: ['us-isob-east-1'] },
  { id: 'aws-iso-e', regionRegex: /^eu-isoe-\w+-\d+$/, regions: ['eu-isoe-west-1'] },
  { id: 'aws-iso-f', regionRegex: /^us-isof-\w+-\d+$/, regions: ['us-isof-east-1', 'us-isof-south-1'] },
  { id: 'aws-eusc', regionRegex: /^eusc-(de)-\w+-\d+$/, regions: ['eusc-de-east-1'] },
];

/** The region facts, for `docs/facts.md`. */
export const REGION_FACTS: FactTable = {
  id: 'aws-regions',
  title: 'AWS regions by partition',
  file: 'lib/core/regions.ts',
  rows: PARTITIONS.map((p) => ({ fact: `regions of partition ${p.id}`, value: p.regions.join(', '), ...REGION_SOURCE })),
};

/** Every region of the catalog. */
export function knownRegions(): string[] {
  return PARTITIONS.flatMap((p) => [...p.regions]);
}

/** The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`, ...), undefined when no partition matches. */
export function partitionOfRegion(region: string): string | undefined {
  return PARTITIONS.find((p) => p.regions.includes(region))?.id ?? PARTITIONS.find((p) => p.regionRegex.test(region))?.id;
}

/**
 * The ARN partition (`aws`, `aws-cn`, `aws-us-gov`, ...) for resources of `scope` in `region`: the
 * one way the library obtains it. A plain region gives its partition from the region catalog; an
 * unresolved region (a Terraform reference such as `AiCluster.region`), a missing one or one no
 * partition matches gives the `partition` attribute of an `aws_partition` data source created once
 * in `scope` (id `partition`), which Terraform reads from the provider's region.
 */
export function arnPartition(scope: Construct, region: string | undefined): string {
  const known = region !== undefined && !Token.isUnresolved(region) ? partitionOfRegion(region) : undefined;
  if (known) return known;
  const existing = scope.node.tryFindChild('partition');
  return (existing instanceof DataAwsPartition ? existing : new DataAwsPartition(scope, 'partition')).partition;
}

/**
 * Checks a region: one of the catalog, or (with a warning) one that has the shape of a region of a
 * partition but is not in the catalog (regions newer than the catalog must stay usable).
 */
export function validateRegion(scope: IConstruct | string, prop: string, region: string): string {
  if (typeof region === 'string' && Token.isUnresolved(region)) return region;
  if (typeof region === 'string' && knownRegions().includes(region)) return region;
  const shaped = typeof region === 'string' && PARTITIONS.some((p) => p.regionRegex.test(region));
  if (!shaped) {
    const near = typeof region === 'string' ? nearestRegion(region) : undefined;
    throw new ValidationError(scope, prop, region, `must be an AWS region such as "us-west-2"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  if (typeof scope !== 'string') {
    Annotations.of(scope).addWarning(`${prop} (${JSON.stringify(region)}) is not in the region catalog (checked ${REGION_SOURCE.checked}): check it for a typo; for a region newer than the catalog, availability zone ids are not checked`);
  }
  return region;
}

/** A known region one edit away (or with the same area and direction), for "did you mean". */
function nearestRegion(region: string): string | undefined {
  const known = knownRegions();
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = known.map((k) => [k, dist(region, k)] as const).sort((x, y) => x[1] - y[1])[0];
  if (best && best[1] <= 2) return best[0];
  const stem = region.replace(/-?\d+$/, '');
  return known.find((k) => k.replace(/-\d+$/, '') === stem);
}

/**
 * The short code of a region used in availability zone ids (`us-west-2` → `usw2`, `ap-northeast-1`
 * → `apne1`, `us-gov-west-1` → `usgw1`): the area, then the initials of the direction words, then
 * the number (the AZ ids documented at https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html).
 */
export function azIdPrefixOfRegion(region: string): string {
  const parts = region.split('-');
  const area = parts[0];
  const num = parts[parts.length - 1];
  const middle = parts.slice(1, -1).map((w) => (w === 'gov' ? 'g' : w.replace(/^(north|south)(east|west)$/, (_m, a: string, b: string) => a[0] + b[0]).replace(/^(east|west|north|south|central)$/, (m: string) => m[0]))).join('');
  return `${area}${middle}${num}`;
}

/** The region an availability zone name (`us-west-2a`) or id (`usw2-az1`) belongs to, undefined when not recognised. */
export function regionOfAvailabilityZone(zone: string): string | undefined {
  const name = /^([a-z]{2,4}(?:-[a-z]+)+-\d+)[a-z]$/.exec(zone);
  if (name) return name[1];
  const id = /^([a-z]+\d+)-az\d+$/.exec(zone);
  if (id) return knownRegions().find((r) => azIdPrefixOfRegion(r) === id[1]);
  return undefined;
}

/** The region field of an ARN (`arn:partition:service:region:account:resource`); '' for global services. */
export function regionOfArn(arn: string): string | undefined {
  const m = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:.+$/.exec(arn);
  return m ? m[3] : undefined;
}

/** The partition field of an ARN. */
export function partitionOfArn(arn: string): string | undefined {
  return /^arn:([a-z-]+):/.exec(arn)?.[1];
}

/** Throws unless a literal ARN is in `region` and its partition (tokens and region-less ARNs pass). */
export function checkArnRegion(scope: IConstruct | string, prop: string, arn: string | undefined, region: string, what: string): void {
  if (arn === undefined || Token.isUnresolved(arn) || Token.isUnresolved(region)) return;
  const arnRegion = regionOfArn(arn);
  if (arnRegion === undefined) return; // shape is checked where the ARN is used
  if (arnRegion !== '' && arnRegion !== region) {
    throw new ValidationError(scope, prop, arn, `must be ${what} in the platform's region ${region} (this ARN is in ${arnRegion}, and it cannot be used from another region)`);
  }
  const partition = partitionOfRegion(region);
  const arnPartition = partitionOfArn(arn);
  if (partition && arnPartition && arnPartition !== partition) {
    throw new ValidationError(scope, prop, arn, `must be in partition "${partition}" (arn:${partition}:...) of region ${region}, not "${arnPartition}"`);
  }
}
