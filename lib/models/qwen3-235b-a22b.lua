-- Qwen3-235B-A22B: 94 layers of 128 experts of width 1536, top-8, grouped-query
-- attention with 64 query heads and 4 key/value heads of 128.
-- Source: Qwen/Qwen3-235B-A22B config.json (hidden_size 4096, num_hidden_layers 94,
-- num_attention_heads 64, num_key_value_heads 4, head_dim 128, num_experts 128,
-- num_experts_per_tok 8, moe_intermediate_size 1536, vocab_size 151936, bfloat16),
-- as mirrored in THUDM/slime scripts/models/qwen3-235B-A22B.sh.
return {
  name = "qwen3-235b-a22b",
  description = "Qwen3-235B-A22B",
  layers = 94, experts = 128, top_k = 8,
  hidden = 4096, expert_ffn = 1536, vocab = 151936,
  attention = "gqa", heads = 64, kv_heads = 4, head_dim = 128,
  bytes_per_value = 2, bytes_per_weight = 2,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
