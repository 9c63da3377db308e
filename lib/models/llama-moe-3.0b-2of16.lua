-- LLaMA-MoE-3.0B (2/16): LLaMA-2-7B's FFNs split into 16 experts of width
-- 11008 / 16 = 688, 2 active per token. Source: github.com/pjlab-sys4nlp/llama-moe
-- README over LLaMA-2-7B's config.json (see llama-moe-3.5b-2of8.lua).
return {
  name = "llama-moe-3.0b-2of16",
  description = "LLaMA-MoE-v1-3.0B (2/16)",
  layers = 32, experts = 16, top_k = 2,
  hidden = 4096, expert_ffn = 688, vocab = 32000,
  attention = "mha", heads = 32,
  bytes_per_value = 2, bytes_per_weight = 2,
  ctx_flops = 0,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
