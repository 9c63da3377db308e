-- xnet: the public facade over the C kernel (xnet.core) and the Lua policy
-- modules. Satellite ids, snapshots and layers are 0-based everywhere.
local core = require "xnet.core"

local xnet = {}

for k, v in pairs(core) do
  xnet[k] = v
end

return xnet
