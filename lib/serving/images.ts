import { VLLM_ENGINE } from './engines/vllm';

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
 * the vLLM image is the vLLM engine's pinned release (lib/serving/engines/vllm.ts, with its source).
 * Bumping it means re-checking the flags and the metric names its module maps to the common signals.
 */
export const SERVING_IMAGES = {
  /** The vLLM OpenAI-compatible server (engines). */
  // The engine module's pin, with its source and check date (servingImageFactTable reads them).
  vllm: VLLM_ENGINE.image,
  /** The production-stack router. */
  router: { repository: 'lmcache/lmstack-router', tag: 'v0.1.12' },
} as const satisfies { readonly [name: string]: ImageSpec };

/** `repository:tag` of an image. */
export function imageRef(image: ImageSpec): string {
  return `${image.repository}:${image.tag}`;
}

/**
 * The serving images as a fact table for `docs/facts.md`. An image may carry its own provenance
 * (`source`, `checked`); otherwise the release it was pinned from. Used by the documentation
 * generator (`npm run facts`).
 */
export function servingImageFactTable(): import('../core/facts').FactTable {
  const pinnedFrom: { readonly [ref: string]: { readonly source: string; readonly checked: string } } = {
    'lmcache/lmstack-router:v0.1.12': { source: 'https://github.com/vllm-project/production-stack/releases/tag/vllm-stack-0.1.12', checked: '2026-11-23' },
  };
  return {
    id: 'serving-images',
    title: 'Serving images',
    file: 'lib/serving/images.ts',
    rows: Object.entries(SERVING_IMAGES).map(([name, image]) => {
      const own = image as ImageSpec & { readonly source?: string; readonly checked?: string };
      const ref = imageRef(image);
      return { fact: `${name} image`, value: ref, source: own.source ?? pinnedFrom[ref]?.source ?? '', checked: own.checked ?? pinnedFrom[ref]?.checked ?? '' };
    }),
  };
}
