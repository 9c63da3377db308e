-- DeepSeek-V2-Lite: 27 layers, the first dense (FFN width 10944), the other 26
-- with 64 routed experts of width 1408 (top-6) and 2 shared experts of width
-- 1408; multi-head latent attention (16 heads, no query compression, key/value
-- rank 512, head dims 128 + 64 rope, value 128).
-- Source: deepseek-ai/DeepSeek-V2-Lite config.json (hidden_size 2048,
-- intermediate_size 10944, num_hidden_layers 27, first_k_dense_replace 1,
-- num_attention_heads 16, q_lora_rank null, kv_lora_rank 512,
-- qk_nope_head_dim 128, qk_rope_head_dim 64, v_head_dim 128,
-- n_routed_experts 64, n_shared_experts 2, num_experts_per_tok 6,
-- moe_intermediate_size 1408, vocab_size 102400, bfloat16).
return {
  name = "deepseek-v2-lite",
  description = "DeepSeek-V2-Lite",
  layers = 26, dense_layers = 1, dense_ffn = 10944,
  experts = 64, top_k = 6, expert_ffn = 1408,
  shared_experts = 2, shared_ffn = 1408,
  hidden = 2048, vocab = 102400,
  attention = "mla", heads = 16, q_lora_rank = 0, kv_lora_rank = 512,
  qk_nope_dim = 128, qk_rope_dim = 64, v_head_dim = 128,
  bytes_per_value = 2, bytes_per_weight = 2,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
