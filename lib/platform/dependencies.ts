import { IConstruct } from 'constructs';
import { TerraformResource } from 'cdktf';

/**
 * Makes every Helm release under `dependant` wait for every resource under `dependencies`
 * (cdktf has no construct-level depends_on). Releases are what Helm waits on for readiness, so
 * ordering them orders the workloads: GPU pods after the pool's node provisioning, custom resources
 * after their CRDs.
 */
export function addDependencies(dependant: IConstruct, dependencies: IConstruct[]): void {
  const targets = dependencies.flatMap((d) => d.node.findAll()).filter((c): c is TerraformResource => c instanceof TerraformResource && c.terraformResourceType === 'helm_release');
  if (targets.length === 0) return;
  for (const r of dependant.node.findAll()) {
    if (!(r instanceof TerraformResource) || r.terraformResourceType !== 'helm_release') continue;
    const existing = r.dependsOn ?? [];
    const add = targets.filter((t) => t !== r && !existing.includes(t.fqn)).map((t) => t.fqn);
    r.dependsOn = [...existing, ...add];
  }
}
