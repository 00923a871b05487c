import { ModelPrecision } from './precision';

/**
 * The shape of a transformer model: what right-sizing needs to estimate weights and KV-cache memory
 * and to check tensor parallelism. Values come from the model's published `config.json`
 * (`num_hidden_layers`, `num_attention_heads`, `num_key_value_heads`, `head_dim`,
 * `max_position_embeddings`, `hidden_size`, `vocab_size`, `tie_word_embeddings`; for
 * mixture-of-experts, multi-head latent attention and sliding-window models the fields named on each
 * optional property) and the parameter count of its safetensors.
 */
export interface ModelArchitecture {
  /**
   * Total parameters, in billions. For mixture-of-experts models every expert: vLLM keeps all of
   * them in GPU memory (e.g. 46.7 for Mixtral 8x7B, 671 for DeepSeek-V3).
   */
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
   * for quantized models (AWQ, GPTQ, FP8, INT8 and MXFP4 checkpoints keep them unquantized).
   * @default - every parameter is counted at the quantized width
   */
  readonly vocabSize?: number;
  /**
   * Whether the LM head shares the embedding matrix (`tie_word_embeddings`).
   * @default false
   */
  readonly tiedEmbeddings?: boolean;
  /**
   * Parameters one token uses, in billions (mixture-of-experts: shared layers plus the routed
   * experts of one token). Only compute depends on it; memory always holds `parametersBillions`.
   * @default parametersBillions (a dense model)
   */
  readonly activeParametersBillions?: number;
  /**
   * Parameters of the routed experts' weights, in billions (the part MXFP4 checkpoints quantize
   * and expert parallelism distributes).
   * @default 0 (a dense model)
   */
  readonly expertParametersBillions?: number;
  /**
   * Routed experts per MoE layer (`num_local_experts`, `num_experts` or `n_routed_experts`).
   * @default - a dense model
   */
  readonly experts?: number;
  /**
   * Routed experts per token (`num_experts_per_tok` or `experts_per_token`).
   * @default - a dense model
   */
  readonly expertsPerToken?: number;
  /**
   * Intermediate size of one routed expert (`moe_intermediate_size`, or `intermediate_size` where
   * the config has no separate one). Tensor parallelism without expert parallelism splits it
   * across ranks: it must divide evenly, and into whole FP8 blocks for block-quantized checkpoints.
   * @default - no check
   */
  readonly moeIntermediateSize?: number;
  /**
   * Rank of the compressed KV latent of multi-head latent attention (`kv_lora_rank`, DeepSeek-V2/V3).
   * With it the KV cache holds, per token and layer, one vector of `kvLoraRank + qkRopeHeadDim`
   * elements (not `2 × kvHeads × headDim`), and every tensor-parallel rank keeps a full copy.
   * @default - no MLA
   */
  readonly kvLoraRank?: number;
  /**
   * Dimension of the decoupled rotary key of MLA (`qk_rope_head_dim`), cached next to the latent.
   * @default 0
   */
  readonly qkRopeHeadDim?: number;
  /**
   * Window of the local attention layers, in tokens: `sliding_window` (Gemma 2/3, gpt-oss) or
   * Llama 4's `attention_chunk_size`. vLLM's hybrid KV cache manager keeps only the window for
   * those layers.
   * @default - every layer attends to the whole context
   */
  readonly slidingWindow?: number;
  /**
   * How many of the layers use the window (`layer_types` entries `sliding_attention`; Gemma 3: 5 of
   * every 6; gpt-oss: every other; Llama 4: 3 of every 4). The others keep every token.
   * @default 0
   */
  readonly slidingWindowLayers?: number;
  /**
   * Format of the published weights, used when a served model sets no `precision` (gpt-oss: MXFP4
   * experts; DeepSeek-V3/R1: FP8 with 128 × 128 blocks).
   * @default ModelPrecision.BF16
   */
  readonly checkpointPrecision?: ModelPrecision;
  /**
   * Block size of a block-quantized FP8 checkpoint (`weight_block_size`), for the tensor-parallel
   * shape check.
   * @default - not block-quantized
   */
  readonly weightBlockSize?: number;
}

/** A model of the catalog: its architecture, where it was read and the ids it is published under. */
interface CatalogModel {
  readonly arch: ModelArchitecture;
  /** The config.json the shape was read from (an https page), or the page that stated it. */
  readonly source: string;
  /** Date the shape was compared with {@link CatalogModel.source}. */
  readonly checked: string;
  /** Other Hugging Face ids with the same config.json shape (instruct/chat variants). */
  readonly variants: string[];
}

