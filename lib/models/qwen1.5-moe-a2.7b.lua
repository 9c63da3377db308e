-- Qwen1.5-MoE-A2.7B: 24 layers of 60 routed experts of width 1408, top-4,
-- plus one shared expert of width 5632 every token uses; multi-head attention
-- with 16 heads. Source: Qwen/Qwen1.5-MoE-A2.7B config.json (hidden_size 2048,
-- num_hidden_layers 24, num_attention_heads 16, num_key_value_heads 16,
-- num_experts 60, num_experts_per_tok 4, moe_intermediate_size 1408,
-- shared_expert_intermediate_size 5632, decoder_sparse_step 1,
-- vocab_size 151936, bfloat16).
return {
  name = "qwen1.5-moe-a2.7b",
  description = "Qwen1.5-MoE-A2.7B",
  layers = 24, experts = 60, top_k = 4,
  hidden = 2048, expert_ffn = 1408, vocab = 151936,
  shared_experts = 1, shared_ffn = 5632,
  attention = "mha", heads = 16,
  bytes_per_value = 2, bytes_per_weight = 2,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
