-- The constellation of the Space-XNet paper: a Walker star of 33 planes of 32
-- satellites at 550 km and 87 deg (docs/model.md section 2 gives the source).
return {
  name = "spacexnet-paper",
  description = "The Space-XNet paper's 33 x 32 Walker star",
  shells = {
    { planes = 33, sats = 32, altitude_km = 550, inclination_deg = 87, pattern = "star" },
  },
}
