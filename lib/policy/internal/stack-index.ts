import { IConstruct } from 'constructs';
import { TerraformBackend, TerraformDataSource, TerraformElement, TerraformOutput, TerraformResource, TerraformStack } from 'cdktf';
import { ResolveOnceStack } from '../../core/resolve-once';
import { resolvePlainFast } from '../../core/resolve-plain';
import { HelmChart } from '../../k8s/helm-chart';
import { ManifestChart } from '../../k8s/manifest-chart';
import { isWorkloadSource } from '../../k8s/workloads';
import { Attrs, blocks, isExpression } from './values';
import { ObjectView, WorkloadView, objectView, workloadFromObject, workloadFromRendered } from './workloads';

/** Chart values keys that, by Helm convention, hold whole Kubernetes objects. */
const EXTRA_OBJECT_KEYS = ['extraObjects', 'extraManifests', 'extraDeploy'];

/** Resolves tokens the way synthesis does (references become `${type.id.attr}` strings). */
export function resolveIn(scope: IConstruct, value: unknown): unknown {
  return resolvePlainFast(value, { scope, preparing: false });
}

/** Which block of the Terraform JSON an element renders. */
export type Section = 'resource' | 'data' | 'output' | 'backend';

/** One Terraform element of the stack with its synthesized attributes. */
export class ElementEntry {
  /** Terraform address: `aws_vpc.x`, `data.aws_iam_policy_document.x`, `output.x`, `backend.s3`. */
  public readonly address: string;
  private cached?: { attrs?: Attrs; error?: string };

  /** @param node the element; @param section its block; @param type resource type / backend name; @param logicalId its id */
  public constructor(public readonly node: TerraformElement, public readonly section: Section, public readonly type: string, public readonly logicalId: string) {
    this.address = section === 'resource' ? `${type}.${logicalId}` : section === 'data' ? `data.${type}.${logicalId}` : section === 'output' ? `output.${logicalId}` : `backend.${type}`;
  }

  /** Synthesized attributes (resolved, snake_case), or undefined when they cannot be rendered. */
  public attrs(): Attrs | undefined {
    if (!this.cached) {
      try {
        const tf = (ResolveOnceStack.resolvedFragment(this.node) ?? resolveIn(this.node, this.node.toTerraform())) as Record<string, Record<string, Record<string, Attrs>>>;
        let attrs: Attrs | undefined;
        if (this.section === 'resource' || this.section === 'data') attrs = tf[this.section]?.[this.type]?.[this.logicalId];
        else if (this.section === 'output') attrs = Object.values((tf.output ?? {}) as Record<string, Attrs>)[0];
        else attrs = (tf.terraform as unknown as { backend?: Record<string, Attrs> } | undefined)?.backend?.[this.type];
        if (attrs) {
          attrs = { ...attrs };
          delete attrs['//'];
        }
        this.cached = { attrs };
      } catch (e) {
        this.cached = { error: e instanceof Error ? e.message : String(e) };
      }
    }
    return this.cached.attrs;
  }

  /** Why the attributes could not be rendered, if they could not. */
  public get renderError(): string | undefined {
    this.attrs();
    return this.cached?.error;
  }
}

