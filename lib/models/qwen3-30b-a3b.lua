-- Qwen3-30B-A3B: 48 layers of 128 experts of width 768, top-8, grouped-query
-- attention with 32 query heads and 4 key/value heads of 128.
-- Source: Qwen/Qwen3-30B-A3B config.json (hidden_size 2048, num_hidden_layers 48,
-- num_attention_heads 32, num_key_value_heads 4, head_dim 128, num_experts 128,
-- num_experts_per_tok 8, moe_intermediate_size 768, vocab_size 151936, bfloat16),
-- as mirrored in THUDM/slime scripts/models/qwen3-30B-A3B.sh.
return {
  name = "qwen3-30b-a3b",
  description = "Qwen3-30B-A3B",
  layers = 48, experts = 128, top_k = 8,
  hidden = 2048, expert_ffn = 768, vocab = 151936,
  attention = "gqa", heads = 32, kv_heads = 4, head_dim = 128,
  bytes_per_value = 2, bytes_per_weight = 2,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