const hf = (id: string) => `https://huggingface.co/${id}/blob/main/config.json`;
const CHECKED = '2026-12-07';
// Rows pinned before this check (without internet) and not re-read on CHECKED keep their date.
const PINNED = '2025-06-30';

type Dense = [params: number, layers: number, heads: number, kvHeads: number, headDim: number, context: number, hidden: number, vocab: number, tied: boolean];
function dense(r: Dense, extra: Partial<ModelArchitecture> = {}): ModelArchitecture {
  const [parametersBillions, layers, attentionHeads, kvHeads, headDim, contextLength, hiddenSize, vocabSize, tiedEmbeddings] = r;
  return { parametersBillions, layers, attentionHeads, kvHeads, headDim, contextLength, hiddenSize, vocabSize, tiedEmbeddings, ...extra };
}

// [parameters (billions), layers, attention heads, KV heads, head dim, context, hidden, vocab, tied embeddings]
// Parameter counts of models added on CHECKED are computed from their config.json shapes
// (attention + MLP or experts + embeddings), and agree with the sizes the model pages state.
const MODELS: { readonly [id: string]: CatalogModel } = {
  'meta-llama/Llama-3.1-8B': { arch: dense([8.03, 32, 32, 8, 128, 131072, 4096, 128256, false]), source: hf('meta-llama/Llama-3.1-8B'), checked: PINNED, variants: ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Meta-Llama-3.1-8B-Instruct'] },
  'meta-llama/Llama-3.1-70B': { arch: dense([70.55, 80, 64, 8, 128, 131072, 8192, 128256, false]), source: hf('meta-llama/Llama-3.1-70B'), checked: PINNED, variants: ['meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Meta-Llama-3.1-70B-Instruct'] },
  // Llama 3.3 70B is the Llama 3.1 70B architecture (vllm-project/recipes Llama/Llama3.3-70B.md serves it as such).
  'meta-llama/Llama-3.3-70B-Instruct': { arch: dense([70.55, 80, 64, 8, 128, 131072, 8192, 128256, false]), source: `${hf('meta-llama/Llama-3.3-70B-Instruct')} (not reached on ${CHECKED}: the row is Llama 3.1 70B's shape, which Llama 3.3 keeps)`, checked: CHECKED, variants: [] },
  'meta-llama/Llama-3.2-1B': { arch: dense([1.24, 16, 32, 8, 64, 131072, 2048, 128256, true]), source: hf('meta-llama/Llama-3.2-1B'), checked: PINNED, variants: ['meta-llama/Llama-3.2-1B-Instruct'] },
  'meta-llama/Llama-3.2-3B': { arch: dense([3.21, 28, 24, 8, 128, 131072, 3072, 128256, true]), source: hf('meta-llama/Llama-3.2-3B'), checked: PINNED, variants: ['meta-llama/Llama-3.2-3B-Instruct'] },
  // Llama 4: MoE (Scout 16 experts in every layer; Maverick 128 experts in every other layer, one
  // shared expert each), text config hidden 5120, 48 layers, 40 heads, 8 KV heads, head 128, vocab
  // 202048, attention_chunk_size 8192. vLLM gives the RoPE layers chunked local attention and the
  // NoPE layers (every 4th) global attention (vllm/model_executor/models/llama4.py). Parameters:
  // text model from the config shapes (107.8 B / 400.7 B) plus the shared vision encoder, as the model pages state.
  'meta-llama/Llama-4-Scout-17B-16E-Instruct': {
    arch: dense([108.6, 48, 40, 8, 128, 10485760, 5120, 202048, false], { activeParametersBillions: 17.17, expertParametersBillions: 96.64, experts: 16, expertsPerToken: 1, moeIntermediateSize: 8192, slidingWindow: 8192, slidingWindowLayers: 36 }),
    source: 'aws-neuron/neuronx-distributed-inference: Llama 4 Scout text_config (a copy of https://huggingface.co/meta-llama/Llama-4-Scout-17B-16E-Instruct/blob/main/config.json)', checked: CHECKED, variants: ['meta-llama/Llama-4-Scout-17B-16E'],
  },
  'meta-llama/Llama-4-Maverick-17B-128E-Instruct': {
    arch: dense([401.6, 48, 40, 8, 128, 1048576, 5120, 202048, false], { activeParametersBillions: 17.17, expertParametersBillions: 386.55, experts: 128, expertsPerToken: 1, moeIntermediateSize: 8192, slidingWindow: 8192, slidingWindowLayers: 36 }),
    source: 'NVIDIA/TensorRT-LLM: LLAMA_4_MAVERICK_TWO_LAYER_CONFIG (the Maverick config.json with 2 of its 48 layers; https://huggingface.co/meta-llama/Llama-4-Maverick-17B-128E-Instruct/blob/main/config.json)', checked: CHECKED, variants: ['meta-llama/Llama-4-Maverick-17B-128E'],
  },
  'mistralai/Mistral-7B-v0.3': { arch: dense([7.25, 32, 32, 8, 128, 32768, 4096, 32768, false]), source: hf('mistralai/Mistral-7B-v0.3'), checked: PINNED, variants: ['mistralai/Mistral-7B-Instruct-v0.3'] },
  'mistralai/Mixtral-8x7B-v0.1': { arch: dense([46.7, 32, 32, 8, 128, 32768, 4096, 32000, false], { activeParametersBillions: 12.9, experts: 8, expertsPerToken: 2, moeIntermediateSize: 14336 }), source: hf('mistralai/Mixtral-8x7B-v0.1'), checked: PINNED, variants: ['mistralai/Mixtral-8x7B-Instruct-v0.1'] },
  // Mistral Small 3 (24B, text only, 32k context).
  'mistralai/Mistral-Small-24B-Base-2501': { arch: dense([23.57, 40, 32, 8, 128, 32768, 5120, 131072, false]), source: hf('mistralai/Mistral-Small-24B-Base-2501'), checked: CHECKED, variants: ['mistralai/Mistral-Small-24B-Instruct-2501'] },
  // Qwen2.5: the base checkpoints declare 131072 positions, the instruct ones 32768 (their model
  // cards extend it with YaRN rope scaling, which the served config must enable).
  'Qwen/Qwen2.5-7B': { arch: dense([7.62, 28, 28, 4, 128, 131072, 3584, 152064, false]), source: hf('Qwen/Qwen2.5-7B'), checked: CHECKED, variants: [] },
  'Qwen/Qwen2.5-7B-Instruct': { arch: dense([7.62, 28, 28, 4, 128, 32768, 3584, 152064, false]), source: hf('Qwen/Qwen2.5-7B-Instruct'), checked: CHECKED, variants: [] },
  'Qwen/Qwen2.5-32B': { arch: dense([32.76, 64, 40, 8, 128, 131072, 5120, 152064, false]), source: `${hf('Qwen/Qwen2.5-32B')} (not reached on ${CHECKED}: 131072 positions as the 7B and 72B base configs declare)`, checked: CHECKED, variants: [] },
  'Qwen/Qwen2.5-32B-Instruct': { arch: dense([32.76, 64, 40, 8, 128, 32768, 5120, 152064, false]), source: `${hf('Qwen/Qwen2.5-32B-Instruct')} (not reached on ${CHECKED}: 32768 positions as the 7B and 72B instruct configs declare)`, checked: CHECKED, variants: [] },
  'Qwen/Qwen2.5-72B': { arch: dense([72.71, 80, 64, 8, 128, 131072, 8192, 152064, false]), source: hf('Qwen/Qwen2.5-72B'), checked: CHECKED, variants: [] },
  'Qwen/Qwen2.5-72B-Instruct': { arch: dense([72.71, 80, 64, 8, 128, 32768, 8192, 152064, false]), source: hf('Qwen/Qwen2.5-72B-Instruct'), checked: CHECKED, variants: [] },
  // Qwen3 (one checkpoint per size: thinking and non-thinking modes), 40960 positions.
  'Qwen/Qwen3-8B': { arch: dense([8.19, 36, 32, 8, 128, 40960, 4096, 151936, false]), source: hf('Qwen/Qwen3-8B'), checked: CHECKED, variants: ['Qwen/Qwen3-8B-Base'] },
  'Qwen/Qwen3-32B': { arch: dense([32.76, 64, 64, 8, 128, 40960, 5120, 151936, false]), source: hf('Qwen/Qwen3-32B'), checked: CHECKED, variants: [] },
  'Qwen/Qwen3-30B-A3B': {
    arch: dense([30.53, 48, 32, 4, 128, 40960, 2048, 151936, false], { activeParametersBillions: 3.34, expertParametersBillions: 28.99, experts: 128, expertsPerToken: 8, moeIntermediateSize: 768 }),
    source: 'Ascend/MindSpeed-RL: configs/model/qwen3_30b_a3b.yaml (the Qwen/Qwen3-30B-A3B config.json shape; https://huggingface.co/Qwen/Qwen3-30B-A3B/blob/main/config.json)', checked: CHECKED, variants: ['Qwen/Qwen3-30B-A3B-Base'],
  },
  'Qwen/Qwen3-235B-A22B': {
    arch: dense([235.09, 94, 64, 4, 128, 40960, 4096, 151936, false], { activeParametersBillions: 22.14, expertParametersBillions: 227.1, experts: 128, expertsPerToken: 8, moeIntermediateSize: 1536 }),
    source: 'Ascend/MindSpeed-RL: configs/model/qwen3_235b_a22b.yaml (the Qwen/Qwen3-235B-A22B config.json shape; https://huggingface.co/Qwen/Qwen3-235B-A22B/blob/main/config.json)', checked: CHECKED, variants: [],
  },
  // The FP8 release: 128 × 128 weight blocks, so TP 8 (1536 / 8 = 192 per GPU) cannot load without expert parallelism.
  'Qwen/Qwen3-235B-A22B-FP8': {
    arch: dense([235.09, 94, 64, 4, 128, 40960, 4096, 151936, false], { activeParametersBillions: 22.14, expertParametersBillions: 227.1, experts: 128, expertsPerToken: 8, moeIntermediateSize: 1536, checkpointPrecision: ModelPrecision.FP8, weightBlockSize: 128 }),
    source: `${hf('Qwen/Qwen3-235B-A22B-FP8')} (not reached on ${CHECKED}: shape of Qwen/Qwen3-235B-A22B; 128 × 128 blocks as reported with the TP 8 load error "output_size of gate's and up's weight = 192 is not divisible by weight quantization block_n = 128")`, checked: CHECKED, variants: [],
  },
  // gpt-oss: MXFP4 experts (4.25 bits: 4-bit values + an 8-bit scale per 32), attention, router and
  // embeddings in bf16 (quantization_config.modules_to_not_convert); layer_types alternate a
  // 128-token sliding window and full attention. Parameter split from OpenAI's model card
  // (120b: MLP 114.71 B of 116.83 B, 5.13 B active; 20b: 19.12 B of 20.91 B, 3.61 B active), which
  // the config shapes reproduce.
  'openai/gpt-oss-120b': {
    arch: dense([116.83, 36, 64, 8, 64, 131072, 2880, 201088, false], { activeParametersBillions: 5.13, expertParametersBillions: 114.71, experts: 128, expertsPerToken: 4, moeIntermediateSize: 2880, slidingWindow: 128, slidingWindowLayers: 18, checkpointPrecision: ModelPrecision.MXFP4 }),
    source: hf('openai/gpt-oss-120b'), checked: CHECKED, variants: [],
  },
  'openai/gpt-oss-20b': {
    arch: dense([20.91, 24, 64, 8, 64, 131072, 2880, 201088, false], { activeParametersBillions: 3.61, expertParametersBillions: 19.12, experts: 32, expertsPerToken: 4, moeIntermediateSize: 2880, slidingWindow: 128, slidingWindowLayers: 12, checkpointPrecision: ModelPrecision.MXFP4 }),
    source: hf('openai/gpt-oss-20b'), checked: CHECKED, variants: [],
  },
  // Gemma 2: head_dim is 256 on 9B (16 heads × 256 ≠ hidden 3584) and 128 on 27B; every other
  // layer is a 4096-token sliding window.
  'google/gemma-2-9b': { arch: dense([9.24, 42, 16, 8, 256, 8192, 3584, 256000, true], { slidingWindow: 4096, slidingWindowLayers: 21 }), source: hf('google/gemma-2-9b'), checked: CHECKED, variants: ['google/gemma-2-9b-it'] },
  'google/gemma-2-27b': { arch: dense([27.23, 46, 32, 16, 128, 8192, 4608, 256000, true], { slidingWindow: 4096, slidingWindowLayers: 23 }), source: hf('google/gemma-2-27b'), checked: CHECKED, variants: ['google/gemma-2-27b-it'] },
  // Gemma 3 27B (text_config): 62 layers, 5 sliding (window 1024) per global one (layers 6, 12, …,
  // 60 are global: 10 global, 52 sliding). Parameters include the vision encoder.
  'google/gemma-3-27b-it': { arch: dense([27.43, 62, 32, 16, 128, 131072, 5376, 262208, true], { slidingWindow: 1024, slidingWindowLayers: 52 }), source: hf('google/gemma-3-27b-it'), checked: CHECKED, variants: ['google/gemma-3-27b-pt'] },
  // DeepSeek-R1 distills: the base models' shapes (Llama 3.1 8B, Qwen2.5 32B with 131072 positions).
  'deepseek-ai/DeepSeek-R1-Distill-Llama-8B': { arch: dense([8.03, 32, 32, 8, 128, 131072, 4096, 128256, false]), source: `${hf('deepseek-ai/DeepSeek-R1-Distill-Llama-8B')} (not reached on ${CHECKED}: the row is its base model Llama 3.1 8B's shape)`, checked: CHECKED, variants: [] },
  'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B': { arch: dense([32.76, 64, 40, 8, 128, 131072, 5120, 152064, false]), source: hf('deepseek-ai/DeepSeek-R1-Distill-Qwen-32B'), checked: CHECKED, variants: [] },
  // DeepSeek-V3 / R1: 61 layers (3 dense, 58 MoE with 256 routed experts of 2048 and one shared),
  // 128 heads, MLA (kv_lora_rank 512, qk_rope_head_dim 64), FP8 weights in 128 × 128 blocks,
  // 163840 positions. 671 B parameters without the 14 B multi-token-prediction layer vLLM does
  // not load unless asked to; 37 B active.
  'deepseek-ai/DeepSeek-V3': {
    arch: dense([671.05, 61, 128, 128, 128, 163840, 7168, 129280, false], {
      activeParametersBillions: 37, expertParametersBillions: 653.9, experts: 256, expertsPerToken: 8, moeIntermediateSize: 2048,
      kvLoraRank: 512, qkRopeHeadDim: 64, checkpointPrecision: ModelPrecision.FP8, weightBlockSize: 128,
    }),
    source: hf('deepseek-ai/DeepSeek-V3'), checked: CHECKED, variants: ['deepseek-ai/DeepSeek-V3-0324', 'deepseek-ai/DeepSeek-R1', 'deepseek-ai/DeepSeek-R1-0528'],
  },
};

function freeze(a: ModelArchitecture): ModelArchitecture {
  return Object.freeze({ ...a });
}

/**
 * Architectures of the models the library knows, by Hugging Face model id (base and instruct
 * variants). Models not listed here are served by giving `architecture` (or `baseModel`).
 */
export const MODEL_CATALOG: { readonly [modelId: string]: ModelArchitecture } = Object.freeze(
  Object.fromEntries(
    Object.entries(MODELS).flatMap(([id, m]) => {
      const arch = freeze(m.arch);
      return [id, ...m.variants].map((v) => [v, arch] as const);
    }),
  ),
);

/** The catalog architecture of a Hugging Face model id (case-insensitive), or undefined. */
export function findModelArchitecture(modelId: string): ModelArchitecture | undefined {
  const wanted = modelId.trim().toLowerCase();
  const key = Object.keys(MODEL_CATALOG).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : MODEL_CATALOG[key];
}

/**
 * The model catalog as a fact table for `docs/facts.md`: one row per catalog model, with the variants
 * that share its shape, the page it was read from and the date. Used by the documentation generator
 * (`npm run facts`).
 */
export function modelCatalogFactTable(): import('../core/facts').FactTable {
  return {
    id: 'model-shapes',
    title: 'Model shapes',
    file: 'lib/serving/models.ts',
    rows: Object.entries(MODELS).map(([id, m]) => ({
      fact: m.variants.length > 0 ? `${id} (also ${m.variants.join(', ')})` : id,
      value: `${m.arch.parametersBillions}B parameters, ${m.arch.layers} layers, ${m.arch.attentionHeads} heads / ${m.arch.kvHeads} KV heads × ${m.arch.headDim}, context ${m.arch.contextLength}`,
      source: m.source,
      checked: m.checked,
    })),
  };
}
