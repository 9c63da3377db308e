-- DeepSeek-V3: 61 layers, the first 3 dense (FFN width 18432), the other 58
-- with 256 routed experts of width 2048 (top-8) and 1 shared expert of width
-- 2048; multi-head latent attention (128 heads, query rank 1536, key/value rank
-- 512, head dims 128 + 64 rope, value 128); FP8 weights.
-- Source: deepseek-ai/DeepSeek-V3 inference/configs/config_671B.json
-- (dim 7168, inter_dim 18432, moe_inter_dim 2048, n_layers 61, n_dense_layers 3,
-- n_heads 128, n_routed_experts 256, n_shared_experts 1, n_activated_experts 8,
-- q_lora_rank 1536, kv_lora_rank 512, qk_nope_head_dim 128, qk_rope_head_dim 64,
-- v_head_dim 128, vocab_size 129280, dtype fp8). Its router restricts the
-- choice to 4 of 8 expert groups with sigmoid scores; spacexnet models routing
-- as top-k draws in proportion to weight (docs/model.md). The multi-token
-- prediction module is left out.
return {
  name = "deepseek-v3",
  description = "DeepSeek-V3 (671B)",
  layers = 58, dense_layers = 3, dense_ffn = 18432,
  experts = 256, top_k = 8, expert_ffn = 2048,
  shared_experts = 1, shared_ffn = 2048,
  hidden = 7168, vocab = 129280,
  attention = "mla", heads = 128, q_lora_rank = 1536, kv_lora_rank = 512,
  qk_nope_dim = 128, qk_rope_dim = 64, v_head_dim = 128,
  bytes_per_value = 2, bytes_per_weight = 1,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
