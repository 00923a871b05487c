// The declared context of the TypeScript fragments in README.md and docs/*.md (see "Docs that run"
// in docs/contributing.md). A fragment is type-checked as the body of `function (this: Construct)`
// with every name below in scope, so `cluster`, `observability`, … in a fragment have these types.
// Add a name here when a doc fragment needs one more; keep the types the public ones.
import type { App, TerraformStack } from 'cdktf';
import type {
  AiPlatform,
  GpuNodePool,
  ICluster,
  IGpuNodePool,
  MlflowRegistry,
  Observability,
  PlatformNamespace,
  VllmServingStack,
} from 'cdktf-ai-platform';

export declare const app: App;
export declare const stack: TerraformStack;
export declare const cluster: ICluster;
export declare const platform: AiPlatform;
export declare const observability: Observability;
export declare const registry: MlflowRegistry;
export declare const gpuPool: IGpuNodePool;
export declare const inferencePool: GpuNodePool;
export declare const batchPool: GpuNodePool;
export declare const llama: VllmServingStack;
export declare const evalsNamespace: PlatformNamespace;
/** A Grafana dashboard model (JSON object). */
export declare const routerDashboard: Record<string, unknown>;