// A reference inside an interpolation: `aws_vpc.x.id`, `data.aws_iam_policy_document.y.json`.
const REF = /(?<![\w.-])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)(?=[.[])/g;

/**
 * Everything the rules need to know about one stack: its Terraform elements with their synthesized
 * attributes, and the Kubernetes objects and workloads its constructs render. Built lazily per
 * check, so it reflects the tree as it is when the check runs.
 */
export class StackIndex {
  private elementList?: ElementEntry[];
  private readonly byNode = new Map<IConstruct, ElementEntry>();
  private readonly byAddress = new Map<string, ElementEntry>();
  private readonly byType = new Map<string, ElementEntry[]>();
  private k8s?: { objects: ObjectView[]; workloads: WorkloadView[] };

  /** @param stack the stack to index */
  public constructor(public readonly stack: TerraformStack) {}

  /** Every Terraform element of the stack. */
  public elements(): ElementEntry[] {
    if (!this.elementList) {
      this.elementList = [];
      for (const node of this.stack.node.findAll()) {
        if (!TerraformElement.isTerraformElement(node)) continue;
        let entry: ElementEntry | undefined;
        if (node instanceof TerraformResource) entry = new ElementEntry(node, 'resource', node.terraformResourceType, node.friendlyUniqueId);
        else if (node instanceof TerraformDataSource) entry = new ElementEntry(node, 'data', node.terraformResourceType, node.friendlyUniqueId);
        else if (TerraformOutput.isTerraformOutput(node)) entry = new ElementEntry(node, 'output', 'output', node.friendlyUniqueId);
        else if (TerraformBackend.isBackend(node)) entry = new ElementEntry(node, 'backend', backendName(node), node.friendlyUniqueId);
        if (!entry) continue;
        this.elementList.push(entry);
        this.byNode.set(node, entry);
        this.byAddress.set(entry.address, entry);
        const key = `${entry.section}:${entry.type}`;
        const same = this.byType.get(key);
        if (same) same.push(entry);
        else this.byType.set(key, [entry]);
      }
    }
    return this.elementList;
  }

  /** The entry of a construct that is a Terraform element. */
  public entryFor(node: IConstruct): ElementEntry | undefined {
    this.elements();
    return this.byNode.get(node);
  }

  /** Resources (or data sources) of one type. */
  public ofType(type: string, section: Section = 'resource'): ElementEntry[] {
    this.elements();
    return this.byType.get(`${section}:${type}`) ?? [];
  }

  /** The elements referenced by the expressions inside `value` (deep). */
  public referencesIn(value: unknown): ElementEntry[] {
    this.elements();
    const out: ElementEntry[] = [];
    const visit = (v: unknown) => {
      if (typeof v === 'string') {
        if (!isExpression(v)) return;
        for (const m of v.matchAll(REF)) {
          const e = this.byAddress.get(m[1]);
          if (e && !out.includes(e)) out.push(e);
        }
      } else if (Array.isArray(v)) v.forEach(visit);
      else if (typeof v === 'object' && v !== null) Object.values(v).forEach(visit);
    };
    visit(value);
    return out;
  }

  /** The first element of one of `types` referenced in `value`. */
  public referenced(value: unknown, types: string[], section: Section = 'resource'): ElementEntry | undefined {
    return this.referencesIn(value).find((e) => e.section === section && types.includes(e.type));
  }

  /** True when `value` references `entry`. */
  public refersTo(value: unknown, entry: ElementEntry): boolean {
    return this.referencesIn(value).includes(entry);
  }

  /**
   * The name of a namespace given as a literal or as a reference to a kubernetes_namespace(_v1)
   * resource of this stack (`${kubernetes_namespace_v1.ns.metadata[0].name}`), so objects that name
   * their namespace either way compare equal. Other values are returned as they are.
   */
  public namespaceName(value: unknown): unknown {
    if (typeof value !== 'string' || !isExpression(value)) return value;
    const ns = this.referenced(value, ['kubernetes_namespace_v1', 'kubernetes_namespace']);
    if (!ns || !/^\$\{[^}]*\.(metadata\[0\]\.name|id)\}$/.test(value)) return value;
    const name = blocks(ns.attrs()?.metadata)[0]?.name;
    return typeof name === 'string' && !isExpression(name) ? name : value;
  }

  /** Kubernetes objects rendered by the stack's ManifestCharts and workload sources. */
  public objects(): ObjectView[] {
    return this.kubernetes().objects;
  }

  /** Pod-running workloads rendered by the stack's constructs (one per kind/namespace/name). */
  public workloads(): WorkloadView[] {
    return this.kubernetes().workloads;
  }

  private kubernetes(): { objects: ObjectView[]; workloads: WorkloadView[] } {
    if (this.k8s) return this.k8s;
    const objects: ObjectView[] = [];
    const workloads: WorkloadView[] = [];
    const seen = new Set<string>();
    const addWorkload = (w: WorkloadView | undefined) => {
      if (!w || seen.has(w.subject)) return;
      seen.add(w.subject);
      workloads.push(w);
    };
    for (const node of this.stack.node.findAll()) {
      try {
        this.collect(node, objects, addWorkload);
      } catch (e) {
        // A construct that cannot render its objects is a bug to fix, not something to skip silently.
        throw new Error(`PlatformGuardrails: cannot read the Kubernetes objects of ${node.node.path}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.k8s = { objects, workloads };
    return this.k8s;
  }

  private withNamespaceName(o: Attrs): Attrs {
    const meta = o.metadata;
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return o;
    const m = meta as Attrs;
    return m.namespace === undefined ? o : { ...o, metadata: { ...m, namespace: this.namespaceName(m.namespace) } };
  }

  private collect(node: IConstruct, objects: ObjectView[], addWorkload: (w: WorkloadView | undefined) => void): void {
    if (isWorkloadSource(node)) {
      for (const raw of node.renderedWorkloads()) {
        const w = resolveIn(node, raw) as Attrs;
        addWorkload(workloadFromRendered(node, { ...w, namespace: this.namespaceName(w.namespace) }));
      }
    }
    let rendered: { objects: unknown[]; namespace: unknown } | undefined;
    if (node instanceof ManifestChart) {
      rendered = { objects: [...node.manifests], namespace: node.release.namespaceInput };
    } else if (node instanceof HelmChart) {
      // Charts that take whole objects in their values (`extraObjects` and friends): the library
      // renders those objects completely.
      const values = node.renderedValues();
      rendered = { objects: EXTRA_OBJECT_KEYS.flatMap((k) => (Array.isArray(values[k]) ? (values[k] as unknown[]) : [])), namespace: node.namespace };
    }
    if (!rendered || rendered.objects.length === 0) return;
    const namespace = this.namespaceName(resolveIn(node, rendered.namespace));
    for (const o of resolveIn(node, rendered.objects) as unknown[]) {
      const view = objectView(node, this.withNamespaceName(o as Attrs), typeof namespace === 'string' ? namespace : 'default');
      if (!view) continue;
      objects.push(view);
      addWorkload(workloadFromObject(view));
    }
  }
}

function backendName(node: TerraformBackend): string {
  try {
    const tf = node.toTerraform() as { terraform?: { backend?: Record<string, unknown> } };
    return Object.keys(tf.terraform?.backend ?? {})[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
