import * as path from 'path';
import { Construct } from 'constructs';
import { AssetType, ITerraformDependable, Lazy, TerraformAsset, TerraformStack } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { KubernetesObject, resolveEmbeddedTokens, toValuesDocument, JsonValue } from './values';
import { packageRoot } from './package-root';
import { validateDns1123Label } from '../core/names';

/** Props of {@link ManifestChart}. */
export interface ManifestChartProps {
  /** Helm release name. */
  readonly releaseName: string;
  /** Namespace of the release (objects may name their own namespaces). */
  readonly namespace: string;
  /**
   * Objects to apply. More can be added with `addManifest()`.
   * @default - none
   */
  readonly manifests?: KubernetesObject[];
  /**
   * Resources the objects need first: the CRD chart, the operator whose webhooks validate them.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Wait until the release's Jobs complete (a failed Job fails the apply).
   * @default false
   */
  readonly waitForJobs?: boolean;
}

const assets = new WeakMap<TerraformStack, TerraformAsset>();

/**
 * Applies Kubernetes objects (custom resources, ConfigMaps, policies) through a Helm release of the
 * library's local `manifests` chart. Unlike `kubernetes_manifest`, a Helm release does not need the
 * CRD at plan time, so CRDs and their resources converge in one `cdktf deploy`
 * (hashicorp/terraform-provider-kubernetes#1367).
 */
export class ManifestChart extends Construct {
  /** The underlying helm_release. */
  public readonly release: Release;
  private readonly objects: KubernetesObject[] = [];

  /** Creates the release. */
  public constructor(scope: Construct, id: string, props: ManifestChartProps) {
    super(scope, id);
    validateDns1123Label(this, 'releaseName', props.releaseName);
    validateDns1123Label(this, 'namespace', props.namespace);
    for (const m of props.manifests ?? []) this.addManifest(m);
    const stack = TerraformStack.of(this);
    // One copy of the chart per stack, shared by every ManifestChart in it.
    let asset = assets.get(stack);
    if (!asset) {
      asset = new TerraformAsset(stack, 'ai-platform-manifests-chart', { path: path.join(packageRoot(), 'charts', 'manifests'), type: AssetType.DIRECTORY });
      assets.set(stack, asset);
    }
    this.release = new Release(this, 'release', {
      name: props.releaseName,
      namespace: props.namespace,
      chart: `./${asset.path}`,
      createNamespace: false,
      wait: true,
      waitForJobs: props.waitForJobs,
      timeout: props.waitForJobs ? 900 : 300,
      cleanupOnFail: true,
      maxHistory: 10,
      values: Lazy.listValue({ produce: (ctx) => [resolveEmbeddedTokens(toValuesDocument({ manifests: this.objects as unknown as JsonValue[] }), ctx)] }),
      dependsOn: props.dependsOn,
    });
  }

  /** Adds an object to the chart. Names must be unique per kind and namespace. */
  public addManifest(manifest: KubernetesObject): void {
    const dup = this.objects.find((o) => o.kind === manifest.kind && o.metadata.name === manifest.metadata.name && o.metadata.namespace === manifest.metadata.namespace);
    if (dup) throw new Error(`${this.node.path}: ${manifest.kind} ${manifest.metadata.name} is added twice`);
    this.objects.push(manifest);
  }

  /** The objects this chart applies (for tests and the policy Aspect). */
  public get manifests(): readonly KubernetesObject[] {
    return this.objects;
  }
}
