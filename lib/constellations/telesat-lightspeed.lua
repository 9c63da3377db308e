-- Telesat Lightspeed, the polar shell of its 2020 modification: 27 planes of
-- 13 satellites at 1,015 km and 98.98 deg (351 satellites).
-- Source: Telesat Canada, FCC IBFS SAT-MPL-20200526-00053
-- (https://fcc.report/IBFS/SAT-MPL-20200526-00053/2378318.pdf), as used by
-- Kassing et al., "Exploring the Internet from space with Hypatia", IMC 2020
-- (snkas/hypatia, main_telesat_1015.py: 27 x 13, 1015 km, 98.98 deg, minimum
-- elevation 10 deg). The filing's inclined shell (1,320 satellites at
-- 1,325 km) is left out: its plane count was not found in a source.
-- Polar planes: star pattern. Phasing not given: 0.
return {
  name = "telesat-lightspeed",
  description = "Telesat Lightspeed polar shell (FCC SAT-MPL-20200526-00053)",
  min_elevation_deg = 10,
  shells = {
    { planes = 27, sats = 13, altitude_km = 1015, inclination_deg = 98.98, pattern = "star" },
  },
}
