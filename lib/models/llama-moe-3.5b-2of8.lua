-- LLaMA-MoE-3.5B (2/8): LLaMA-2-7B's FFNs split into 8 experts, 2 active.
-- Source: github.com/pjlab-sys4nlp/llama-moe README (LLaMA-MoE-v1: 3.0B 2/16,
-- 3.5B 4/16, 3.5B 2/8) over LLaMA-2-7B's config.json (hidden_size 4096,
-- intermediate_size 11008, num_hidden_layers 32, num_attention_heads 32,
-- vocab_size 32000); an expert is 11008 / 8 = 1376 wide. FLOPs per token per
-- layer (docs/model.md section 5): attention projections 2 * 4 * H^2 at the
-- gateway, a SwiGLU expert 2 * 3 * H * 1376; both derived from these numbers.
return {
  name = "llama-moe-3.5b-2of8",
  description = "LLaMA-MoE-v1-3.5B (2/8), the paper's model",
  layers = 32, experts = 8, top_k = 2,
  hidden = 4096, expert_ffn = 1376, vocab = 32000,
  attention = "mha", heads = 32,
  bytes_per_value = 2,                   -- 16-bit hidden states on the links
  bytes_per_weight = 2,                  -- bfloat16 weights
  ctx_flops = 0,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
