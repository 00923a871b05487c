/** Numeric format of a model's weights, as served by vLLM. */
export enum ModelPrecision {
  /** bfloat16 (2 bytes per parameter; needs compute capability 8.0+: A10G, L4, L40S, A100, H100). */
  BF16 = 'BF16',
  /** float16 (2 bytes per parameter; the choice on T4). */
  FP16 = 'FP16',
  /** FP8 weights: an FP8 checkpoint, or a 16-bit one quantized on load (`--quantization fp8`). Native on 8.9+ (L4, L40S, H100). */
  FP8 = 'FP8',
  /** INT8 (W8A8) checkpoint, e.g. compressed-tensors; the format is read from the checkpoint. */
  INT8 = 'INT8',
  /** 4-bit AWQ checkpoint (group size 128); the format is read from the checkpoint. */
  AWQ_INT4 = 'AWQ_INT4',
  /** 4-bit GPTQ checkpoint (group size 128); the format is read from the checkpoint. */
  GPTQ_INT4 = 'GPTQ_INT4',
  /**
   * MXFP4 checkpoint (gpt-oss): the MoE expert weights in 4-bit values with an 8-bit scale per 32
   * (4.25 bits), everything else in bfloat16; the format is read from the checkpoint.
   */
  MXFP4 = 'MXFP4',
}

/** Data type of the KV cache. */
export enum KvCacheDtype {
  /** The model's activation type (16-bit): 2 bytes per element. */
  AUTO = 'AUTO',
  /** FP8 (`--kv-cache-dtype fp8`): 1 byte per element, about twice the concurrent tokens. */
  FP8 = 'FP8',
}
