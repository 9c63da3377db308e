-- Mixtral-8x22B: 56 layers, 8 experts of FFN width 16384, top-2, grouped-query
-- attention with 48 query heads and 8 key/value heads of 128.
-- Source: mistral-community/Mixtral-8x22B-v0.1 config.json (hidden_size 6144,
-- intermediate_size 16384, num_hidden_layers 56, num_attention_heads 48,
-- num_key_value_heads 8, num_local_experts 8, num_experts_per_tok 2,
-- vocab_size 32000, torch_dtype bfloat16).
return {
  name = "mixtral-8x22b",
  description = "Mistral Mixtral-8x22B",
  layers = 56, experts = 8, top_k = 2,
  hidden = 6144, expert_ffn = 16384, vocab = 32000,
  attention = "gqa", heads = 48, kv_heads = 8, head_dim = 128,
  bytes_per_value = 2, bytes_per_weight = 2,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
