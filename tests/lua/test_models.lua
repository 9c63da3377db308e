-- The model catalogue and the model description: every entry loads, derived
-- quantities follow the dimensions, inconsistent models name the field.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local names = xnet.models()
local listed = {}
for _, n in ipairs(names) do listed[n] = true end
for _, n in ipairs{ "mixtral-8x7b", "mixtral-8x22b", "olmoe-1b-7b", "qwen1.5-moe-a2.7b",
                    "qwen3-30b-a3b", "qwen3-235b-a22b", "deepseek-v2-lite", "deepseek-v3",
                    "gpt-oss-20b", "gpt-oss-120b", "llama-moe-3.5b-2of8",
                    "llama-moe-3.5b-4of16", "llama-moe-3.0b-2of16" } do
  t.check(listed[n], n .. " in the catalogue")
end
-- one line per model, each naming it
local lines = {}
for line in tostring(names):gmatch("[^\n]+") do lines[#lines + 1] = line end
t.check(#lines == #names, "one line per model")
t.check(lines[1]:find(names[1], 1, true) == 1)

-- every entry builds, and its round trip through fields() is the same model
for _, n in ipairs(names) do
  local m = xnet.model(n)
  local again = xnet.model(m, {})
  t.check(m.name == n and again.gateway_flops == m.gateway_flops
          and again.expert_bytes == m.expert_bytes and again.attention == m.attention, n)
end

-- the paper's model: exactly MODEL.md's FLOPs
local paper = xnet.model "llama-moe-3.5b"
t.check(paper.gateway_flops == 2 * 4 * 4096 ^ 2 and paper.expert_flops == 2 * 3 * 4096 * 1376)
-- Mixtral's grouped-query attention: q, o at 4096, k, v at 8 x 128
t.check(xnet.model("mixtral-8x7b").gateway_flops == 2 * (2 * 4096 ^ 2 + 2 * 4096 * 1024))
-- DeepSeek-V3's expert in FP8: 3 * 7168 * 2048 bytes
t.check(xnet.model("deepseek-v3").expert_bytes == 3 * 7168 * 2048)

-- overriding the dimensions re-derives FLOPs and bytes (OLMoE from LLaMA-MoE)
local olmoe = xnet.model(paper, { name = "olmoe", layers = 16, experts = 64, top_k = 8,
                                  hidden = 2048, expert_ffn = 1024, heads = 16 })
local real = xnet.model "olmoe-1b-7b"
t.check(olmoe.gateway_flops == real.gateway_flops and olmoe.expert_flops == real.expert_flops,
        tostring(olmoe))
t.check(olmoe.expert_s < paper.expert_s / 2)
-- ... but values given explicitly stay
local fixed = xnet.model(paper, { expert_flops = 1e6 })
t.check(xnet.model(fixed, { hidden = 1024 }).expert_flops == 1e6)

-- an unknown name lists the catalogue
t.check_error("unknown model 'nope' (allowed: deepseek-v2-lite, deepseek-v3", xnet.model, "nope")
-- inconsistent models name the field
local base = { layers = 2, experts = 4, top_k = 2, hidden = 8, bytes_per_value = 2,
               expert_ffn = 16 }
local function with(changes)
  local m = {}
  for k, v in pairs(base) do m[k] = v end
  for k, v in pairs(changes) do m[k] = v end
  return m
end
t.check(xnet.model(with{}).expert_bytes == 3 * 8 * 16 * 2)
t.check_error("top_k must be in [1, 4] (experts), got 5", xnet.model, with{ top_k = 5 })
t.check_error("expert_ffn must be > 0", xnet.model, with{ expert_ffn = 0 })
t.check_error("shared_ffn must be > 0 with shared_experts = 2", xnet.model,
              with{ shared_experts = 2 })
t.check_error("dense_ffn must be > 0 with dense_layers = 1", xnet.model, with{ dense_layers = 1 })
t.check_error("model field 'attention' must be 'mha', 'gqa' or 'mla', got 'xyz'", xnet.model,
              with{ attention = "xyz" })
t.check_error("grouped-query attention needs heads", xnet.model, with{ attention = "gqa" })
t.check_error("multi-head latent attention needs", xnet.model, with{ attention = "mla", heads = 2 })
t.check_error("head_dim is needed", xnet.model, with{ heads = 3 })
t.check_error("kv_heads must equal heads", xnet.model, with{ heads = 2, kv_heads = 1 })
t.check_error("bytes_per_weight must be > 0", xnet.model, with{ bytes_per_weight = 0 })

t.done()
