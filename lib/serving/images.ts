/** A container image pinned by tag. */
export interface ImageSpec {
  /** Repository, e.g. `vllm/vllm-openai`. */
  readonly repository: string;
  /** Tag (never `latest`). */
  readonly tag: string;
}

/**
 * The images serving runs, in one place. The router image is the one the production-stack
 * release pipeline publishes with the chart version (`lmcache/lmstack-router:v<chart version>`);
 * the vLLM image is the release the router of that chart version is built and tested against.
 * Bumping either means re-checking the metric names the alerts, dashboard and autoscalers use.
 */
export const SERVING_IMAGES = {
  /** The vLLM OpenAI-compatible server (engines). */
  vllm: { repository: 'vllm/vllm-openai', tag: 'v0.13.0' },
  /** The production-stack router. */
  router: { repository: 'lmcache/lmstack-router', tag: 'v0.1.12' },
} as const satisfies { readonly [name: string]: ImageSpec };

/** `repository:tag` of an image. */
export function imageRef(image: ImageSpec): string {
  return `${image.repository}:${image.tag}`;
}
