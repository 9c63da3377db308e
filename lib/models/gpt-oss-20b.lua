-- GPT-OSS-20B: 24 layers of 32 experts of width 2880, top-4, grouped-query
-- attention with 64 query heads and 8 key/value heads of 64.
-- Source: openai/gpt-oss-20b config.json (hidden_size 2880, intermediate_size 2880,
-- num_hidden_layers 24, num_attention_heads 64, num_key_value_heads 8, head_dim 64,
-- num_local_experts 32, experts_per_token 4, vocab_size 201088; quantization
-- mxfp4 for the expert weights), as summarised in
-- EchoCog/gpt-oss-20b docs/gpt-oss-20b-architecture.md.
-- MXFP4 (OCP Microscaling v1.0) stores 32 4-bit values with one shared 8-bit
-- scale: (32 * 4 + 8) / 32 = 4.25 bits = 0.53125 bytes per weight. Biases and
-- alternating banded attention are left out.
return {
  name = "gpt-oss-20b",
  description = "OpenAI gpt-oss-20b",
  layers = 24, experts = 32, top_k = 4,
  hidden = 2880, expert_ffn = 2880, vocab = 201088,
  attention = "gqa", heads = 64, kv_heads = 8, head_dim = 64,
  bytes_per_value = 2, bytes_per_weight = 4.25 / 8,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
