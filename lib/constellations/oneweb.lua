-- OneWeb, the polar shell of its 2020 modification: 36 planes of 49
-- satellites at 1,200 km and 87.9 deg (1,764 satellites).
-- Source: WorldVu Satellites (OneWeb), FCC IBFS SAT-MPL-20200526-00062
-- (https://fcc.report/IBFS/SAT-MPL-20200526-00062/2379706.pdf), as tabulated
-- in LEOCraft (suvambasak/LEOCraft, examples/shell_code_archive.py). The
-- filing's two inclined shells (40 and 55 deg) are left out.
-- Polar planes over 180 deg: star pattern. Phasing not given: 0.
return {
  name = "oneweb",
  description = "OneWeb polar shell (FCC SAT-MPL-20200526-00062)",
  shells = {
    { planes = 36, sats = 49, altitude_km = 1200, inclination_deg = 87.9, pattern = "star" },
  },
}
