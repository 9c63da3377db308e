-- The reference of spacexnet's Lua API, as data: help() prints from it, and
-- `make docs` writes the README's API tables from it (a test fails when the
-- two differ, and another when a public function has no entry here).
--
-- An entry: { name, sig =, about =, options = { { name, default, unit,
-- meaning }, ... }, returns =, section = }. Methods are named with the
-- variable the README uses for their object ("net:latency"); `class` tables
-- give those variables, the type names and the fields objects expose.
local doc = {}

-- The modules a user can require, and what each is for (help() lists them).
doc.modules = {
  { "xnet", "the library: constellations, networks, models, profiles, placement, evaluation, "
    .. "export, studies, plots (preloaded as `xnet`)" },
  { "xnet.profile", "activation profiles: uniform, Zipf, Dirichlet, a weight table, a routing trace" },
  { "xnet.place", "expert placement: Space-XNet's sorted rule, its local search, the baselines" },
  { "xnet.plan", "plans from files or from your own satellite ids" },
  { "xnet.plot", "figures through gnuplot: lines, bars, the constellation map" },
  { "xnet.study", "parameter sweeps that resume, shard and merge; study.collect reads results" },
  { "xnet.report", "Markdown tables, time stamps and the provenance result files carry" },
  { "xnet.csv", "CSV written and read back exactly (RFC 4180, '#' provenance lines)" },
  { "xnet.stats", "summary statistics over repeats: n, mean, sd, se, min, max" },
  { "xnet.util", "sorted keys, shallow copies, values in messages, strict globals" },
  { "xnet.json", "deterministic JSON writer and strict reader" },
  { "xnet.paper", "the paper's setup, methods and profiles, shared by experiments/" },
  { "xnet.doc", "this reference, as data (help() and the README's API tables)" },
}

-- Object types: the variable the README uses, and the fields they expose.
doc.classes = {
  Constellation = { var = "con", fields = { "pattern", "planes", "sats", "phasing",
                                            "altitude_km", "inclination_deg", "epoch",
                                            "epoch_jd", "source" } },
  TleSet = { var = "set", fields = { "epoch", "epoch_jd" } },
  Terminal = { var = "term", fields = { "name", "lat_deg", "lon_deg", "alt_m",
                                        "min_elevation_deg", "rate_bps", "proc_s", "policy" } },
  Network = { var = "net" },
  Row = { var = "row" },
  Model = { var = "m", fields = { "name", "layers", "experts", "top_k", "hidden", "attention",
                                  "heads", "kv_heads", "head_dim", "expert_ffn", "dense_layers",
                                  "dense_ffn", "shared_experts", "shared_ffn", "bytes_per_weight",
                                  "bytes_per_value", "gateway_flops", "ctx_flops", "expert_flops",
                                  "expert_bytes", "flops_per_s", "utilisation", "gateway_s",
                                  "expert_s", "head_s", "vocab", "message_bits" } },
  Profile = { var = "prof" },
  Ring = { var = "ring" },
  Plan = { var = "plan" },
  Process = { var = "proc" },
}

-- The README's API sections (`<!-- api:NAME -->` blocks), in order.
doc.sections = { "network", "model", "results", "studies", "modules", "system" }

