-- GPT-OSS-120B: 36 layers of 128 experts of width 2880, top-4, grouped-query
-- attention with 64 query heads and 8 key/value heads of 64.
-- Source: openai/gpt-oss gpt_oss/torch/model.py ModelConfig, whose defaults are
-- the 120b model (num_hidden_layers 36, num_experts 128, experts_per_token 4,
-- vocab_size 201088, hidden_size 2880, intermediate_size 2880, head_dim 64,
-- num_attention_heads 64, num_key_value_heads 8); expert weights in MXFP4,
-- 4.25 bits per weight (see gpt-oss-20b.lua).
return {
  name = "gpt-oss-120b",
  description = "OpenAI gpt-oss-120b",
  layers = 36, experts = 128, top_k = 4,
  hidden = 2880, expert_ffn = 2880, vocab = 201088,
  attention = "gqa", heads = 64, kv_heads = 8, head_dim = 64,
  bytes_per_value = 2, bytes_per_weight = 4.25 / 8,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
