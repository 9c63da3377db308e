-- Starlink, first generation (4,408 satellites in five shells), as modified
-- and granted by the FCC in April 2021.
-- Source: SpaceX, FCC IBFS SAT-MOD-20200417-00037 (technical attachment,
-- https://fcc.report/IBFS/SAT-MOD-20200417-00037/2274315.pdf); the same shells
-- are tabulated by Bassa, Hainaut and Galadi-Enriquez, A&A 657, A75 (2022),
-- Table 1. Minimum elevation 25 deg (same filing).
-- Phasing is not given there: 0 here. Pattern: delta (RAAN over 360 deg).
return {
  name = "starlink-gen1",
  description = "SpaceX Starlink, first generation (FCC SAT-MOD-20200417-00037)",
  min_elevation_deg = 25,
  shells = {
    { planes = 72, sats = 22, altitude_km = 550, inclination_deg = 53.0 },
    { planes = 72, sats = 22, altitude_km = 540, inclination_deg = 53.2 },
    { planes = 36, sats = 20, altitude_km = 570, inclination_deg = 70.0 },
    { planes = 6, sats = 58, altitude_km = 560, inclination_deg = 97.6 },
    { planes = 4, sats = 43, altitude_km = 560, inclination_deg = 97.6 },
  },
}
