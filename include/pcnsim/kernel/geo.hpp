#pragma once
// Latitude/longitude (WGS84, as in the ONS Postcode Directory) to the Ordnance
// Survey National Grid, so that full-postcode practice locations and the
// postcode-district centroids (given in National Grid metres) share one plane.
// Method: the OS's published 7-parameter Helmert transformation from WGS84 to
// OSGB36, then the National Grid's Transverse Mercator projection on the Airy
// 1830 ellipsoid (OS, "A guide to coordinate systems in Great Britain"). The
// Helmert step is good to a few metres (the OS's OSTN15 grid is not needed at
// network scale); distances on the grid are true to within 0.04% in England.
namespace pcnsim {

struct GridPoint {
  double easting_m = 0.0, northing_m = 0.0;
};

/// National Grid easting/northing (metres) of a WGS84 latitude/longitude (degrees, height 0).
GridPoint wgs84_to_national_grid(double latitude_deg, double longitude_deg);
/// The projection alone, for a latitude/longitude already on OSGB36 (Airy 1830).
GridPoint osgb36_to_national_grid(double latitude_deg, double longitude_deg);

}  // namespace pcnsim
