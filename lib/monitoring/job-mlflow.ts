import { IConstruct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ValidationError } from '../core/errors';
import { JobMlflowConfig } from '../jobs/config';
import { MlflowAccess, MlflowRegistry } from '../registry/mlflow-registry';
import { SecretEnvVar } from './scheduled-job';

/** Copy of `o` without its undefined members (the job configs are JSON: no undefined keys). */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** The MLflow settings a scheduled job takes. */
export interface JobMlflowProps {
  /** The registry the job logs to. */
  readonly registry?: MlflowRegistry;
  /** Experiment name. */
  readonly mlflowExperimentName?: string;
  /** Run tags. */
  readonly mlflowTags?: Record<string, string>;
  /** What the job waits for. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Wires a scheduled job to the MLflow registry: access granted to the job's pods with an MLflow user
 * of the job's own (NetworkPolicy + credentials Secret in its namespace; EDIT on the job's
 * experiment, which the job runtime would otherwise name `<jobName>`), the credentials added to
 * `secretEnv`, the registry's namespace to `egressNamespaces`, and the `mlflow` block of the job
 * config. Without a registry, MLflow-only props are an error.
 */
export function wireJobMlflow(
  scope: IConstruct,
  props: JobMlflowProps,
  namespace: string,
  podLabels: Record<string, string>,
  secretEnv: SecretEnvVar[],
  egressNamespaces: string[],
  jobName: string,
): { access?: MlflowAccess; config?: JobMlflowConfig } {
  if (!props.registry) {
    if (props.mlflowExperimentName !== undefined || props.mlflowTags !== undefined) {
      throw new ValidationError(scope, props.mlflowExperimentName !== undefined ? 'mlflowExperimentName' : 'mlflowTags', props.mlflowExperimentName ?? props.mlflowTags, 'applies only with registry');
    }
    return {};
  }
  for (const [k, v] of Object.entries(props.mlflowTags ?? {})) {
    if (k.length === 0 || typeof v !== 'string') throw new ValidationError(scope, `mlflowTags["${k}"]`, v, 'must map non-empty tag names to strings');
  }
  const experimentName = props.mlflowExperimentName ?? jobName;
  const access = props.registry.grantAccess({ namespace, name: jobName, podLabels, experiments: [experimentName], dependsOn: props.dependsOn });
  secretEnv.push(
    { name: access.usernameKey, secretName: access.credentialsSecretName, secretKey: access.usernameKey },
    { name: access.passwordKey, secretName: access.credentialsSecretName, secretKey: access.passwordKey },
  );
  egressNamespaces.push(props.registry.namespace);
  const config = compact({
    trackingUri: access.trackingUri,
    experimentName,
    usernameEnv: access.usernameKey,
    passwordEnv: access.passwordKey,
    tags: props.mlflowTags,
  }) as unknown as JobMlflowConfig;
  return { access, config };
}
