-- Iridium (NEXT keeps the original geometry): 66 satellites, 6 polar planes
-- of 11 at 780 km and 86.4 deg, a star pattern with a seam; cross-plane links
-- only between co-rotating planes.
-- Source: L. Wood, SaVi constellation simulator, data/iridium-66.tcl (6 planes,
-- 11 per plane, 780 km, 86.4 deg); plane and satellite counts also in the FAA
-- launch record of Iridium (six groupings of 11).
return {
  name = "iridium-next",
  description = "Iridium NEXT, 66 satellites (SaVi iridium-66)",
  shells = {
    { planes = 6, sats = 11, altitude_km = 780, inclination_deg = 86.4, pattern = "star" },
  },
}
