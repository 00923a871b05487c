import { FactRow, FactSource, FactTable } from '../core/facts';

/**
 * EKS add-on versions pinned per Kubernetes version. A pinned version makes `cdktf deploy`
 * reproducible: "latest" would change the cluster on a plan nobody reviewed. Where each pin comes
 * from is in `docs/facts.md` (table `eks-addons`). Override with `AiClusterProps.addonVersions`.
 */
export interface AddonVersions {
  /** Amazon VPC CNI. */
  readonly vpcCni: string;
  /** CoreDNS. */
  readonly coredns: string;
  /** kube-proxy. */
  readonly kubeProxy: string;
  /** Amazon EBS CSI driver. */
  readonly ebsCsiDriver: string;
  /** EKS Pod Identity agent. */
  readonly podIdentityAgent: string;
}

/**
 * Kubernetes versions the library offers, with their add-on pins: the versions EKS still creates
 * (in standard or extended support) that every pinned component supports: Karpenter 1.14
 * (Kubernetes 1.26-1.36), the GPU operator v26.7.0 (EKS 1.33-1.36) and the charts' `kubeVersion`
 * (all open-ended). 1.32 is still creatable on EKS until 2027-03-23 but the GPU operator does not
 * support it; 1.31 and older are past the end of extended support.
 */
export const EKS_VERSIONS: { readonly [kubernetesVersion: string]: AddonVersions } = {
  '1.33': { vpcCni: 'v1.22.4-eksbuild.3', coredns: 'v1.12.4-eksbuild.18', kubeProxy: 'v1.33.10-eksbuild.13', ebsCsiDriver: 'v1.66.0-eksbuild.1', podIdentityAgent: 'v1.3.10-eksbuild.3' },
  '1.34': { vpcCni: 'v1.22.4-eksbuild.3', coredns: 'v1.13.2-eksbuild.11', kubeProxy: 'v1.34.6-eksbuild.13', ebsCsiDriver: 'v1.66.0-eksbuild.1', podIdentityAgent: 'v1.3.10-eksbuild.3' },
  '1.35': { vpcCni: 'v1.22.4-eksbuild.3', coredns: 'v1.14.3-eksbuild.3', kubeProxy: 'v1.35.3-eksbuild.13', ebsCsiDriver: 'v1.66.0-eksbuild.1', podIdentityAgent: 'v1.3.10-eksbuild.3' },
  '1.36': { vpcCni: 'v1.22.4-eksbuild.3', coredns: 'v1.14.3-eksbuild.3', kubeProxy: 'v1.36.0-eksbuild.14', ebsCsiDriver: 'v1.66.0-eksbuild.1', podIdentityAgent: 'v1.3.10-eksbuild.3' },
};

/**
 * The Kubernetes version a new cluster gets: the newest one every pinned component supports
 * (see {@link EKS_VERSIONS}), in EKS standard support until 2027-08-02.
 */
export const DEFAULT_KUBERNETES_VERSION = '1.36';

/** Retention values CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

// ---------------------------------------------------------------------------------------------
// Internal facts (not re-exported from the package): the EKS release calendar, the cluster-hour
// prices and where each add-on pin comes from. The support check of AiCluster and ImportedCluster
// reads them; docs/facts.md is generated from them.
// ---------------------------------------------------------------------------------------------

/** One Kubernetes minor on EKS: when it came and when its support ends (UTC dates). */
export interface EksCalendarEntry extends FactSource {
  /** Kubernetes minor, e.g. `1.35`. */
  readonly version: string;
  /** Date the version became available on EKS. */
  readonly eksRelease: string;
  /** Last day before extended support: from this date on the cluster bills extended support. */
  readonly endOfStandardSupport: string;
  /** From this date on EKS creates no new cluster of the version and upgrades existing ones. */
  readonly endOfExtendedSupport: string;
  /** Whether AWS gives the release date only approximately (month and year). */
  readonly approximateRelease?: boolean;
}

