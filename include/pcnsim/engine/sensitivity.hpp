#pragma once
// Experimental designs in the unit hypercube and global sensitivity analysis:
// full grid, Latin hypercube, Morris elementary effects and Saltelli/Sobol
// indices with bootstrap intervals. Pure functions over plain vectors: the
// sweep runner maps unit coordinates to parameter values and feeds back one
// output value per design row.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pcnsim {

/// Points in [0,1]^factors, row-major: points[row * factors + factor].
struct UnitDesign {
  std::size_t factors = 0;
  std::vector<double> points;
  std::size_t rows() const { return factors == 0 ? 0 : points.size() / factors; }
  double at(std::size_t row, std::size_t factor) const { return points[row * factors + factor]; }
};

/// Every combination of levels; factor f takes levels[f] values i/(levels[f]-1)
/// (0.5 when it has one level). The last factor varies fastest. Throws
/// std::invalid_argument when a factor has fewer than one level.
UnitDesign full_grid(const std::vector<int>& levels);

/// Latin hypercube of `samples` points: each factor has exactly one point in
/// each of the `samples` equal strata, at a random position within it.
/// Every design is a pure function of its arguments (streams "lhs", "morris",
/// "saltelli"; the bootstraps use "bootstrap_morris" and "bootstrap_sobol").
UnitDesign latin_hypercube(std::size_t factors, std::size_t samples, std::uint64_t seed);

/// Morris trajectories on a `levels`-level grid with step delta = levels /
/// (2 (levels - 1)): `trajectories` blocks of factors + 1 rows; consecutive
/// rows of a block differ in exactly one factor, each factor once per block.
/// Per block: a base point on the levels i/(levels-1) with x + delta <= 1, a
/// random direction per factor (down means starting at x + delta) and a random
/// factor order. With an even `levels` every row lies on the grid; an odd one
/// puts the stepped values off it. Throws std::invalid_argument if levels < 2.
UnitDesign morris_design(std::size_t factors, std::size_t trajectories, int levels, std::uint64_t seed);

/// Saltelli's scheme for `base_samples` N: rows are N*(factors+2) in blocks of
/// N: block 0 = matrix A, block 1 = matrix B, block 2+i = A with column i from
/// B (AB_i). A and B are independent uniform samples.
UnitDesign saltelli_design(std::size_t factors, std::size_t base_samples, std::uint64_t seed);

struct MorrisIndices {
  // Per factor; elementary effects are in unit coordinates, i.e. the change of
  // the output over the factor's whole range (a linear y = c x over [lo, hi]
  // has mu* = |c| (hi - lo) and sigma = 0).
  std::vector<double> mu, mu_star, sigma;
  std::vector<double> mu_star_low, mu_star_high;  // bootstrap percentile interval (trajectories resampled)
};

/// Indices from the outputs `y` (one per row of a morris_design). sigma is the
/// sample standard deviation (0 with one trajectory); with bootstrap <= 0 the
/// interval is [mu*, mu*]. Throws std::invalid_argument when y does not match
/// the design or a block is not a Morris trajectory.
MorrisIndices morris_indices(const UnitDesign& design, std::size_t trajectories, const std::vector<double>& y,
                             int bootstrap, std::uint64_t seed, double confidence = 0.95);

struct SobolIndices {
  // Per factor: first-order (Saltelli 2010 estimator) and total (Jansen 1999)
  // indices with bootstrap percentile intervals (rows of A, B, AB_i resampled
  // together).
  std::vector<double> s1, s1_low, s1_high, st, st_low, st_high;
};

/// Indices from the outputs `y` (one per row of a saltelli_design). V is the
/// population variance of f_A and f_B together; indices are 0 when V == 0.
/// Throws std::invalid_argument when y.size() != base_samples * (factors + 2).
SobolIndices sobol_indices(std::size_t factors, std::size_t base_samples, const std::vector<double>& y,
                           int bootstrap, std::uint64_t seed, double confidence = 0.95);

/// The Ishigami function (a = 7, b = 0.1 by default) on x in [-pi, pi]^3, the
/// standard test of sensitivity methods: S1 = (0.3139, 0.4424, 0),
/// ST = (0.5576, 0.4424, 0.2437).
double ishigami(double x1, double x2, double x3, double a = 7.0, double b = 0.1);

}  // namespace pcnsim
