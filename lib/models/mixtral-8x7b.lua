-- Mixtral-8x7B: 32 layers, 8 experts of FFN width 14336, top-2, grouped-query
-- attention with 32 query heads and 8 key/value heads of 128.
-- Source: mistralai/Mixtral-8x7B-v0.1 config.json (hidden_size 4096,
-- intermediate_size 14336, num_hidden_layers 32, num_attention_heads 32,
-- num_key_value_heads 8, num_local_experts 8, num_experts_per_tok 2,
-- vocab_size 32000, torch_dtype bfloat16).
return {
  name = "mixtral-8x7b",
  description = "Mistral Mixtral-8x7B",
  layers = 32, experts = 8, top_k = 2,
  hidden = 4096, expert_ffn = 14336, vocab = 32000,
  attention = "gqa", heads = 32, kv_heads = 8, head_dim = 128,
  bytes_per_value = 2, bytes_per_weight = 2,
  ctx_flops = 0,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
