-- Mixtral-8x7B: 32 layers, 8 experts of FFN width 14336, top-2.
-- Attention uses grouped queries (8 key/value heads of 128): the projections
-- are q and o at H x H and k and v at H x 1024, so the gateway runs
-- 2 * (2 * H^2 + 2 * H * 1024) FLOPs, not the generic 2 * 4 * H^2.
return {
  name = "mixtral-8x7b",
  layers = 32, experts = 8, top_k = 2,
  hidden = 4096, expert_ffn = 14336, vocab = 32000,
  bytes_per_value = 2,
  gateway_flops = 2 * (2 * 4096 ^ 2 + 2 * 4096 * 1024),
  ctx_flops = 0,
  expert_flops = 2 * 3 * 4096 * 14336,
  flops_per_s = 10.4e9, utilisation = 0.70,
}
