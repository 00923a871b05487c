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
  /**
   * The served name of each name in `modelNames` (aliases such as the Hugging Face id map to the
   * model's served name, the `model_name` label of its metrics). Alerts label models by served name.
   * @default - every name is its own served name
   */
  readonly servedModelNames?: Record<string, string>;
  /**
   * The weights' id (Hugging Face id or S3 URL) of each served name; alerts carry it as `model_id`.
   * @default - no `model_id` label
   */
  readonly modelIds?: Record<string, string>;
  /**
   * The model an evaluation uses when it names none: set when the endpoint serves exactly one model,
   * even under several names (a vLLM engine answers to its short name and its Hugging Face id).
   * @default - the only entry of `modelNames` when there is exactly one, else none
   */
  readonly defaultModel?: string;
}
