/**
 * An OpenAI-compatible endpoint served in the cluster (the vLLM serving stack's router implements
 * it): where to send chat completions, which models it serves, and the Secret holding its API key.
 */
export interface IOpenAiEndpoint {
  /** In-cluster base URL, e.g. `http://llama-router-service.serving.svc.cluster.local/v1`. */
  readonly baseUrl: string;
  /** Name of the Kubernetes Secret with the API key (in `namespace`). */
  readonly apiKeySecretName: string;
  /** Key of the API key in that Secret. */
  readonly apiKeySecretKey: string;
  /** Namespace of the endpoint's Service and of the API key Secret. */
  readonly namespace: string;
  /** Names of the served models (the `model` of a request). */
  readonly modelNames: string[];
}
