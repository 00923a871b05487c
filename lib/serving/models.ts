/**
 * The shape of a transformer model: what right-sizing needs to estimate weights and KV-cache memory
 * and to check tensor parallelism. Values come from the model's published `config.json`
 * (`num_hidden_layers`, `num_attention_heads`, `num_key_value_heads`, `head_dim`,
 * `max_position_embeddings`, `hidden_size`, `vocab_size`, `tie_word_embeddings`) and the parameter
 * count of its safetensors.
 */
export interface ModelArchitecture {
  /** Total parameters, in billions (for mixture-of-experts models: all experts, e.g. 46.7 for Mixtral 8x7B). */
  readonly parametersBillions: number;
  /** Transformer layers (`num_hidden_layers`). */
  readonly layers: number;
  /** Attention (query) heads (`num_attention_heads`). Tensor parallelism must divide it. */
  readonly attentionHeads: number;
  /** Key/value heads (`num_key_value_heads`; equal to `attentionHeads` without grouped-query attention). */
  readonly kvHeads: number;
  /** Dimension of one head (`head_dim`, or `hidden_size / num_attention_heads` when the config has none). */
  readonly headDim: number;
  /** Longest context the model supports (`max_position_embeddings`), in tokens. */
  readonly contextLength: number;
  /**
   * Hidden size (`hidden_size`), used for the activation allowance.
   * @default attentionHeads × headDim
   */
  readonly hiddenSize?: number;
  /**
   * Vocabulary size (`vocab_size`). With it, embeddings and the LM head are counted at 16 bits
   * for quantized models (AWQ, GPTQ, FP8 and INT8 checkpoints keep them unquantized).
   * @default - every parameter is counted at the quantized width
   */
  readonly vocabSize?: number;
  /**
   * Whether the LM head shares the embedding matrix (`tie_word_embeddings`).
   * @default false
   */
  readonly tiedEmbeddings?: boolean;
}

type Row = [params: number, layers: number, heads: number, kvHeads: number, headDim: number, context: number, hidden: number, vocab: number, tied: boolean];

// [parameters (billions), layers, attention heads, KV heads, head dim, context, hidden, vocab, tied embeddings]
// From each model's config.json on the Hugging Face hub (base and instruct variants share it).
const ROWS: { readonly [id: string]: Row } = {
  'meta-llama/Llama-3.1-8B': [8.03, 32, 32, 8, 128, 131072, 4096, 128256, false],
  'meta-llama/Llama-3.1-70B': [70.55, 80, 64, 8, 128, 131072, 8192, 128256, false],
  'meta-llama/Llama-3.2-1B': [1.24, 16, 32, 8, 64, 131072, 2048, 128256, true],
  'meta-llama/Llama-3.2-3B': [3.21, 28, 24, 8, 128, 131072, 3072, 128256, true],
  'mistralai/Mistral-7B-v0.3': [7.25, 32, 32, 8, 128, 32768, 4096, 32768, false],
  'mistralai/Mixtral-8x7B-v0.1': [46.7, 32, 32, 8, 128, 32768, 4096, 32000, false],
  'Qwen/Qwen2.5-7B': [7.62, 28, 28, 4, 128, 32768, 3584, 152064, false],
  'Qwen/Qwen2.5-32B': [32.76, 64, 40, 8, 128, 32768, 5120, 152064, false],
  'Qwen/Qwen2.5-72B': [72.71, 80, 64, 8, 128, 32768, 8192, 152064, false],
  // Gemma 2: head_dim is 256 on 9B (16 heads × 256 ≠ hidden 3584) and 128 on 27B.
  'google/gemma-2-9b': [9.24, 42, 16, 8, 256, 8192, 3584, 256000, true],
  'google/gemma-2-27b': [27.23, 46, 32, 16, 128, 8192, 4608, 256000, true],
};

// The instruct/chat variants published next to each base model (same config.json shape).
const VARIANTS: { readonly [base: string]: string[] } = {
  'meta-llama/Llama-3.1-8B': ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Meta-Llama-3.1-8B-Instruct'],
  'meta-llama/Llama-3.1-70B': ['meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Meta-Llama-3.1-70B-Instruct'],
  'meta-llama/Llama-3.2-1B': ['meta-llama/Llama-3.2-1B-Instruct'],
  'meta-llama/Llama-3.2-3B': ['meta-llama/Llama-3.2-3B-Instruct'],
  'mistralai/Mistral-7B-v0.3': ['mistralai/Mistral-7B-Instruct-v0.3'],
  'mistralai/Mixtral-8x7B-v0.1': ['mistralai/Mixtral-8x7B-Instruct-v0.1'],
  'Qwen/Qwen2.5-7B': ['Qwen/Qwen2.5-7B-Instruct'],
  'Qwen/Qwen2.5-32B': ['Qwen/Qwen2.5-32B-Instruct'],
  'Qwen/Qwen2.5-72B': ['Qwen/Qwen2.5-72B-Instruct'],
  'google/gemma-2-9b': ['google/gemma-2-9b-it'],
  'google/gemma-2-27b': ['google/gemma-2-27b-it'],
};

function toArchitecture(r: Row): ModelArchitecture {
  const [parametersBillions, layers, attentionHeads, kvHeads, headDim, contextLength, hiddenSize, vocabSize, tiedEmbeddings] = r;
  return Object.freeze({ parametersBillions, layers, attentionHeads, kvHeads, headDim, contextLength, hiddenSize, vocabSize, tiedEmbeddings });
}

/**
 * Architectures of the models the library knows, by Hugging Face model id (base and instruct
 * variants). Models not listed here are served by giving `architecture` (or `baseModel`).
 */
export const MODEL_CATALOG: { readonly [modelId: string]: ModelArchitecture } = Object.freeze(
  Object.fromEntries(
    Object.entries(ROWS).flatMap(([base, row]) => {
      const arch = toArchitecture(row);
      return [base, ...(VARIANTS[base] ?? [])].map((id) => [id, arch] as const);
    }),
  ),
);

/** The catalog architecture of a Hugging Face model id (case-insensitive), or undefined. */
export function findModelArchitecture(modelId: string): ModelArchitecture | undefined {
  const wanted = modelId.trim().toLowerCase();
  const key = Object.keys(MODEL_CATALOG).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : MODEL_CATALOG[key];
}
