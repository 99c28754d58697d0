#include "pcnsim/engine/sensitivity.hpp"

#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/kernel/rng.hpp"

namespace pcnsim {

namespace {

std::size_t draw_index(Engine& rng, std::size_t n) {  // uniform in [0, n)
  return boost::random::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}

/// Fisher-Yates shuffle with Boost draws (std::shuffle's sequence differs
/// between standard libraries).
void shuffle_in_place(std::vector<std::size_t>& v, Engine& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[draw_index(rng, i)]);
}

std::vector<std::size_t> identity(std::size_t n) {
  std::vector<std::size_t> v(n);
  std::iota(v.begin(), v.end(), std::size_t{0});
  return v;
}

/// The (1 - confidence) / 2 and (1 + confidence) / 2 quantiles of `draws`.
std::pair<double, double> percentile_interval(const std::vector<double>& draws, double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) throw std::invalid_argument("confidence must be in (0, 1)");
  return {quantile(draws, (1.0 - confidence) / 2.0), quantile(draws, (1.0 + confidence) / 2.0)};
}

void require_outputs(const std::vector<double>& y, std::size_t rows, const char* design) {
  if (y.size() != rows)
    throw std::invalid_argument(std::string("expected ") + std::to_string(rows) + " outputs for the " + design +
                                " design, got " + std::to_string(y.size()));
}

/// Morris statistics of the elementary effects ee[t * factors + f] over the
/// trajectories listed in `which`.
struct MorrisStats {
  std::vector<double> mu, mu_star, sigma;
};

MorrisStats morris_stats(const std::vector<double>& ee, std::size_t factors, const std::vector<std::size_t>& which) {
  MorrisStats s{std::vector<double>(factors, 0.0), std::vector<double>(factors, 0.0),
                std::vector<double>(factors, 0.0)};
  const auto n = static_cast<double>(which.size());
  for (std::size_t f = 0; f < factors; ++f) {
    double sum = 0, sum_abs = 0;
    for (std::size_t t : which) {
      sum += ee[t * factors + f];
      sum_abs += std::fabs(ee[t * factors + f]);
    }
    s.mu[f] = sum / n;
    s.mu_star[f] = sum_abs / n;
    if (which.size() > 1) {
      double ss = 0;
      for (std::size_t t : which) ss += (ee[t * factors + f] - s.mu[f]) * (ee[t * factors + f] - s.mu[f]);
      s.sigma[f] = std::sqrt(ss / (n - 1.0));
    }
  }
  return s;
}

/// First-order (Saltelli 2010) and total (Jansen 1999) indices over the base
/// rows listed in `rows` (indices into the N rows of each block).
void sobol_point(std::size_t factors, std::size_t n, const std::vector<double>& y, const std::vector<std::size_t>& rows,
                 std::vector<double>& s1, std::vector<double>& st) {
  const auto m = static_cast<double>(rows.size());
  double mean = 0;
  for (std::size_t j : rows) mean += y[j] + y[n + j];
  mean /= 2.0 * m;
  double var = 0;
  for (std::size_t j : rows) var += (y[j] - mean) * (y[j] - mean) + (y[n + j] - mean) * (y[n + j] - mean);
  var /= 2.0 * m;
  for (std::size_t i = 0; i < factors; ++i) {
    const double* ab = y.data() + (2 + i) * n;
    double first = 0, total = 0;
    for (std::size_t j : rows) {
      first += y[n + j] * (ab[j] - y[j]);
      total += (y[j] - ab[j]) * (y[j] - ab[j]);
    }
    s1[i] = var > 0 ? first / m / var : 0.0;
    st[i] = var > 0 ? total / m / 2.0 / var : 0.0;
  }
}

}  // namespace

