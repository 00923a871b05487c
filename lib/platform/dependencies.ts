import { IConstruct } from 'constructs';
import { dependable, TerraformResource } from 'cdktf';

/** Releases already added to each resource's depends_on by {@link addDependencies} (no duplicates). */
const added = new WeakMap<TerraformResource, Set<TerraformResource>>();

/**
 * Makes every Helm release under `dependant` wait for every resource under `dependencies`
 * (cdktf has no construct-level depends_on). Releases are what Helm waits on for readiness, so
 * ordering them orders the workloads: GPU pods after the pool's node provisioning, custom resources
 * after their CRDs.
 *
 * Entries are `dependable(release)`, which renders as the static address `helm_release.<id>`
 * that Terraform requires in `depends_on` (the raw `fqn` token would render as the interpolation
 * `"${helm_release.<id>}"`, which `terraform init` rejects).
 */
export function addDependencies(dependant: IConstruct, dependencies: IConstruct[]): void {
  const targets = dependencies.flatMap((d) => d.node.findAll()).filter((c): c is TerraformResource => c instanceof TerraformResource && c.terraformResourceType === 'helm_release');
  if (targets.length === 0) return;
  for (const r of dependant.node.findAll()) {
    if (!(r instanceof TerraformResource) || r.terraformResourceType !== 'helm_release') continue;
    const done = added.get(r) ?? new Set<TerraformResource>();
    added.set(r, done);
    const add = targets.filter((t) => t !== r && !done.has(t));
    add.forEach((t) => done.add(t));
    r.dependsOn = [...(r.dependsOn ?? []), ...add.map((t) => dependable(t))];
  }
}