const CALENDAR_ADOC = 'awsdocs/amazon-eks-user-guide:latest/ug/versioning/kubernetes-versions.adoc@013856044148d6eeed4723027a45aa2180536bcb';
const CALENDAR_ADOC_CHECKED = '2026-12-07';

/**
 * The EKS Kubernetes release calendar ("Amazon EKS Kubernetes release calendar" of the EKS user
 * guide). Billing for extended support starts at the beginning of the end-of-standard-support day
 * (UTC); on the end-of-extended-support day new clusters can no longer be created.
 */
export const EKS_RELEASE_CALENDAR: readonly EksCalendarEntry[] = [
  { version: '1.29', eksRelease: '2024-01-23', endOfStandardSupport: '2025-03-23', endOfExtendedSupport: '2026-03-23', source: CALENDAR_ADOC, checked: CALENDAR_ADOC_CHECKED },
  { version: '1.30', eksRelease: '2024-05-23', endOfStandardSupport: '2025-07-23', endOfExtendedSupport: '2026-07-23', source: CALENDAR_ADOC, checked: CALENDAR_ADOC_CHECKED },
  { version: '1.31', eksRelease: '2024-09-26', endOfStandardSupport: '2025-11-26', endOfExtendedSupport: '2026-11-26', source: CALENDAR_ADOC, checked: CALENDAR_ADOC_CHECKED },
  { version: '1.32', eksRelease: '2025-01-23', endOfStandardSupport: '2026-03-23', endOfExtendedSupport: '2027-03-23', source: CALENDAR_ADOC, checked: CALENDAR_ADOC_CHECKED },
  { version: '1.33', eksRelease: '2025-05-29', endOfStandardSupport: '2026-07-29', endOfExtendedSupport: '2027-07-29', source: CALENDAR_ADOC, checked: CALENDAR_ADOC_CHECKED },
  { version: '1.34', eksRelease: '2025-10-02', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02', source: CALENDAR_ADOC, checked: CALENDAR_ADOC_CHECKED },
  // The stored copies of the user guide end at 1.34; 1.35 is the row of the same table as
  // mirrored by endoflife.date (its data is scraped from the user guide's calendar).
  { version: '1.35', eksRelease: '2026-01-27', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27', source: 'https://endoflife.date/amazon-eks', checked: '2026-12-07' },
  // 14 months of standard support before 2027-08-02 put the EKS release at 2026-06-02; the
  // standard and extended end dates are those AWS's describe-cluster-versions reported to the
  // deploy recorded in awslabs/awsome-distributed-ai (2026-09-16).
  { version: '1.36', eksRelease: '2026-06-02', approximateRelease: true, endOfStandardSupport: '2027-08-02', endOfExtendedSupport: '2028-08-02', source: 'https://github.com/awslabs/awsome-distributed-ai', checked: '2026-12-07' },
];

/** Price of an EKS cluster (control plane) per hour, USD, by support phase. */
export interface EksClusterPrices extends FactSource {
  /** While the version is in standard support. */
  readonly standardHourlyUsd: number;
  /** While the version is in extended support (replaces the standard price). */
  readonly extendedHourlyUsd: number;
}

/** EKS cluster-hour prices (the same in every commercial region). */
export const EKS_CLUSTER_PRICES: EksClusterPrices = {
  standardHourlyUsd: 0.10,
  extendedHourlyUsd: 0.60,
  source: 'https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/',
  checked: '2026-12-07',
};

/** Average hours in a month (365 × 24 / 12), for monthly cost figures. */
export const HOURS_PER_MONTH = 730;

/** Where each add-on's pins come from (one source per add-on, for every Kubernetes version). */
const ADDON_SOURCES: { readonly [K in keyof AddonVersions]: FactSource & { readonly addonName: string } } = {
  vpcCni: {
    addonName: 'vpc-cni',
    // The add-on version EKS chose by default for a 1.36 cluster (describe-addon-versions default),
    // recorded by the deploy of 2026-09-16; VPC CNI publishes one version for every supported
    // Kubernetes version (the user guide's table lists the same build for each).
    source: 'https://github.com/awslabs/awsome-distributed-ai',
    checked: '2026-12-07',
  },
  coredns: { addonName: 'coredns', source: 'https://docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-coredns.md', checked: '2026-12-07' },
  kubeProxy: { addonName: 'kube-proxy', source: 'https://docs.aws.amazon.com/ja_jp/eks/latest/userguide/managing-kube-proxy.md', checked: '2026-12-07' },
  // AWS's defaultVersion of aws-ebs-csi-driver for Kubernetes 1.36 on 2026-09-21.
  ebsCsiDriver: { addonName: 'aws-ebs-csi-driver', source: 'https://github.com/mitodl/ol-infrastructure/pull/5959', checked: '2026-12-07' },
  podIdentityAgent: { addonName: 'eks-pod-identity-agent', source: 'https://github.com/awslabs/awsome-distributed-ai', checked: '2026-12-07' },
};

/** The Kubernetes minors a pinned component supports (the bound of `EKS_VERSIONS`). */
export interface ComponentKubernetesSupport extends FactSource {
  /** The component as pinned: a chart id of `CHARTS` and its version. */
  readonly chart: string;
  /** The pinned version the range was read for (a test checks it is still the pin). */
  readonly version: string;
  /** Oldest supported minor. */
  readonly min: string;
  /** Newest supported minor (undefined: no upper bound, e.g. a chart's open `kubeVersion`). */
  readonly max?: string;
}

/**
 * The Kubernetes minors each pinned component supports: Karpenter's compatibility matrix, the GPU
 * operator's platform support for Amazon EKS, and the `kubeVersion` of the charts that declare one.
 * Every version of {@link EKS_VERSIONS} must be inside every range (a test checks it).
 */
export const COMPONENT_KUBERNETES_SUPPORT: readonly ComponentKubernetesSupport[] = [
  { chart: 'karpenter', version: '1.14.1', min: '1.26', max: '1.36', source: 'aws/karpenter-provider-aws:hack/docs/compatibilitymatrix_gen/compatibility.yaml@bde00654cd316fddb3dccfba3f5ac07039865429', checked: '2026-12-07' },
  { chart: 'gpuOperator', version: 'v26.7.0', min: '1.33', max: '1.36', source: 'NVIDIA/cloud-native-docs:gpu-operator/platform-support.rst@52dcb7b8d956784344e241df476de17094a4574c', checked: '2026-12-07' },
  { chart: 'kubePrometheusStack', version: '88.5.3', min: '1.25', source: 'prometheus-community/helm-charts:charts/kube-prometheus-stack/Chart.yaml@ea930baeebeba39f56d6b44e351f23b2a072a600', checked: '2026-12-07' },
  { chart: 'keda', version: '2.20.2', min: '1.23', source: 'kedacore/charts:keda/Chart.yaml@cbb9bb8ce0809dc9048f72302f7c09765d66ed56', checked: '2026-12-07' },
  { chart: 'externalSecrets', version: '2.9.0', min: '1.19', source: 'external-secrets/external-secrets:deploy/charts/external-secrets/Chart.yaml@cc5bfbc2234ace9cb0caff4ea89c435cf517b27b', checked: '2026-12-07' },
  { chart: 'dcgmExporter', version: '4.8.2', min: '1.19', source: 'NVIDIA/dcgm-exporter:deployment/Chart.yaml@691c92762eb551313c825f6efe4ceeee20982801', checked: '2026-12-07' },
  { chart: 'mlflow', version: '1.11.5', min: '1.16', source: 'community-charts/helm-charts:charts/mlflow/Chart.yaml@9d23d003453a3d863d2086691a26250921fd1169', checked: '2026-12-07' },
];

/** Where a Kubernetes version stands in the EKS calendar on a date. */
export enum EksSupportPhase {
  /** Not yet released on EKS (a date before its EKS release). */
  UNRELEASED = 'UNRELEASED',
  /** Standard support: the standard cluster-hour price. */
  STANDARD = 'STANDARD',
  /** Extended support: the extended cluster-hour price. */
  EXTENDED = 'EXTENDED',
  /** Past the end of extended support: EKS creates no cluster of the version and upgrades existing ones. */
  ENDED = 'ENDED',
}

/** The calendar entry of a Kubernetes minor, or undefined when the calendar does not know it. */
export function eksCalendarEntry(version: string): EksCalendarEntry | undefined {
  return EKS_RELEASE_CALENDAR.find((e) => e.version === version);
}

/** The support phase of a calendar entry on an ISO date (`YYYY-MM-DD`, UTC). */
export function eksSupportPhase(entry: EksCalendarEntry, date: string): EksSupportPhase {
  if (date < entry.eksRelease) return EksSupportPhase.UNRELEASED;
  if (date < entry.endOfStandardSupport) return EksSupportPhase.STANDARD;
  if (date < entry.endOfExtendedSupport) return EksSupportPhase.EXTENDED;
  return EksSupportPhase.ENDED;
}

/** Extra cost of one cluster in extended support over standard support, USD per month. */
export function extendedSupportExtraMonthlyUsd(): number {
  return Math.round((EKS_CLUSTER_PRICES.extendedHourlyUsd - EKS_CLUSTER_PRICES.standardHourlyUsd) * HOURS_PER_MONTH);
}

function row(fact: string, value: string, src: FactSource): FactRow {
  return { fact, value, source: src.source, checked: src.checked };
}

/** The EKS fact tables (calendar, prices, add-on pins) for docs/facts.md. */
export function eksFactTables(): FactTable[] {
  const calendar: FactRow[] = EKS_RELEASE_CALENDAR.flatMap((e) => [
    row(`EKS ${e.version} release on EKS`, e.approximateRelease ? `${e.eksRelease} (approximate)` : e.eksRelease, e),
    row(`EKS ${e.version} end of standard support`, e.endOfStandardSupport, e),
    row(`EKS ${e.version} end of extended support`, e.endOfExtendedSupport, e),
  ]);
  const prices: FactRow[] = [
    row('EKS cluster, standard support', `$${EKS_CLUSTER_PRICES.standardHourlyUsd.toFixed(2)} per cluster-hour`, EKS_CLUSTER_PRICES),
    row('EKS cluster, extended support', `$${EKS_CLUSTER_PRICES.extendedHourlyUsd.toFixed(2)} per cluster-hour`, EKS_CLUSTER_PRICES),
  ];
  const addons: FactRow[] = Object.entries(EKS_VERSIONS).flatMap(([version, pins]) =>
    (Object.keys(ADDON_SOURCES) as (keyof AddonVersions)[]).map((k) => row(`${ADDON_SOURCES[k].addonName} on EKS ${version}`, pins[k], ADDON_SOURCES[k])),
  );
  const components: FactRow[] = COMPONENT_KUBERNETES_SUPPORT.map((c) => row(`Kubernetes minors supported by ${c.chart} ${c.version}`, c.max ? `${c.min}-${c.max}` : `>= ${c.min}`, c));
  return [
    { id: 'kubernetes-support', title: 'Kubernetes minors the pinned components support', file: 'lib/cluster/versions.ts', rows: components },
    { id: 'eks-calendar', title: 'EKS Kubernetes release calendar', file: 'lib/cluster/versions.ts', rows: calendar },
    { id: 'eks-prices', title: 'EKS cluster prices', file: 'lib/cluster/versions.ts', rows: prices },
    { id: 'eks-addons', title: 'EKS add-on versions', file: 'lib/cluster/versions.ts', rows: addons },
  ];
}