UnitDesign full_grid(const std::vector<int>& levels) {
  UnitDesign d;
  d.factors = levels.size();
  if (levels.empty()) return d;
  std::size_t rows = 1;
  for (int l : levels) {
    if (l < 1) throw std::invalid_argument("full_grid: every factor needs at least one level");
    // Refuse a size that overflows: it allocated less than the loop below wrote.
    if (rows > std::numeric_limits<std::size_t>::max() / static_cast<std::size_t>(l) / levels.size()) {
      throw std::length_error("full_grid: too many rows");
    }
    rows *= static_cast<std::size_t>(l);
  }
  d.points.resize(rows * d.factors);
  std::vector<int> index(d.factors, 0);  // odometer, last factor fastest
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t f = 0; f < d.factors; ++f)
      d.points[r * d.factors + f] = levels[f] == 1 ? 0.5 : static_cast<double>(index[f]) / (levels[f] - 1);
    for (std::size_t f = d.factors; f-- > 0;) {
      if (++index[f] < levels[f]) break;
      index[f] = 0;
    }
  }
  return d;
}

UnitDesign latin_hypercube(std::size_t factors, std::size_t samples, std::uint64_t seed) {
  UnitDesign d;
  d.factors = factors;
  d.points.resize(factors * samples);
  Engine rng = make_stream(seed, "lhs", 0);
  boost::random::uniform_01<double> u01;
  const auto n = static_cast<double>(samples);
  for (std::size_t f = 0; f < factors; ++f) {
    std::vector<std::size_t> stratum = identity(samples);
    shuffle_in_place(stratum, rng);
    for (std::size_t r = 0; r < samples; ++r) {
      const auto k = static_cast<double>(stratum[r]);
      // Keep the point inside its stratum (and below 1) whatever the rounding.
      const double x = (k + u01(rng)) / n;
      d.points[r * factors + f] = std::min(x, std::nextafter((k + 1.0) / n, 0.0));
    }
  }
  return d;
}

UnitDesign morris_design(std::size_t factors, std::size_t trajectories, int levels, std::uint64_t seed) {
  if (levels < 2) throw std::invalid_argument("morris_design: levels must be at least 2");
  UnitDesign d;
  d.factors = factors;
  if (factors == 0) return d;
  d.points.resize(trajectories * (factors + 1) * factors);
  Engine rng = make_stream(seed, "morris", 0);
  // Base levels i with i/(p-1) + delta <= 1, delta = p / (2 (p-1)): i <= (p-2)/2.
  const auto base_levels = static_cast<std::size_t>((levels - 2) / 2 + 1);
  const double denom = 2.0 * (levels - 1);  // x = i/(p-1) = 2i/denom; x + delta = (2i + p)/denom
  for (std::size_t t = 0; t < trajectories; ++t) {
    std::vector<double> low(factors), high(factors);
    std::vector<bool> up(factors);
    for (std::size_t f = 0; f < factors; ++f) {
      const auto i = static_cast<double>(draw_index(rng, base_levels));
      low[f] = 2.0 * i / denom;
      high[f] = (2.0 * i + levels) / denom;
      up[f] = draw_index(rng, 2) == 1;
    }
    std::vector<std::size_t> order = identity(factors);
    shuffle_in_place(order, rng);
    double* row = d.points.data() + t * (factors + 1) * factors;
    for (std::size_t f = 0; f < factors; ++f) row[f] = up[f] ? low[f] : high[f];
    for (std::size_t s = 0; s < factors; ++s) {
      double* next = row + factors;
      std::copy(row, row + factors, next);
      const std::size_t f = order[s];
      next[f] = up[f] ? high[f] : low[f];
      row = next;
    }
  }
  return d;
}

UnitDesign saltelli_design(std::size_t factors, std::size_t base_samples, std::uint64_t seed) {
  UnitDesign d;
  d.factors = factors;
  const std::size_t block = base_samples * factors;
  d.points.resize(block * (factors + 2));
  Engine rng = make_stream(seed, "saltelli", 0);
  boost::random::uniform_01<double> u01;
  for (std::size_t k = 0; k < 2 * block; ++k) d.points[k] = u01(rng);  // A then B
  for (std::size_t i = 0; i < factors; ++i) {
    double* ab = d.points.data() + (2 + i) * block;
    std::copy(d.points.begin(), d.points.begin() + static_cast<std::ptrdiff_t>(block), ab);
    for (std::size_t j = 0; j < base_samples; ++j) ab[j * factors + i] = d.points[block + j * factors + i];
  }
  return d;
}

