-- LLaMA-MoE-3.5B (4/16): LLaMA-2-7B's FFNs split into 16 experts of width
-- 11008 / 16 = 688, 4 active per token.
return {
  name = "llama-moe-3.5b-4of16",
  layers = 32, experts = 16, top_k = 4,
  hidden = 4096, expert_ffn = 688, vocab = 32000,
  bytes_per_value = 2,
  gateway_flops = 2 * 4 * 4096 ^ 2,
  ctx_flops = 0,
  expert_flops = 2 * 3 * 4096 * 688,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
