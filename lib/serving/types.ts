/** Which autoscaler scales the engines. */
export enum AutoscalerKind {
  /** KEDA with Prometheus triggers (scale-to-zero capable). */
  KEDA = 'KEDA',
  /** An `autoscaling/v2` HPA on a per-pod custom metric (needs a custom metrics adapter such as prometheus-adapter). */
  HPA = 'HPA',
  /** Fixed replicas (`replicas.min` must equal `replicas.max`). */
  NONE = 'NONE',
}

/** The signal a model scales on. */
export enum ScalingMetric {
  /** Requests waiting in the engine's queue (common signal `aiplatform:serving_requests_waiting`), per replica. */
  QUEUE_DEPTH = 'QUEUE_DEPTH',
  /** KV-cache usage (common signal `aiplatform:serving_kv_cache_usage_ratio`), per replica. */
  KV_CACHE_USAGE = 'KV_CACHE_USAGE',
}

/** How the router picks an engine among those serving the requested model. */
export enum RouterRoutingLogic {
  /** Round robin. */
  ROUND_ROBIN = 'roundrobin',
  /** Prefer the engine that served the longest common prompt prefix (better prefix-cache hits). */
  PREFIX_AWARE = 'prefixaware',
}

/** Access mode of the model cache volume. */
export enum VolumeAccessMode {
  /** Shared by every engine pod on every node (EFS, FSx). */
  READ_WRITE_MANY = 'ReadWriteMany',
  /** One node at a time (EBS): only for a single replica of a single model. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
}
