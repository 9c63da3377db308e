-- OLMoE-1B-7B: 16 layers of 64 experts of FFN width 1024, top-8, multi-head
-- attention with 16 heads. Source: allenai/OLMoE-1B-7B-0924 config.json
-- (hidden_size 2048, intermediate_size 1024, num_hidden_layers 16,
-- num_attention_heads 16, num_key_value_heads 16, num_experts 64,
-- num_experts_per_tok 8, vocab_size 50304, bfloat16 weights).
return {
  name = "olmoe-1b-7b",
  description = "AllenAI OLMoE-1B-7B",
  layers = 16, experts = 64, top_k = 8,
  hidden = 2048, expert_ffn = 1024, vocab = 50304,
  attention = "mha", heads = 16,
  bytes_per_value = 2, bytes_per_weight = 2,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