doc.entries = {}
local function def(e)
  e.name = e[1]
  e[1] = nil
  doc.entries[#doc.entries + 1] = e
end

local SEED = { "seed", "1", "", "seed of every random choice (an integer >= 0)" }
local HOSTING = {
  { "memory_bytes", "nil", "B", "expert memory per satellite: several experts share one "
    .. "(nil: one expert per satellite, the paper's setting)" },
  { "parallel_experts", "1", "", "activated experts a satellite runs at once; more queue" },
  { "gateway_hosts", "false", "", "a layer's gateway may hold experts of its layer" },
}
local PLACEMENT_SEED = { "placement_seed", "seed + 1", "", "outage seed of the draws the "
                         .. "placement looks at (the network's own seed + 1: not the draws it is "
                         .. "evaluated on)" }
local IN_SAMPLE = { "in_sample", "false", "", "place on the network's own outage draws" }
local VARIANT = { "variant", '"A"', "",
                  '"A": experts answer the next gateway; "B": their own gateway, which forwards' }

-- Constellations and networks -------------------------------------------------

def { "xnet.walker", section = "network", sig = "xnet.walker{ ... }",
  about = "A Walker constellation of circular orbits (defaults: the paper's 33 x 32 star).",
  options = {
    { "pattern", '"star"', "", '"star" (RAAN spread 180 deg, a seam) or "delta" (360 deg)' },
    { "planes", "33", "", "orbital planes P" },
    { "sats", "32", "", "satellites per plane S" },
    { "phasing", "0", "", "Walker phasing factor F, 0 .. P-1" },
    { "altitude_km", "550", "km", "altitude of the circular orbits" },
    { "inclination_deg", "87", "deg", "inclination" },
    { "epoch", '"2000-01-01T12:00:00"', "UTC", "time t = 0 (a UTC string or a Julian date)" },
  },
  returns = "Constellation (`#con` satellites; fields `con.planes`, `con.altitude_km`, "
    .. "`con.epoch`, ...)" }
def { "con:period", section = "network", sig = "con:period()",
  returns = "orbital period, s" }
def { "con:position", section = "network", sig = "con:position(id, t)",
  about = "Position of satellite id at time t (s after the epoch, default 0).",
  returns = "x, y, z in km, Earth-centred inertial (TEME of the epoch)" }
def { "con:velocity", section = "network", sig = "con:velocity(id, t)",
  returns = "vx, vy, vz in km/s, Earth-centred inertial" }
def { "con:subpoint", section = "network", sig = "con:subpoint(id, t)",
  about = "The point under the satellite, the Earth rotated by ERFA (see Real orbits below).",
  returns = "geodetic (WGS-84) latitude and longitude in degrees, height in km" }
def { "con:earth_fixed", section = "network", sig = "con:earth_fixed(id, t)",
  returns = "x, y, z (km), vx, vy, vz (km/s) in the Earth-fixed frame" }
def { "con:tle", section = "network", sig = "con:tle{ first_satnum = 1 }",
  about = "A Walker shell as TLEs at its epoch: circular, mean motion the two-body one.",
  options = { { "first_satnum", "1", "", "catalogue number of satellite 0" } },
  returns = "TLE text, one named set per satellite in id order" }
def { "xnet.tle", section = "network", sig = "xnet.tle(path | text)",
  about = "Two-line element sets (title lines optional, checksums checked), propagated by SGP4 "
    .. "(near-Earth and deep space). Text is anything with a newline.",
  returns = "TleSet; a bad line raises `source:line: reason`; an unreadable file gives "
    .. "`nil, \"path: reason\"`" }
def { "set:elements", section = "network", sig = "set:elements(i)",
  returns = "`{ name, satnum, epoch, inclination_deg, raan_deg, eccentricity, argp_deg, "
    .. "mean_anomaly_deg, mean_motion_rev_day, bstar, ... }`" }
def { "set:teme", section = "network", sig = "set:teme(i, minutes)",
  returns = "SGP4 state x, y, z (km), vx, vy, vz (km/s) in TEME, minutes after set i's own epoch; "
    .. "SGP4's errors raise naming the satellite" }
def { "set:text", section = "network", sig = "set:text()", returns = "the sets as TLE text" }
def { "xnet.constellations", section = "network", sig = "xnet.constellations()",
  returns = "the catalogue's names (lib/constellations/, each file citing its sources); printed, "
    .. "one line per shell" }
def { "xnet.constellation", section = "network", sig = "xnet.constellation(name, shell, { epoch })",
  about = "A catalogue constellation: Starlink's first generation, Kuiper, OneWeb, Telesat "
    .. "Lightspeed, Iridium NEXT, the paper's 33 x 32. Shells are Walker shells; no links "
    .. "between shells are modelled (build one network per shell).",
  returns = "with a shell number (from 1), its Constellation; without, `{ name, description, "
    .. "min_elevation_deg, inter_shell_links = \"none\", shells = { con, ... } }`" }
def { "xnet.ground", section = "network", sig = "xnet.ground{ {name =, lat_deg =, lon_deg =, "
    .. "alt_m = 0}, ..., min_elevation_deg = 25, rate_bps = 100e9, proc_s = 0, "
    .. "policy = \"elevation\" }",
  about = "Ground terminals on the rotating Earth (geodetic WGS-84 coordinates); the options go "
    .. "in the same table as the terminals, whose names must differ. A terminal sees "
    .. "a satellite at or above the minimum elevation; a ground hop costs range / c + bits / "
    .. "rate + processing (bits: the network's).",
  options = {
    { "min_elevation_deg", "25", "deg", "lowest elevation a terminal uses" },
    { "rate_bps", "100e9", "bit/s", "ground link rate (the network's default link rate)" },
    { "proc_s", "0", "s", "processing per ground hop" },
    { "policy", '"elevation"', "", '"elevation": the highest satellite; "latency": the visible '
      .. "satellite with the least latency to (or from) the gateway" },
  },
  returns = "a list of Terminals, also keyed by name (fields `term.name`, `term.lat_deg`, ...)" }
def { "term:visible", section = "network", sig = "term:visible(con, t)",
  returns = "`{ {id, elevation_deg, range_km}, ... }`, highest first, at t s after the epoch" }
def { "term:access", section = "network", sig = "term:access(net, snap, gateway, last_gateway)",
  returns = "up_s, down_s, up_satellite, down_satellite: the user's way to the gateway and back "
    .. "(`math.huge` and nil when it sees no satellite)" }
def { "set:close", section = "network", sig = "set:close()",
  returns = "nothing; frees the sets now (also at garbage collection)" }
def { "set:shell", section = "network", sig = "set:shell{ ... }",
  about = "A constellation whose states come from SGP4, the same to xnet.network and everything "
    .. "after it as a Walker shell.",
  options = {
    { "planes", "1", "", "planes P of the grid" },
    { "sats", "#set / planes", "", "satellites per plane S (P * S = #set)" },
    { "pattern", '"delta"', "", "grid closure for +Grid links, as in xnet.walker" },
    { "phasing", "0", "", "phasing F (which slots the seam links join)" },
    { "order", '"file"', "", '"file": sets are plane-major already; "raan": group by right '
      .. "ascension, then by argument of latitude" },
    { "epoch", "latest set epoch", "UTC", "time t = 0" },
  },
  returns = "Constellation (`con.source` is \"sgp4\")" }
def { "con:size", section = "network", sig = "con:size()", returns = "satellites (also `#con`)" }
def { "xnet.network", section = "network", sig = "xnet.network(con, { ... })",
  about = "A series of snapshots of the +Grid inter-satellite links and their latencies.",
  options = {
    { "snapshots", "200", "", "snapshots T, evenly spaced over the horizon" },
    { "horizon_s", "period", "s", "time the snapshots span (one orbital period)" },
    { "survival", "0.95", "", "probability that a link is up (its up fraction under \"markov\")" },
    { "outages", '"independent"', "", '"independent" draws per snapshot, or "markov": a two-state '
      .. "up/down chain per link (docs/model.md section 3)" },
    { "outage_down_s", "120", "s", "markov: mean outage duration (a free parameter; mean up "
      .. "time down * survival / (1 - survival))" },
    { "omega_max", "0.12", "rad/s", "tracking limit on the line-of-sight angular rate" },
    { "max_range_km", "5000", "km", "longest link" },
    { "margin_km", "80", "km", "atmosphere margin the line of sight must clear" },
    { "bits", "65536", "bit", "message size (hidden state, 4096 x 16 bit)" },
    { "rate_bps", "100e9", "bit/s", "link rate" },
    { "proc_s", "0", "s", "processing delay per hop" },
    SEED,
    { "cross_plane_max_lat_deg", "math.huge", "deg", "cross-plane links off while an end is "
      .. "above this |latitude| (as Iridium near the poles); none by default" },
    { "links", "+Grid", "", "your own candidate links `{ {a, b}, ... }`, one per pair (a repeated "
      .. "pair, in either order, is an error), still checked for line of sight, tracking, range "
      .. "and survival" },
    { "link_rule", "nil", "", "function(a, b, snap, t_s) -> true, or false to switch a candidate "
      .. "link off in a snapshot (any other result is an error)" },
  },
  returns = "Network of T snapshots" }
def { "net:reseed", section = "network", sig = "net:reseed(seed)",
  returns = "a Network with the same constellation, rules and geometry whose outages are drawn "
    .. "with this seed (what placement looks at: docs/model.md section 8)" }
def { "net:latency", section = "network", sig = "net:latency(src, snap)",
  about = "Shortest-path latencies from src (or from each of a list of sources) at snapshot snap.",
  returns = "a Row (`row[id]` in s, `math.huge` when unreachable) / a list of Rows" }
def { "net:path", section = "network", sig = "net:path(src, dst, snap)",
  returns = "list of ids from src to dst, or `nil` when unreachable" }
def { "net:hops", section = "network", sig = "net:hops(src, snap)",
  returns = "Row of hop counts along the minimum-latency routes" }
def { "net:components", section = "network", sig = "net:components(snap)",
  returns = "count, sizes (largest first)" }
def { "net:links", section = "network", sig = "net:links(snap)",
  returns = "`{ total, blocked, tracking, range, outage, latitude, user, active }` link counts "
    .. "(each removed link charged to its first rule: latitude, user, then the physical ones)" }
def { "net:edges", section = "network", sig = "net:edges(snap)",
  returns = "active links `{ {a, b, latency_s}, ... }`" }
def { "net:time", section = "network", sig = "net:time(snap)", returns = "s since the epoch" }
def { "net:params", section = "network", sig = "net:params()",
  returns = "the options in force, defaults filled in" }
def { "net:constellation", section = "network", sig = "net:constellation()",
  returns = "the Constellation it was built from" }
def { "net:size", section = "network", sig = "net:size()", returns = "satellites (also `#net`)" }
def { "net:snapshots", section = "network", sig = "net:snapshots()", returns = "T" }
def { "net:clear_cache", section = "network", sig = "net:clear_cache()",
  returns = "nothing; frees the path search workspaces, the snapshot cache and the kept ring "
         .. "cost table (results unchanged)" }
def { "net:bytes", section = "network", sig = "net:bytes()",
  returns = "total, `{ links, outage_bits, rule_bits, counts, buffer, graphs, geometry, "
    .. "snapshot_cache }`: the bytes the network holds. Snapshots are computed when needed; the "
    .. "path kernel keeps the first ones that fit in the snapshot cache "
    .. "(`xnet.limits{ snapshot_cache_mb }`, 64 MiB per network), and the links' geometry "
    .. "(before the outage draw) of the first ones that fit in a sixteenth of it, shared with "
    .. "the network's reseeds. What grows with T is a bit per link per snapshot for "
    .. "`outages = \"markov\"` and for a `link_rule`, and 32 bytes of counts per snapshot "
    .. "(docs/model.md section 3)" }
def { "net:close", section = "network", sig = "net:close()",
  returns = "nothing; frees the network now (also at garbage collection)" }
def { "row:max", section = "network", sig = "row:max()",
  returns = "largest value and its satellite (`math.huge` if any is unreachable)" }
def { "row:min", section = "network", sig = "row:min()", returns = "smallest value and its satellite" }
def { "row:mean", section = "network", sig = "row:mean{ reachable = false }",
  options = { { "reachable", "false", "", "average only the reachable satellites" } },
  returns = "mean over the satellites (`math.huge` if any is unreachable, unless reachable)" }
def { "row:unreachable", section = "network", sig = "row:unreachable()",
  returns = "satellites with no route" }
def { "row:table", section = "network", sig = "row:table()",
  returns = "a plain table copy, keys 0 .. N-1" }
def { "row:source", section = "network", sig = "row:source()", returns = "the source satellite" }
def { "row:snapshot", section = "network", sig = "row:snapshot()", returns = "the snapshot" }

-- Models, profiles, placement, evaluation -----------------------------------------

def { "xnet.model", section = "model", sig = "xnet.model(name | { ... }, overrides)",
  about = "A MoE model from the catalogue in lib/models/ (`llama-moe-3.5b` = `-2of8`), from a "
    .. "table of fields, or one with some fields changed. FLOPs and bytes per expert are derived "
    .. "from the dimensions unless given, so overrides of `hidden` or `expert_ffn` re-derive them. "
    .. "A table must give `layers`, `experts`, `top_k`, `hidden` and `bytes_per_value` (bytes per "
    .. "hidden-state value on a link: 2 for 16-bit); docs/model.md section 5 lists the others.",
  returns = "Model (fields `m.layers`, `m.gateway_s`, ...; see `help(m)`)" }
def { "xnet.models", section = "model", sig = "xnet.models()",
  returns = "the catalogue's names; printed, one line per model" }
def { "m:fields", section = "model", sig = "m:fields()",
  returns = "a plain table of every field (for `xnet.model(t)` round trips)" }
def { "xnet.profile.uniform", section = "model", sig = "xnet.profile.uniform(m)",
  returns = "Profile: every expert equally likely" }
def { "xnet.profile.zipf", section = "model", sig = "xnet.profile.zipf(m, s, { seed = 1 })",
  about = "Per layer, weights 1/rank^s over a seeded random ranking of the experts.",
  options = { SEED }, returns = "Profile" }
def { "xnet.profile.dirichlet", section = "model",
  sig = "xnet.profile.dirichlet(m, alpha, { seed = 1 })",
  about = "Per layer, weights drawn from a symmetric Dirichlet(alpha).",
  options = { SEED }, returns = "Profile" }
def { "xnet.profile.table", section = "model", sig = "xnet.profile.table(m, rows | path, { ... })",
  about = "Per-layer weights from a list of rows (one per layer) or a CSV file.",
  options = { { "kind", '"weights"', "", '"weights" (draw weights, normalised per layer) or '
                .. '"probability" (inclusion probabilities in [0, 1], each layer summing to k: '
                .. "the weights that give exactly them are found; a 1 beside more than k - 1 "
                .. "other positive entries cannot be reached and is an error)" } },
  returns = "Profile; or `nil, \"path:line: reason\"` for a file" }
def { "xnet.profile.trace", section = "model", sig = "xnet.profile.trace(m, path)",
  about = "A routing trace: CSV or CSV.gz rows `token,layer,expert_1,...,expert_k` "
    .. "(a header line and `#` comments allowed).",
  returns = "Profile and the number of rows read; or `nil, \"path:line: reason\"`" }
def { "prof:inclusion", section = "model", sig = "prof:inclusion(l)",
  returns = "`{[e] = p}`, the inclusion probabilities of layer l (sum to k)" }
def { "prof:sets", section = "model", sig = "prof:sets(l)",
  returns = "`{ {experts = {...}, p = ...}, ... }`, the top-k sets of layer l; raises when the "
    .. "layer's sets are not enumerated (over 10^6 (set, order) terms, as top-8 of 64: use "
    .. "`prof:inclusion(l)`, `xnet.evaluate` and the placements, which need no sets)" }
def { "prof:name", section = "model", sig = "prof:name()", returns = '"zipf-1", "trace:PATH", ...' }
def { "prof:model", section = "model", sig = "prof:model()", returns = "its Model" }
def { "prof:layers", section = "model", sig = "prof:layers()", returns = "L" }
def { "prof:close", section = "model", sig = "prof:close()", returns = "nothing; frees it now" }
def { "xnet.ring", section = "model",
  sig = "xnet.ring(net, L, { ... }) / xnet.ring(net, { {ids}, ... }, { ... })",
  about = "Layer placement: L contiguous subnets cut from bands of planes, or your own subnets; "
    .. "gateways at the medoids (docs/model.md section 7). Warns once on stderr about a subnet "
    .. "its own links do not connect or a gateway hop over 3 times the median.",
  options = { { "cut", '"auto"', "", '"slot" (one band of all planes: the paper\'s cut), "plane" '
                .. '(whole planes), a band width in planes, or "auto" (the divisor of the planes '
                .. "with contiguous subnets and the least gateway cost)" },
              { "gateway", '"medoid"', "", '"medoid" (least mean latency to the members plus from '
                .. 'the previous subnet\'s) or "index" (the middle of the subnet\'s list)' },
              { "gateways", "nil", "", "one gateway id per subnet (your own subnets only)" },
              { "warn", "true", "", "print the warning, if any" } },
  returns = "Ring" }
def { "xnet.ring_warning", section = "model", sig = "xnet.ring_warning(ring)",
  returns = "the ring's warning message, or nil" }
def { "ring:stats", section = "model", sig = "ring:stats()",
  returns = "`{[l] = { size, planes, slots, contiguous, diameter_hops, mean_member_s, "
    .. "mean_previous_s, gateway_hop_s, gateway_hops }, band_planes = }` on the mean-latency graph" }
def { "ring:subnet", section = "model", sig = "ring:subnet(l)", returns = "ids of subnet l" }
def { "ring:gateway", section = "model", sig = "ring:gateway(l)", returns = "gateway of layer l" }
def { "ring:layers", section = "model", sig = "ring:layers()", returns = "L (also `#ring`)" }
def { "ring:satellites", section = "model", sig = "ring:satellites()",
  returns = "N, the size of the network it was cut from" }
def { "ring:close", section = "model", sig = "ring:close()", returns = "nothing; frees it now" }
local LOAD = { "load", "nil", "tokens/s", "target load { rate_tokens_s = x } or { streams = N } "
  .. "(the approximation's throughput, iterated): with memory_bytes, each satellite's M/G/1 wait "
  .. "at that rate joins the path latency, so hot experts stay near the gateway without "
  .. "saturating one satellite; 0 or nil: latency only; one expert per satellite: no effect" }
def { "xnet.place.spacexnet", section = "model",
  sig = "xnet.place.spacexnet(net, ring, prof, { ... })",
  about = "The paper's sorted rule: frequent experts on the candidates with the lowest expected "
    .. "path latency. With `memory_bytes`, generalised: experts by probability fill the "
    .. "candidates of least mean path latency plus expected wait behind the experts already "
    .. "there, up to the budget; a layer that does not fit is an error saying how much memory "
    .. "is missing and what would fit.",
  options = { VARIANT, PLACEMENT_SEED, IN_SAMPLE, HOSTING[1], HOSTING[2], HOSTING[3], LOAD },
  returns = "Plan" }
def { "xnet.place.optimize", section = "model", sig = "xnet.place.optimize(net, ring, prof, { ... })",
  about = "The sorted rule improved by local search on the exact E[max over the activated set]. "
    .. "With `memory_bytes`: co-location too (queues included), exhaustive on small layers "
    .. "(candidates^experts <= 20000), local search beyond; sets not enumerated are drawn once "
    .. "(`samples`, seeded: common random numbers).",
  options = { VARIANT, { "passes", "20", "", "local-search passes at most" },
              { "cut_penalty_s", "1", "s", "cost of a path missing in a snapshot" },
              { "samples", "2000", "", "with memory_bytes and sets not enumerated: sets drawn per layer" },
              SEED, PLACEMENT_SEED, IN_SAMPLE, HOSTING[1], HOSTING[2], HOSTING[3], LOAD },
  returns = "Plan, stats (`stats.before_s`, `after_s`: the objective, path latency only, "
    .. "summed over layers)" }
def { "xnet.place.randintra_cg", section = "model",
  sig = "xnet.place.randintra_cg(net, ring, prof, { ... })",
  about = "Baseline: central gateways, experts random inside each subnet (with `memory_bytes`: "
    .. "on random free slots, the same budget).",
  options = { SEED, HOSTING[1], HOSTING[2], HOSTING[3] }, returns = "Plan" }
def { "xnet.place.randintra", section = "model",
  sig = "xnet.place.randintra(net, ring, prof, { ... })",
  about = "Baseline: gateway and experts random inside each subnet.",
  options = { SEED, HOSTING[1], HOSTING[2], HOSTING[3] }, returns = "Plan" }
def { "xnet.place.randplace", section = "model",
  sig = "xnet.place.randplace(net, ring, prof, { ... })",
  about = "Baseline: gateways and experts random over the whole constellation (the ring is not "
    .. "used). Every method takes (net, ring, profile, opts) and accepts `seed` and `variant`; "
    .. "the baselines also take a Model for the profile, and randplace the older (net, m, opts).",
  options = { SEED, HOSTING[1], HOSTING[2], HOSTING[3] }, returns = "Plan" }
def { "xnet.place.replicate", section = "model",
  sig = "xnet.place.replicate(net, ring, plan, prof, { replicas = N | bytes = B, ... })",
  about = "Replicates hot experts, as expert-parallel load balancers do: one copy at a time to "
    .. "the expert whose copies carry the most load each (inclusion probability / copies), "
    .. "on the member of its layer's subnet with room that lowers its path latency most over "
    .. "the snapshots (cut snapshots rescued first, then the summed reduction; the ring's cost "
    .. "table). Without memory_bytes each copy takes a free satellite; with it, memory left "
    .. "(docs/model.md section 8). Like the placements, it looks at outages on its own draws. "
    .. "The plan must use the ring's gateways; fewer copies fitting "
    .. "than asked is an error saying how many do.",
  options = { { "replicas", "", "", "extra copies in all" },
              { "bytes", "", "B", "or their memory in all: floor(bytes / expert_bytes) copies" },
              VARIANT, PLACEMENT_SEED, IN_SAMPLE },
  returns = "Plan (method `<method>+rep`) with the plan's copies and the new ones" }
def { "xnet.place.methods", section = "model", sig = "xnet.place.methods()",
  returns = "the placement methods' names, built-in and registered; printed, one line each" }
def { "xnet.place.method", section = "model", sig = "xnet.place.method(name)",
  returns = "the method's function; an unknown name raises, listing the methods" }
def { "xnet.place.register", section = "model", sig = "xnet.place.register(name, fn, about)",
  about = "Adds your method: fn(net, ring, prof, opts) returns a Plan. It becomes "
    .. "`xnet.place.<name>` and is accepted wherever a method name is (`paper.plan`, studies, "
    .. "`experiments/paper_table2.lua --load FILE --method NAME`).",
  returns = "nothing" }
def { "xnet.place.expected", section = "model",
  sig = "xnet.place.expected(net, ring, { variant = \"A\" })",
  options = { VARIANT },
  returns = "`{[l] = { {satellite, mean_s, missing, gateway}, ... }}`: expected path latency "
    .. "of every candidate" }
def { "plan:gateway", section = "model", sig = "plan:gateway(l)", returns = "satellite id" }
def { "plan:satellite", section = "model", sig = "plan:satellite(l, e)",
  returns = "satellite id of expert e of layer l" }
def { "plan:method", section = "model", sig = "plan:method()", returns = '"spacexnet", ...' }
def { "plan:hosting", section = "model", sig = "plan:hosting()",
  returns = "`{ memory_bytes, parallel_experts, gateway_hosts, expert_bytes }`, or nil for one "
    .. "expert per satellite" }
def { "plan:copies", section = "model", sig = "plan:copies(l, e)",
  returns = "`{ s_first, ... }`: every satellite holding expert e of layer l, its first copy "
    .. "(plan:satellite(l, e)) first; a token uses the nearest in its snapshot" }
def { "plan:replicas", section = "model", sig = "plan:replicas()",
  returns = "`{ { layer, expert, satellite }, ... }`: the extra copies by layer and expert "
    .. "(empty without replicas)" }
def { "plan:layers", section = "model", sig = "plan:layers()", returns = "L" }
def { "plan:experts", section = "model", sig = "plan:experts()", returns = "E" }
def { "plan:satellites", section = "model", sig = "plan:satellites()",
  returns = "N, the size of the network it places on" }
def { "plan:save", section = "model", sig = "plan:save(path)",
  returns = "`true` or `nil, \"path: reason\"`; CSV `layer,role,expert,satellite` (role "
    .. "gateway, expert, or replica for an extra copy), atomic" }
def { "plan:close", section = "model", sig = "plan:close()", returns = "nothing; frees it now" }
def { "xnet.plan.load", section = "model", sig = "xnet.plan.load(path, { ... })",
  about = "With `memory_bytes` (and `model`), satellites may hold several experts, checked "
    .. "against the budget.",
  options = { { "model", "nil", "", "the Model whose expert_bytes the budget holds" },
              HOSTING[1], HOSTING[2], HOSTING[3] },
  returns = "Plan, or `nil, \"path:line: reason\"`" }
def { "xnet.plan.new", section = "model", sig = "xnet.plan.new{ ... }",
  about = "A plan from your own satellite ids (checked: distinct, in range).",
  options = { { "satellites", "required", "", "satellites N of the network it is for" },
              { "gateways", "required", "", "`{g_0, ...}`, one per layer" },
              { "experts", "required", "", "`{ {s_00, s_01, ...}, ... }`, one list per layer" },
              { "method", '"custom"', "", "the name it reports" },
              { "replicas", "nil", "", "`{ { layer =, expert =, satellite = }, ... }`: extra "
                .. "copies of experts, each on a satellite of its own (with memory_bytes: "
                .. "within the budget); two copies of one expert on a satellite are an error" },
              { "model", "nil", "", "with memory_bytes: the Model whose expert_bytes count" },
              HOSTING[1], HOSTING[2], HOSTING[3] },
  returns = "Plan" }
def { "xnet.evaluate", section = "model", sig = "xnet.evaluate(net, plan, prof, { ... })",
  about = "Token latency: Monte Carlo over tokens (token i at snapshot i mod T) and the exact "
    .. "expectation over the top-k sets.",
  options = {
    { "tokens", "100000", "", "Monte Carlo tokens (blocks of 4,096 on streams of their own)" },
    SEED, VARIANT,
    { "snapshot", "nil", "", "evaluate every token at this snapshot only, in [0, T); nil (the default): token i at snapshot i mod T" },
    { "exact", "true", "", "also compute the exact expectation" },
    { "retry_s", "dt", "s", "a token whose path is cut retries this often (default: the snapshot "
      .. "spacing, i.e. it waits for the next snapshot in which its path exists)" },
    { "user", "nil", "", "a Terminal (xnet.ground): add its uplink to layer 0's gateway and the "
      .. "downlink back, per snapshot; no visible satellite makes the token undelivered" },
    { "breakdown", "false", "", "also split `mean` and `exact` into their parts (docs/model.md "
      .. "section 9): `breakdown`, `breakdown_stderr`, `per_layer_breakdown[l]`, "
      .. "`per_layer_breakdown_stderr[l]`, `exact_breakdown`, `exact_per_layer_breakdown[l]`, "
      .. "each `{ propagation_s, transmission_s, processing_s, ring_hop_s, gateway_compute_s, "
      .. "expert_compute_s, head_s, topk_wait_s, retry_wait_s, access_s }` (a layer's without "
      .. "access_s), adding up to the figure they split; costs the plan's path searches once "
      .. "more (kept with the plan) and a slower Monte Carlo pass: 1.8x the CPU time of the "
      .. "paper's table" },
  },
  returns = "Result `{ mean, p50, p95, p99, stderr, per_layer, lost, exact, exact_lost, "
    .. "exact_per_layer` (cut tokens charged their wait), `delivered_mean, delivered_p50, "
    .. "delivered_p95, delivered_p99, delivered_stderr, delivered_per_layer, undelivered, "
    .. "exact_delivered, exact_undelivered, exact_delivered_per_layer` (over tokens whose paths "
    .. "existed at once), `tokens, delivered, retry_s, outage_seed, placement_seed, ... }`, "
    .. "seconds per token "
    .. "(prints a summary); with a user also `access`, `ring`, `compute` (the split of `delivered_mean`) "
    .. "and `exact_access`, `exact_ring`. Co-located experts queue (plan:hosting()); where they "
    .. "may and the sets are not enumerated, `exact` is absent and `exact_note` says Monte "
    .. "Carlo only" }

def { "xnet.serve", section = "model", sig = "xnet.serve(net, plan, prof, { streams = N | rate_tokens_s = x, ... })",
  about = "Many tokens at once: gateways and expert satellites are FIFO servers with the "
    .. "model's compute times (parallel_experts at a time; the output projection head_s on the "
    .. "last layer's gateway), links pure delays, each token on the paths of the snapshot it "
    .. "starts in; a token whose set needs a cut path waits at the gateway for the first retry "
    .. "that finds them, as in xnet.evaluate (docs/model.md section 12). A seeded "
    .. "discrete-event simulation (the same seed, the same bits), or the queueing "
    .. "approximation (M/G/1 per satellite for open arrivals, mean value analysis for "
    .. "streams). An open system past its capacity is not run: `status` says where; a run "
    .. "that delivers nothing says so in `status` and warns.",
  options = {
    { "streams", "", "", "closed loop: N decoding streams (1 to 1e7), each starting its next "
      .. "token when one ends" },
    { "rate_tokens_s", "", "tokens/s", "open: Poisson token arrivals (exactly one of the two)" },
    { "duration_s", "600", "s", "arrivals (open) or the run (closed) cover [0, duration_s)" },
    { "warmup_s", "duration_s / 10", "s", "figures from here on, in [0, duration_s)" },
    SEED,
    { "replications", "4", "", "independent runs (1 to 10000); stderr is their spread / sqrt(R)" },
    VARIANT,
    { "snapshot", "nil", "", "every token at this snapshot; nil: the one it starts in" },
    { "service", '"constant"', "", '"exponential": service times exponential with the same means' },
    { "method", '"simulate"', "", '"analytic": the queueing approximation (means only; arrivals '
      .. 'smoothed by the gateways before them); "analytic-poisson": the same with Poisson '
      .. 'arrivals at every satellite' },
    { "retry_s", "snapshot spacing", "s", "a token whose paths are cut retries this often "
      .. "until they exist (one horizon at most, then it is lost)" },
    { "max_tokens", "1e7", "tokens", "per replication: a run expected to start more (streams + "
      .. "min(capacity, streams / least token latency) x duration_s, or rate x duration_s) is "
      .. "refused before it starts" },
    { "progress", "true", "", "a simulation running over 5 s prints how far it is on stderr "
      .. "every 5 s" },
    { "busiest", "10", "", "satellites listed in `busiest`" },
    { "replica", '"nearest"', "", "with replicated experts: each activated expert's copy is the "
      .. "nearest in the token's snapshot, or with \"shortest_wait\" the least path + the compute "
      .. "already sent there and not done, / parallel (simulation only)" },
  },
  returns = "`{ throughput, throughput_stderr, mean, stderr, p50, p95, p99, p99_stderr, "
    .. "undelivered (met a cut path), lost (never through), in_system, utilisation = { [sat] = u }, "
    .. "busiest = { { satellite, utilisation }, ... }, bottleneck, bottleneck_utilisation, "
    .. "stable, status, tokens, delivered, events, gateway_s, expert_s, head_s, retry_s, how, "
    .. "... }`: tokens/s, and seconds per token through (retry waits included)" }

def { "xnet.fail", section = "model",
  sig = "xnet.fail(net, { satellites = { ids } } | { rate = r, seed = 1 })",
  about = "Takes satellites out: a new Network where every link touching them is down in every "
    .. "snapshot, so their gateways and experts are unreachable and the tokens that need them "
    .. "undelivered (evaluate, serve). `rate`: each satellite fails with that probability, "
    .. "drawn from (seed, satellite) alone. Failing a failed network adds to its failures.",
  options = { { "satellites", "", "", "the satellite ids that fail (each in [0, N))" },
              { "rate", "", "", "the probability each satellite fails, in [0, 1]" },
              { "seed", "1", "", "with rate: seed of the draws" } },
  returns = "Network, and the sorted list of failed satellites" }
def { "xnet.failed", section = "model", sig = "xnet.failed(net)",
  returns = "the sorted list of satellites `xnet.fail` took out of net (empty for others)" }
def { "xnet.place.repair", section = "model", sig = "xnet.place.repair(net, ring, plan, prof, { variant = \"A\" })",
  about = "Re-places what failures took from a plan (one expert per satellite) with the fewest "
    .. "moves: a failed gateway goes to the surviving free member of its subnet nearest it in "
    .. "the ring's order; a replicated expert keeps its surviving copies (no upload) and drops "
    .. "the failed ones; each expert with no copy left, the most activated first, goes to the "
    .. "surviving free member of its layer's subnet with the lowest expected path latency. "
    .. "Nothing else moves. Failed: what xnet.fail took out (kept by net:reseed) and any "
    .. "satellite no link reaches in any snapshot. The plan, ring, profile and network must "
    .. "match in size, and each gateway lie in its ring subnet.",
  options = { VARIANT },
  returns = "Plan (method `<method>+repair`), and `{ experts_moved, gateways_moved, bytes, "
    .. "copies_dropped, lost = { { layer, expert, from, to }, ... } }` (bytes: the experts' "
    .. "weights to upload; copies_dropped: failed extra copies left out)" }

-- Results, files, limits, help ---------------------------------------------------

def { "xnet.export", section = "results", sig = "xnet.export(value, path)",
  about = "Writes a result for other tools: CSV or JSON by the extension, gzip when it ends "
    .. "in .gz; atomic. Evaluate results (CSV: one row per layer, the scalars repeated; a "
    .. "breakdown flattened into columns `layer_breakdown_<part>`, `layer_breakdown_stderr_<part>`, "
    .. "`exact_layer_breakdown_<part>` per layer and `breakdown_<part>`, "
    .. "`breakdown_stderr_<part>`, `exact_breakdown_<part>` for the token, parts named as in "
    .. "xnet.evaluate), "
    .. "lists of rows, plans (CSV: the plan file `xnet.plan.load` reads), rings (CSV: layer, "
    .. "position, satellite, gateway), serve results (CSV: one row per satellite that served: "
    .. "`satellite`, `utilisation`, `busiest_rank` (1 = busiest, empty below the `busiest` list), "
    .. "the scalars repeated), profiles (CSV: `layer,e0,...` inclusion probabilities, the weight "
    .. "table `xnet.profile.table(m, path, { kind = \"probability\" })` reads; JSON: name, model, "
    .. "inclusion per layer), per_layer tables and Rows (CSV: index, value), "
    .. "study results. Tables keyed from 0 become arrays in order; infinities and NaN become "
    .. "null (JSON: strict, and a top-level object lists them in its member `nonfinite`, see "
    .. "json.encode's `exact`) or an empty cell (CSV). Misuse (nil, a function, a table that "
    .. "contains itself or nests over 1000 deep, a value CSV cannot hold, an extension other "
    .. "than the lower-case four) raises at the caller's line.",
  returns = "`true`, or `nil, \"path: reason\"`" }
def { "xnet.write_file", section = "results", sig = "xnet.write_file(path, data, { gzip = false })",
  about = "Writes atomically: a temporary file, fsync, rename.",
  options = { { "gzip", "false", "", "compress with gzip" } },
  returns = "`true`, or `nil, \"path: reason\"`" }
def { "xnet.read_file", section = "results", sig = "xnet.read_file(path)",
  returns = "the contents (plain or gzip), or `nil, \"path: reason\"`" }
def { "xnet.limits", section = "results",
  sig = "xnet.limits{ memory_mb = N, workers = N, paths = \"csr\" | \"heap\" | \"igraph\", "
     .. "snapshot_cache_mb = N }",
  about = "The memory limit checked before large allocations, the threads of the "
       .. "shortest-path kernel and the Monte Carlo sampler, the path engine and the snapshot "
       .. "cache (results are the same bits for any number of workers and any cache). The "
       .. "environment variables "
       .. "SPACEXNET_MEMORY_LIMIT_MB and SPACEXNET_WORKERS set the first two at start; an "
       .. "unusable value there stops spacexnet with exit status 2.",
  options = { { "memory_mb", "4096", "MiB", "largest object (or SPACEXNET_MEMORY_LIMIT_MB)" },
              { "workers", "processors", "", "threads of the path kernel and of Monte Carlo "
                .. "(blocks of 4,096 tokens; or SPACEXNET_WORKERS)" },
              { "paths", "\"csr\"", "", "\"csr\" (buckets, or a binary heap when link latencies "
                .. "are too uneven), \"heap\", or \"igraph\" (igraph's Dijkstra on one thread, "
                .. "the reference)" },
              { "snapshot_cache_mb", "64", "MiB", "per network: the snapshots' links as the path "
                .. "kernel reads them, computed once and kept, the first ones that fit (about "
                .. "52 kB per snapshot of 33 x 32, 2 MB of 200 x 200); the others are computed "
                .. "again for each query; 0 for none. Counted by net:bytes(), within memory_mb" } },
  returns = "the limits in force" }
def { "xnet.help", section = "results", sig = "help(), help(xnet.evaluate), help \"evaluate\"",
  about = "This reference at the prompt: the modules, or one function's signature, options "
    .. "(defaults, units) and return values, or an object's methods.",
  returns = "nothing; prints" }
def { "xnet.unknown_name", section = "results", sig = "xnet.unknown_name(kind, name, valid, context)",
  about = "The message for an unknown name, with the nearest valid one when it is a likely typo.",
  returns = "`\"unknown KIND 'NAME' (did you mean 'X'? allowed: ...)\"`" }
def { "xnet.strict", section = "results", sig = "xnet.strict()",
  returns = "nothing; from now on reading or writing an undeclared global raises" }

-- Studies and plots -----------------------------------------------------------------

def { "xnet.study", section = "studies", sig = "xnet.study{ ... }",
  about = "A study: a grid of parameters, repeats and a function that runs one point. Run it "
    .. "with `spacexnet study run FILE --out DIR`.",
  options = { { "name", "required", "", "the study's name" },
              { "grid", "{}", "", "`{ param = { values... }, ... }`" },
              { "repeats", "1", "", "runs of every grid point, each with its own seed" },
              { "seed", "1", "", "the study seed; each point's seed derives from it" },
              { "run", "required", "", "`function(point, seed, info)` returning the metrics" },
              { "description", "nil", "", "free text for the manifest" } },
  returns = "Study" }
local PLOT_OPTIONS = {
  { "data", "required", "", "a study directory, a merged CSV, a list of rows, or a study result" },
  { "x", "required", "", "the column on the x axis" },
  { "y", "required", "", "the metric, or a list of metrics: one series each (per `by` value)" },
  { "by", "nil", "", "one series per value of this column" },
  { "where", "{}", "", "`{ param = value }` fixing every other parameter" },
  { "errors", '"sd"', "", '"sd", "se", "minmax" or "ci95" (Student\'s t) over repeats; '
    .. "the key says which" },
  { "labels", "{}", "", "series names: `{ spacexnet = \"Space-XNet\" }` (by values or metrics)" },
  { "out", "required", "", "base path of BASE.dat, BASE.gp and the pictures" },
  { "title", "nil", "", "the title" },
  { "xlabel", "from x", "", "x axis label (default: the column, a unit suffix as `(ms)`)" },
  { "ylabel", "from y", "", "y axis label (the same)" },
  { "logy", "false", "", "logarithmic y axis" },
  { "size", "{ 800, 500 }", "px", "width and height (PDF: 100 px per inch)" },
  { "formats", '{ "svg", "png" }', "", 'any of "svg", "png", "pdf" (gnuplot\'s cairo terminals)' },
  { "gnuplot", '"gnuplot"', "", "the program ($GNUPLOT); false only writes data and script" },
}
local LINES_OPTIONS = { table.unpack(PLOT_OPTIONS) }
table.insert(LINES_OPTIONS, 12, { "logx", "false", "", "logarithmic x axis" })
local PLOT_RETURNS = "`{ dat, script, svg, png, pdf, files, rendered, message }` (`rendered` "
  .. "false and `message` saying how to render when gnuplot is missing); raises on misuse "
  .. "(options, columns, types), returns `nil, message` when data cannot be read, no row "
  .. "matches, or a file or gnuplot fails"
def { "xnet.plot.lines", section = "studies", sig = "xnet.plot.lines{ ... }",
  about = "Mean over repeats against a parameter, one line per series, with error bars; "
    .. "Okabe-Ito colours, a marker and a dash pattern per series, axes fitted to the data.",
  options = LINES_OPTIONS, returns = PLOT_RETURNS }
def { "xnet.plot.bars", section = "studies", sig = "xnet.plot.bars{ ... }",
  about = "Grouped bars: one group per x value, one bar per series, with error bars.",
  options = PLOT_OPTIONS, returns = "as `xnet.plot.lines`" }
def { "xnet.plot.map", section = "studies", sig = "xnet.plot.map{ ... }",
  about = "The constellation from above at one snapshot, in Earth-fixed longitude and geodetic "
    .. "latitude over gnuplot's world outline: each subnet in its own colour, gateways labelled "
    .. "with their layer, experts coloured by activation probability on a fixed 0-1 scale, "
    .. "the extra copies of a replicated plan as diamonds in the same colours (in the key), "
    .. "ground terminals and the active links when asked, latitude fitted to the shell.",
  options = { { "net", "required", "", "Network" }, { "ring", "required", "", "Ring" },
              { "plan", "nil", "", "Plan whose gateways and experts to mark" },
              { "profile", "nil", "", "Profile colouring the experts (needs plan)" },
              { "snapshot", "0", "", "the snapshot drawn" },
              { "out", "required", "", "base path" }, { "title", "shell and time", "", "the title" },
              { "size", "{ 1000, 560 }", "px", "width and height" },
              { "formats", '{ "svg", "png" }', "", "as for lines" },
              { "gnuplot", '"gnuplot"', "", "as for lines" },
              { "ground", "nil", "", "Terminals to mark (a list from xnet.ground)" },
              { "links", "false", "", "draw the snapshot's active links" },
              { "coastlines", "gnuplot's world.dat", "", "path of a lon/lat outline, or false "
                .. "(Debian gnuplot-doc installs the default)" } },
  returns = "as `xnet.plot.lines`, plus `experts` (first copies), `copies` (extra copies), "
    .. "`terminals`, `links`, `coastlines`" }
def { "xnet.study.collect", section = "studies", sig = 'require("xnet.study").collect(dir)',
  about = "Reads a study directory's finished points (each file checked: damaged ones, and "
    .. "ones from another study file, are listed in `bad` and counted missing).",
  returns = "`{ manifest, rows, columns, params, metrics, points, missing, bad, extra }` (rows "
    .. "in grid order, with the parameters, `repeat`, `seed` and the metrics), or `nil, message`" }
def { "xnet.study.new", section = "studies", sig = "study.new{ ... }, study{ ... }",
  about = "The same as `xnet.study{ ... }`. A Study has `st:points()` (every point and repeat "
    .. "in grid order: `{ params, key, rep, id, seed }`), `st:point(id)`, `st:count()` and "
    .. "`st:run_point(p)` (seeds math.random, refuses os.exit, checks the metrics).",
  returns = "Study; raises on a bad definition, naming the value" }
def { "xnet.study.is_study", section = "studies", sig = "study.is_study(v)", returns = "boolean" }
def { "xnet.study.load", section = "studies", sig = "study.load(path)",
  about = "Runs a study file with strict globals.",
  returns = "Study with `file`, `source` and `hash` (of the file's bytes), or `nil, message`" }
def { "xnet.study.canonical", section = "studies", sig = "study.canonical(params)",
  returns = 'the point\'s key: `{"name":value,...}`, names sorted, integral numbers as integers' }
def { "xnet.study.derive", section = "studies", sig = "study.derive(study_seed, key, rep)",
  returns = "id (16 hex digits, the point file's name), seed (53 bits) of one repeat of a point" }
def { "xnet.study.count", section = "studies", sig = "study.count(grid, repeats)",
  returns = "the number of points, or `nil, message` over the limit of 1,000,000" }
def { "xnet.study.expand", section = "studies", sig = "study.expand(grid, repeats, study_seed)",
  returns = "the points in grid order (as `st:points()`), the parameter names" }
def { "xnet.study.shard", section = "studies", sig = "study.shard(points, k, n)",
  returns = "every n-th point from the k-th (what `--shard K/N` runs)" }
def { "xnet.study.parse_shard", section = "studies", sig = 'study.parse_shard("K/N")',
  returns = "k, n; or `nil, message`" }
def { "xnet.study.check_grid", section = "studies", sig = "study.check_grid(grid)",
  returns = "a checked copy of a grid; raises naming the bad name or value" }
def { "xnet.study.check_metrics", section = "studies", sig = "study.check_metrics(metrics, params, read)",
  returns = "`nil`, or what is wrong with a point's metrics (not scalars, or named like a column)" }
def { "xnet.plot.aggregate", section = "studies", sig = 'require("xnet.plot").aggregate{ ... }',
  about = "The numbers `plot.lines` draws, without drawing.",
  options = { PLOT_OPTIONS[1], PLOT_OPTIONS[2], PLOT_OPTIONS[3], PLOT_OPTIONS[4],
              PLOT_OPTIONS[5], PLOT_OPTIONS[6], PLOT_OPTIONS[7] },
  returns = "`{ xs, series = { { y, value, label, at = { [x] = { n, mean, sd, se, min, max, lo, "
    .. "hi } } } }, numeric_x, errors, n_min, n_max }`, or `nil, message`" }

-- Modules ----------------------------------------------------------------------------

def { "xnet.report.markdown", section = "modules", sig = "report.markdown(rows, columns)",
  returns = "a Markdown table of rows (tables keyed by column), numbers right-aligned, nan "
    .. "shown as `-`" }
def { "xnet.report.provenance", section = "modules", sig = "report.provenance(extra)",
  returns = "`{ spacexnet_version, revision, lua_version, igraph_version, host }` plus extra "
    .. "(study manifests and run logs carry the same fields)" }
def { "xnet.report.timestamp", section = "modules", sig = "report.timestamp(t)",
  returns = '"2026-01-31T12:00:00Z" (UTC) for t, default now' }
def { "xnet.csv.encode", section = "modules", sig = "csv.encode(rows, columns, meta)",
  about = "CSV with exact numbers (nan, inf) and RFC 4180 quoting, after meta's entries as "
    .. "`# key: value` lines.",
  returns = "string" }
def { "xnet.csv.decode", section = "modules", sig = "csv.decode(text)",
  about = "Leading `#` lines are skipped; unquoted numbers, nan, inf, true and false converted.",
  returns = "rows (tables keyed by column), columns; or `nil, message`" }
def { "xnet.csv.field", section = "modules", sig = "csv.field(v)", returns = "v as one CSV field" }
def { "xnet.csv.value", section = "modules", sig = "csv.value(s, quoted)",
  returns = "the value of one field (`nil` for an empty unquoted one)" }
def { "xnet.csv.columns", section = "modules", sig = "csv.columns(rows)",
  returns = "every string key of the rows, sorted" }
def { "xnet.stats.summary", section = "modules", sig = "stats.summary(values)",
  returns = "`{ n, mean, sd, se, min, max }` (sd with n - 1; NaN fields when empty)" }
def { "xnet.stats.mean", section = "modules", sig = "stats.mean(values)", returns = "number" }
def { "xnet.stats.t_quantile", section = "modules", sig = "stats.t_quantile(p, df)",
  about = "Student's t quantile (P(T <= t) = p, df degrees of freedom), for 95% confidence "
    .. "intervals: `stats.t_quantile(0.975, n - 1) * se`.",
  returns = "number" }
def { "xnet.util.sorted_keys", section = "modules", sig = "util.sorted_keys(t)",
  returns = "the keys of t, sorted" }
def { "xnet.util.copy", section = "modules", sig = "util.copy(t)", returns = "a shallow copy" }
def { "xnet.util.describe", section = "modules", sig = "util.describe(v)",
  returns = "v for an error message: strings quoted" }
def { "xnet.util.strict", section = "modules", sig = "util.strict(fallback)",
  returns = "a metatable for a globals table: undeclared names raise (xnet.strict, study files)" }
def { "xnet.json.encode", section = "modules", sig = "json.encode(value, { ... })",
  about = "Deterministic, strict JSON (RFC 8259): sorted keys, shortest exact numbers, tables "
    .. "keyed from 0 as arrays, infinities and NaN as null; raises on what JSON cannot hold, "
    .. "naming where.",
  options = { { "indent", "nil", "", "indentation string (compact without)" },
              { "exact", "false", "", "when value is an object holding NaN or infinities: add "
                .. "the member `nonfinite`, `{ [JSON Pointer] = \"inf\" | \"-inf\" | "
                .. "\"nan\" }` (study files, xnet.export)" } },
  returns = "string" }
def { "xnet.json.decode", section = "modules", sig = "json.decode(text, { ... })",
  about = "Also reads NaN, Infinity and -Infinity (Python's json writes them).",
  options = { { "exact", "false", "", "put back the NaN and infinities a top-level "
                .. "`nonfinite` member lists, and drop it" } },
  returns = "value (null as `json.null`), or `nil, message`" }
def { "xnet.json.array", section = "modules", sig = "json.array(t)",
  returns = "t, marked to encode as an array even when empty" }
def { "xnet.json.number", section = "modules", sig = "json.number(x)",
  returns = "x as its shortest exact text" }
def { "xnet.json.string", section = "modules", sig = "json.string(s)", returns = "s as a JSON string" }
def { "xnet.paper.setup", section = "modules", sig = "paper.setup{ ... }",
  about = "The paper's constellation, network, model and ring; any default (pattern, planes, "
    .. "sats, ..., model, layers) can be changed by name.",
  returns = "`{ con, net, model, ring, params }`" }
def { "xnet.paper.plan", section = "modules", sig = "paper.plan(setup, method, prof, { seed, variant })",
  returns = "the Plan of one of `paper.METHODS`" }
def { "xnet.paper.profile", section = "modules", sig = "paper.profile(m, name, seed)",
  returns = 'Profile for "uniform", "zipf-S" or "dirichlet-A" (`paper.PROFILES`)' }
def { "xnet.paper.evaluate", section = "modules", sig = "paper.evaluate(setup, prof, { seed, variant, tokens })",
  returns = "`{ [method] = evaluate result }` for the four methods on one network (paired)" }
def { "xnet.paper.metrics", section = "modules", sig = "paper.metrics(setup, prof, seed)",
  returns = "a study point's metrics: `<method>` (exact s/token) and `<method>_undelivered`" }
def { "xnet.paper.fit", section = "modules", sig = "paper.fit(means)",
  returns = "metrics: `<method>` (the given s/token), `distance` (rms log distance to the paper's means), `gap` (RandIntra-CG / Space-XNet)" }
def { "xnet.paper.long", section = "modules", sig = "paper.long(rows, params, suffix)",
  returns = "`{ rows, params }` with one row per method (`method`, `value` columns), for plots" }

-- Processes and clocks ---------------------------------------------------------------

def { "xnet.spawn", section = "system", sig = "xnet.spawn{ path, arg1, ... }",
  returns = "Process with pipes to its standard input and output; or `nil, \"path: reason\"`" }
def { "proc:send", section = "system", sig = "proc:send(data)", returns = "`true` or `nil, reason`" }
def { "proc:receive", section = "system", sig = "proc:receive()",
  returns = "what the worker wrote so far (`\"\"` if nothing)" }
def { "proc:close_input", section = "system", sig = "proc:close_input()",
  returns = "nothing; the worker sees end of input" }
def { "proc:wait", section = "system", sig = "proc:wait(block = true)",
  returns = "exit code (128 + signal when killed), or `nil` while running" }
def { "proc:kill", section = "system", sig = 'proc:kill(sig = "INT")', returns = '"INT", "TERM" or "KILL"' }
def { "proc:pid", section = "system", sig = "proc:pid()", returns = "process id (0 once reaped)" }
def { "proc:close", section = "system", sig = "proc:close()", returns = "nothing; closes the pipes" }
def { "xnet.poll", section = "system", sig = "xnet.poll(procs, timeout_s)",
  returns = "processes with something to read or ended" }
def { "xnet.executable", section = "system", sig = "xnet.executable()", returns = "path of this program" }
def { "xnet.list_dir", section = "system", sig = "xnet.list_dir(path)",
  returns = "names (unsorted), or `nil, \"path: reason\"`" }
def { "xnet.mkdir", section = "system", sig = "xnet.mkdir(path)",
  returns = "`true` (parents created), or `nil, \"path: reason\"`" }
def { "xnet.isatty", section = "system", sig = "xnet.isatty(fd)", returns = "boolean, fd 0, 1 or 2" }
def { "xnet.clock", section = "system", sig = "xnet.clock()", returns = "s on a monotonic clock" }
def { "xnet.time", section = "system", sig = "xnet.time()", returns = "s since the Unix epoch" }
def { "xnet.sleep", section = "system", sig = "xnet.sleep(s)", returns = "nothing; Ctrl-C ends it early" }
def { "xnet.pid", section = "system", sig = "xnet.pid()", returns = "this process id" }
def { "xnet.hostname", section = "system", sig = "xnet.hostname()", returns = "string" }
def { "xnet.cpu_count", section = "system", sig = "xnet.cpu_count()", returns = "processors online" }
def { "xnet.hash64", section = "system", sig = "xnet.hash64(s)",
  returns = "a stable 64-bit integer hash (not for security)" }
def { "xnet.realpath", section = "system", sig = "xnet.realpath(path)",
  returns = "the absolute path of an existing path, symbolic links resolved; or `nil, \"path: reason\"`" }
def { "xnet.interrupted", section = "system", sig = "xnet.interrupted()",
  returns = "`true` once Ctrl-C has arrived during the current top-level call" }

-- Lookup -------------------------------------------------------------------------------

doc.by_name = {}
for _, e in ipairs(doc.entries) do doc.by_name[e.name] = e end

-- The README's "call" cell: options with their defaults written into the call.
local function call_text(e)
  if not e.options or e.sig:find("{ %.%.%. }") == nil then return e.sig end
  local parts = {}
  for _, o in ipairs(e.options) do
    parts[#parts + 1] = o[2] == "required" and o[1] or (o[1] .. " = " .. o[2])
  end
  return (e.sig:gsub("{ %.%.%. }", "{ " .. table.concat(parts, ", ") .. " }"))
end

-- doc.markdown(section) -> the README's table for one section
function doc.markdown(section)
  local lines = { "| call | returns |", "|---|---|" }
  for _, e in ipairs(doc.entries) do
    if e.section == section then
      local cell = "`" .. call_text(e):gsub("|", "\\|") .. "`"
      local returns = e.returns:gsub("|", "\\|")
      if e.about then returns = e.about:gsub("|", "\\|") .. " Returns " .. returns end
      lines[#lines + 1] = "| " .. cell .. " | " .. returns .. " |"
    end
  end
  return table.concat(lines, "\n")
end

-- doc.readme(text) -> text with every block between `<!-- api:NAME -->` and
-- `<!-- /api -->` replaced by doc.markdown(NAME); raises on an unknown name
function doc.readme(text)
  local known = {}
  for _, s in ipairs(doc.sections) do known[s] = true end
  return (text:gsub("(<!%-%- api:([%w_]+) %-%->\n)(.-)(<!%-%- /api %-%->)",
                    function(open, name, _, close)
                      if not known[name] then error("README: unknown API section '" .. name .. "'") end
                      return open .. doc.markdown(name) .. "\n" .. close
                    end))
end

-- Printing -------------------------------------------------------------------------------

local function wrap(text, indent, width)
  local out, line = {}, indent
  for word in text:gmatch("%S+") do
    if #line + #word + 1 > width and line ~= indent then
      out[#out + 1] = line
      line = indent
    end
    line = line .. (line == indent and "" or " ") .. word
  end
  if line ~= indent then out[#out + 1] = line end
  return table.concat(out, "\n")
end

-- doc.text(entry) -> the help text of one entry
function doc.text(e)
  local out = { e.sig }
  if e.about then out[#out + 1] = wrap(e.about, "  ", 78) end
  if e.options then
    out[#out + 1] = "  options (default, unit):"
    local w = 0
    for _, o in ipairs(e.options) do w = math.max(w, #o[1]) end
    for _, o in ipairs(e.options) do
      local def = o[2] .. (o[3] ~= "" and " " .. o[3] or "")
      out[#out + 1] = string.format("    %-" .. w .. "s  %-14s %s", o[1], def, o[4])
    end
  end
  out[#out + 1] = wrap("returns: " .. e.returns:gsub("`", ""), "  ", 78)
  return table.concat(out, "\n")
end

-- help -------------------------------------------------------------------------------

-- Every documented function by identity, from the live tables: xnet's,
-- the modules' and the object types' methods.
local function named_functions()
  local xnet = require "xnet"
  local names = {}
  local function walk(t, prefix)
    for k, v in pairs(t) do
      if type(v) == "function" and type(k) == "string" then
        names[v] = names[v] or prefix .. k
      end
    end
  end
  walk(xnet, "xnet.")
  for _, sub in ipairs { "profile", "place", "plan", "plot" } do walk(xnet[sub], "xnet." .. sub .. ".") end
  for _, mod in ipairs { "report", "json", "paper", "plot", "study", "csv", "stats", "util" } do
    walk(require("xnet." .. mod), "xnet." .. mod .. ".")
  end
  for class, c in pairs(doc.classes) do
    local mt = debug.getregistry()["xnet." .. class]
    if mt and mt.methods then walk(mt.methods, c.var .. ":") end
  end
  return names
end
doc.named_functions = named_functions

local function one_line(e)
  return string.format("  %-44s %s", e.sig, (e.returns:gsub("`", ""):gsub("%s+", " ")))
end

local function print_entries(title, match)
  local out = { title }
  for _, e in ipairs(doc.entries) do
    if match(e) then out[#out + 1] = one_line(e) end
  end
  print(table.concat(out, "\n"))
end

local function print_modules()
  local out = { "spacexnet's Lua modules (help \"xnet.place\" lists one; help(xnet.evaluate) or "
                .. "help \"evaluate\" shows one function; help(obj) an object's methods):" }
  for _, m in ipairs(doc.modules) do out[#out + 1] = string.format("  %-13s %s", m[1], m[2]) end
  out[#out + 1] = "Objects: Constellation (con), Network (net), Row (row), Model (m), "
                  .. "Profile (prof), Ring (ring), Plan (plan), Process (proc)."
  out[#out + 1] = "The reference is also in README.md; the model in docs/model.md."
  print(table.concat(out, "\n"))
end

local function print_class(class)
  local c = doc.classes[class]
  local fields = c.fields and ("; fields: " .. table.concat(c.fields, ", ")) or ""
  print_entries(class .. " (" .. c.var .. ") methods" .. fields .. ":", function(e)
    return e.name:sub(1, #c.var + 1) == c.var .. ":"
  end)
end

-- Every name help() accepts, for the did-you-mean message.
local function topics()
  local list = {}
  for _, m in ipairs(doc.modules) do list[#list + 1] = m[1] end
  for class in pairs(doc.classes) do list[#list + 1] = class end
  for _, e in ipairs(doc.entries) do
    list[#list + 1] = e.name
    local short = e.name:match("[%.:]([%w_]+)$")
    if short then list[#list + 1] = short end
  end
  return list
end

-- help() lists the modules; help(f) or help "name" prints one function;
-- help(object) or help "Network" lists a type's methods; help(xnet.place) or
-- help "xnet.place" a module's functions.
function doc.help(x)
  if x == nil then return print_modules() end
  local mt = getmetatable(x)
  local tname = mt and type(mt) == "table" and mt.__name
  local class = type(tname) == "string" and tname:match("^xnet%.(%u%w*)$")
  if class == "Result" then return print(doc.text(doc.by_name["xnet.evaluate"])) end
  if class and doc.classes[class] then return print_class(class) end
  if type(x) == "function" then
    local name = named_functions()[x]
    if name and doc.by_name[name] then return print(doc.text(doc.by_name[name])) end
    return print("no help for this function (help() lists what is documented)")
  end
  if type(x) == "table" then
    local xnet = require "xnet"
    for _, m in ipairs(doc.modules) do
      local name = m[1]
      local t = name == "xnet" and xnet or xnet[name:match("^xnet%.(.*)$") or ""]
      if t == nil then t = package.loaded[name] end
      if t == x then x = name break end
    end
    if type(x) == "table" then return print("no help for this table (help() lists the modules)") end
  end
  if type(x) ~= "string" then
    return print("help expects a function, an object or a name, got " .. type(x))
  end
  if doc.by_name[x] or doc.by_name["xnet." .. x] then
    return print(doc.text(doc.by_name[x] or doc.by_name["xnet." .. x]))
  end
  if doc.classes[x] then return print_class(x) end
  for class, c in pairs(doc.classes) do
    if c.var == x then return print_class(class) end
  end
  for _, m in ipairs(doc.modules) do
    if m[1] == x or m[1] == "xnet." .. x then
      local prefix = m[1] == "xnet" and "xnet.[%w_]+$" or ("^" .. m[1]:gsub("%.", "%%.") .. "%.")
      return print_entries(m[1] .. ": " .. m[2], function(e) return e.name:find(prefix) ~= nil end)
    end
  end
  local found = {}
  for _, e in ipairs(doc.entries) do
    if e.name:match("[%.:]([%w_]+)$") == x then found[#found + 1] = e end
  end
  if #found == 1 then return print(doc.text(found[1])) end
  if #found > 1 then
    return print_entries(string.format("%d functions are called '%s':", #found, x),
                         function(e) return e.name:match("[%.:]([%w_]+)$") == x end)
  end
  local core = require "xnet.core"
  print(core.unknown_name("help topic", x, topics()) .. "; help() lists the modules")
end

-- Completion at the prompt ---------------------------------------------------------------

local KEYWORDS = { "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
                   "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
                   "true", "until", "while" }

-- The names one can write after `v.` (methods too) or, with colon, `v:`.
local function names_of(v, colon)
  local names = {}
  local function add_keys(t, only_functions)
    for k, x in pairs(t) do
      if type(k) == "string" and k:match("^[%a_][%w_]*$")
         and (not only_functions or type(x) == "function") then
        names[#names + 1] = k
      end
    end
  end
  local mt = getmetatable(v)
  if type(v) == "table" then
    add_keys(v, colon)
    if type(mt) == "table" and type(rawget(mt, "__index")) == "table" then
      add_keys(mt.__index, colon)
    end
  elseif type(v) == "userdata" and type(mt) == "table" then
    if type(rawget(mt, "methods")) == "table" then add_keys(mt.methods, true) end
    local class = type(mt.__name) == "string" and doc.classes[mt.__name:match("^xnet%.(%w+)$") or ""]
    if class and class.fields and not colon then
      for _, f in ipairs(class.fields) do names[#names + 1] = f end
    end
  elseif type(v) == "string" and colon then
    add_keys(string, true)
  end
  return names
end

-- doc.complete(text) -> the sorted completions of a Lua expression's tail:
-- a global ("xne"), a field ("xnet.pla", "con.alt") or a method ("net:lat").
-- Nothing is called but __index (a userdata's fields); errors complete nothing.
function doc.complete(text)
  local chain, sep, partial = text:match("^(.-)([%.:]?)([%a_]?[%w_]*)$")
  if not chain or (sep == "" and chain ~= "") then return {} end
  local candidates
  if sep == "" then
    candidates = {}
    for k in pairs(_G) do
      if type(k) == "string" then candidates[#candidates + 1] = k end
    end
    for _, k in ipairs(KEYWORDS) do candidates[#candidates + 1] = k end
  else
    if not chain:match("^[%a_][%w_]*$") and not chain:match("^[%a_][%w_%.]*[%w_]$") then
      return {}
    end
    local ok, v = pcall(function()
      local v = rawget(_G, chain:match("^[%a_][%w_]*"))
      for name in chain:gmatch("%.([%a_][%w_]*)") do
        if v == nil then return nil end
        v = v[name]
      end
      return v
    end)
    if not ok or v == nil then return {} end
    candidates = names_of(v, sep == ":")
  end
  local out, seen = {}, {}
  for _, name in ipairs(candidates) do
    if name:sub(1, #partial) == partial and not seen[name] then
      seen[name] = true
      out[#out + 1] = chain .. sep .. name
    end
  end
  table.sort(out)
  return out
end

return doc
