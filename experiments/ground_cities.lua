-- The users of experiments/ground.lua and of the ground map (experiments/figures.lua):
-- an equatorial city, two at mid-latitudes and one near the pole.
-- Coordinates (deg): Singapore, Madrid and Saint Petersburg from the city list
-- of Kassing et al., "Exploring the Internet from space with Hypatia", IMC 2020
-- (snkas/hypatia, ground_stations_cities_sorted_by_estimated_2025_pop_top_100);
-- Longyearbyen, Svalbard, from Wikipedia ("Longyearbyen": 78.22 N, 15.65 E).
return {
  { name = "Singapore", lat_deg = 1.28967, lon_deg = 103.85007 },
  { name = "Madrid", lat_deg = 40.4165, lon_deg = -3.70256 },
  { name = "Saint-Petersburg", lat_deg = 59.929858, lon_deg = 30.326228 },
  { name = "Longyearbyen", lat_deg = 78.22, lon_deg = 15.65 },
}
