-- Amazon Project Kuiper (3,236 satellites in three shells).
-- Source: Kuiper Systems LLC, FCC IBFS SAT-LOA-20190704-00057
-- (https://fcc.report/IBFS/SAT-LOA-20190704-00057/1773885.pdf), granted July
-- 2020; tabulated by Bassa et al., A&A 657, A75 (2022), Table 1, and used by
-- Kassing et al., "Exploring the Internet from space with Hypatia", IMC 2020
-- (shell 630 km, 51.9 deg, 34 x 34). Minimum elevation: the filing lists 20,
-- 30, 35 and 45 deg; 35 deg here (the value LEOCraft takes from the filing).
-- Phasing is not given in these sources: 0 here. Pattern: delta.
return {
  name = "kuiper",
  description = "Amazon Project Kuiper (FCC SAT-LOA-20190704-00057)",
  min_elevation_deg = 35,
  shells = {
    { planes = 34, sats = 34, altitude_km = 630, inclination_deg = 51.9 },
    { planes = 36, sats = 36, altitude_km = 610, inclination_deg = 42.0 },
    { planes = 28, sats = 28, altitude_km = 590, inclination_deg = 33.0 },
  },
}