MorrisIndices morris_indices(const UnitDesign& design, std::size_t trajectories, const std::vector<double>& y,
                             int bootstrap, std::uint64_t seed, double confidence) {
  const std::size_t k = design.factors;
  if (k == 0 || trajectories == 0) throw std::invalid_argument("morris_indices: no factors or no trajectories");
  if (design.rows() != trajectories * (k + 1))
    throw std::invalid_argument("morris_indices: the design does not have trajectories * (factors + 1) rows");
  require_outputs(y, design.rows(), "Morris");
  std::vector<double> ee(trajectories * k, 0.0);
  for (std::size_t t = 0; t < trajectories; ++t) {
    std::vector<bool> seen(k, false);
    for (std::size_t s = 0; s < k; ++s) {
      const std::size_t r = t * (k + 1) + s;
      std::size_t changed = k;
      for (std::size_t f = 0; f < k; ++f) {
        if (design.at(r + 1, f) == design.at(r, f)) continue;
        if (changed != k) throw std::invalid_argument("morris_indices: a step changes more than one factor");
        changed = f;
      }
      if (changed == k || seen[changed])
        throw std::invalid_argument("morris_indices: each factor must change exactly once per trajectory");
      seen[changed] = true;
      ee[t * k + changed] = (y[r + 1] - y[r]) / (design.at(r + 1, changed) - design.at(r, changed));
    }
  }
  MorrisStats all = morris_stats(ee, k, identity(trajectories));
  MorrisIndices out{all.mu, all.mu_star, all.sigma, all.mu_star, all.mu_star};
  if (bootstrap <= 0) return out;
  Engine rng = make_stream(seed, "bootstrap_morris", 0);
  std::vector<std::vector<double>> draws(k, std::vector<double>(static_cast<std::size_t>(bootstrap)));
  std::vector<std::size_t> which(trajectories);
  for (std::size_t b = 0; b < draws[0].size(); ++b) {
    for (auto& t : which) t = draw_index(rng, trajectories);
    const MorrisStats s = morris_stats(ee, k, which);
    for (std::size_t f = 0; f < k; ++f) draws[f][b] = s.mu_star[f];
  }
  for (std::size_t f = 0; f < k; ++f)
    std::tie(out.mu_star_low[f], out.mu_star_high[f]) = percentile_interval(draws[f], confidence);
  return out;
}

SobolIndices sobol_indices(std::size_t factors, std::size_t base_samples, const std::vector<double>& y,
                           int bootstrap, std::uint64_t seed, double confidence) {
  if (factors == 0 || base_samples == 0) throw std::invalid_argument("sobol_indices: no factors or no samples");
  require_outputs(y, base_samples * (factors + 2), "Saltelli");
  SobolIndices out;
  out.s1.resize(factors);
  out.st.resize(factors);
  sobol_point(factors, base_samples, y, identity(base_samples), out.s1, out.st);
  out.s1_low = out.s1_high = out.s1;
  out.st_low = out.st_high = out.st;
  if (bootstrap <= 0) return out;
  Engine rng = make_stream(seed, "bootstrap_sobol", 0);
  const auto nb = static_cast<std::size_t>(bootstrap);
  std::vector<std::vector<double>> s1_draws(factors, std::vector<double>(nb)), st_draws = s1_draws;
  std::vector<std::size_t> rows(base_samples);
  std::vector<double> s1(factors), st(factors);
  for (std::size_t b = 0; b < nb; ++b) {
    for (auto& j : rows) j = draw_index(rng, base_samples);
    sobol_point(factors, base_samples, y, rows, s1, st);
    for (std::size_t i = 0; i < factors; ++i) {
      s1_draws[i][b] = s1[i];
      st_draws[i][b] = st[i];
    }
  }
  for (std::size_t i = 0; i < factors; ++i) {
    std::tie(out.s1_low[i], out.s1_high[i]) = percentile_interval(s1_draws[i], confidence);
    std::tie(out.st_low[i], out.st_high[i]) = percentile_interval(st_draws[i], confidence);
  }
  return out;
}

double ishigami(double x1, double x2, double x3, double a, double b) {
  const double s2 = std::sin(x2);
  return std::sin(x1) + a * s2 * s2 + b * x3 * x3 * x3 * x3 * std::sin(x1);
}

}  // namespace pcnsim
