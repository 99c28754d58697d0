#include "pcnsim/kernel/geo.hpp"

#include <cmath>
#include <numbers>

namespace pcnsim {

namespace {

constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kArcSec = kDeg / 3600.0;

struct Ellipsoid {
  double a, b;
  double e2() const { return (a * a - b * b) / (a * a); }
};
constexpr Ellipsoid kWgs84{6378137.000, 6356752.314245};
constexpr Ellipsoid kAiry1830{6377563.396, 6356256.909};

struct Cartesian {
  double x, y, z;
};

Cartesian to_cartesian(double phi, double lambda, const Ellipsoid& el) {
  const double nu = el.a / std::sqrt(1.0 - el.e2() * std::sin(phi) * std::sin(phi));
  return {nu * std::cos(phi) * std::cos(lambda), nu * std::cos(phi) * std::sin(lambda),
          nu * (1.0 - el.e2()) * std::sin(phi)};
}

// WGS84 -> OSGB36 (OS guide, section 6.6: tx, ty, tz in m, s in ppm, r in arc seconds).
Cartesian helmert_wgs84_to_osgb36(const Cartesian& c) {
  const double tx = -446.448, ty = 125.157, tz = -542.060;
  const double s = 20.4894e-6;
  const double rx = -0.1502 * kArcSec, ry = -0.2470 * kArcSec, rz = -0.8421 * kArcSec;
  return {tx + (1.0 + s) * c.x - rz * c.y + ry * c.z, ty + rz * c.x + (1.0 + s) * c.y - rx * c.z,
          tz - ry * c.x + rx * c.y + (1.0 + s) * c.z};
}

void to_geodetic(const Cartesian& c, const Ellipsoid& el, double& phi, double& lambda) {
  lambda = std::atan2(c.y, c.x);
  const double p = std::hypot(c.x, c.y);
  phi = std::atan2(c.z, p * (1.0 - el.e2()));
  for (int k = 0; k < 10; ++k) {  // converges to well under a millimetre in 3-4 steps
    const double nu = el.a / std::sqrt(1.0 - el.e2() * std::sin(phi) * std::sin(phi));
    phi = std::atan2(c.z + el.e2() * nu * std::sin(phi), p);
  }
}

// National Grid Transverse Mercator (OS guide, appendix C.1).
GridPoint national_grid(double phi, double lambda) {
  const Ellipsoid& el = kAiry1830;
  const double f0 = 0.9996012717, phi0 = 49.0 * kDeg, lambda0 = -2.0 * kDeg, e0 = 400000.0, n0 = -100000.0;
  const double a = el.a, b = el.b, e2 = el.e2();
  const double n = (a - b) / (a + b), n2 = n * n, n3 = n2 * n;
  const double s = std::sin(phi), c = std::cos(phi), t = std::tan(phi);
  const double nu = a * f0 / std::sqrt(1.0 - e2 * s * s);
  const double rho = a * f0 * (1.0 - e2) / std::pow(1.0 - e2 * s * s, 1.5);
  const double eta2 = nu / rho - 1.0;
  const double dp = phi - phi0, sp = phi + phi0;
  const double m = b * f0 *
                   ((1.0 + n + 1.25 * n2 + 1.25 * n3) * dp - (3.0 * n + 3.0 * n2 + 2.625 * n3) * std::sin(dp) * std::cos(sp) +
                    (1.875 * n2 + 1.875 * n3) * std::sin(2.0 * dp) * std::cos(2.0 * sp) -
                    (35.0 / 24.0) * n3 * std::sin(3.0 * dp) * std::cos(3.0 * sp));
  const double i = m + n0;
  const double ii = nu / 2.0 * s * c;
  const double iii = nu / 24.0 * s * c * c * c * (5.0 - t * t + 9.0 * eta2);
  const double iiia = nu / 720.0 * s * std::pow(c, 5) * (61.0 - 58.0 * t * t + std::pow(t, 4));
  const double iv = nu * c;
  const double v = nu / 6.0 * c * c * c * (nu / rho - t * t);
  const double vi = nu / 120.0 * std::pow(c, 5) * (5.0 - 18.0 * t * t + std::pow(t, 4) + 14.0 * eta2 - 58.0 * t * t * eta2);
  const double l = lambda - lambda0;
  return {e0 + iv * l + v * l * l * l + vi * std::pow(l, 5),
          i + ii * l * l + iii * std::pow(l, 4) + iiia * std::pow(l, 6)};
}

}  // namespace

GridPoint wgs84_to_national_grid(double latitude_deg, double longitude_deg) {
  const Cartesian osgb = helmert_wgs84_to_osgb36(to_cartesian(latitude_deg * kDeg, longitude_deg * kDeg, kWgs84));
  double phi = 0, lambda = 0;
  to_geodetic(osgb, kAiry1830, phi, lambda);
  return national_grid(phi, lambda);
}

GridPoint osgb36_to_national_grid(double latitude_deg, double longitude_deg) {
  return national_grid(latitude_deg * kDeg, longitude_deg * kDeg);
}

}  // namespace pcnsim
