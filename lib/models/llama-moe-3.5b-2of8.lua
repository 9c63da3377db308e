-- LLaMA-MoE-3.5B (2/8): LLaMA-2-7B's FFNs split into 8 experts, 2 active.
-- FLOPs per token per layer (docs/model.md section 5): the gateway runs the four
-- attention projections, 2 * 4 * H^2; one expert runs a SwiGLU FFN of width
-- 11008 / 8 = 1376, 2 * 3 * H * 1376.
return {
  name = "llama-moe-3.5b-2of8",
  layers = 32, experts = 8, top_k = 2,
  hidden = 4096, expert_ffn = 1376, vocab = 32000,
  bytes_per_value = 2,                   -- 16-bit hidden states on the links
  gateway_flops = 2 * 4 * 4096 ^ 2,
  ctx_flops = 0,
  expert_flops = 2 * 3 * 4096 * 1376,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
