// Properties over random valid scenarios (issue 14): every number and integer
// parameter drawn uniformly within its documented range (dated series scaled
// by a factor in [0, 2]), on a small synthetic
// country over two years. Every run must finish (bounded loops), record only
// finite values, and balance its money to the penny.
#include <catch2/catch.hpp>
#include <boost/random/uniform_01.hpp>
#include <chrono>
#include <cmath>
#include <map>
#include <sstream>

#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "pcnsim/kernel/rng.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

namespace {

// Parameters not drawn: the population's size (kept small), the data files'
// options (the population is synthetic) and the seed (drawn by the run itself).
bool drawn(const ParamRow& row) {
  if (row.type != "number" && row.type != "integer") return false;
  if (row.path == "seed" || row.path.rfind("population.england.", 0) == 0) return false;
  return row.path != "population.synthetic.practices" && row.path != "population.synthetic.commissioners";
}

// "[a, b]" -> {a, b}; false when unbounded.
bool parse_range(const std::string& range, double& lo, double& hi) {
  char open = 0, comma = 0, close = 0;
  std::istringstream in(range);
  if (!(in >> open >> lo >> comma >> hi >> close) || open != '[' || comma != ',' || close != ']') return false;
  return std::isfinite(lo) && std::isfinite(hi);
}

Scenario small_base() {
  return synthetic_small({{"population.synthetic.practices", "40"},
                          {"population.synthetic.commissioners", "3"},
                          {"calendar.end", "2021-03-31"}});
}

// A scenario with every drawn parameter uniform in its range, or nothing when
// the combination is rejected by the consistency checks.
std::optional<Scenario> draw_scenario(const Scenario& base, Engine& rng, std::string& drawn_values) {
  Scenario s = base;
  boost::random::uniform_01<double> uniform;
  std::ostringstream log;
  for (const ParamRow& row : parameter_rows(base)) {
    double lo = 0, hi = 0;
    if (row.type == "dated series") {  // every entry scaled by one factor in [0, 2] (rejected when out of range)
      const double factor = 2.0 * uniform(rng);
      log << row.path << "*=" << factor << " ";
      try {
        set_number(s, row.path, factor, true, "property test");
      } catch (const InputError&) {
        return std::nullopt;
      }
      continue;
    }
    if (!drawn(row) || !parse_range(row.range, lo, hi)) continue;
    double value = lo + (hi - lo) * uniform(rng);
    if (row.type == "integer") value = std::min(hi, std::floor(value + 0.5));
    log << row.path << "=" << value << " ";
    try {
      set_number(s, row.path, value, false, "property test");
    } catch (const InputError&) {
      return std::nullopt;
    }
  }
  drawn_values = log.str();
  return s;
}

// Every recorded number is finite: national series and weekly float arrays.
void check_finite(const RunResult& run) {
  for (const Series& series : run.recorder.series()) {
    for (double v : series.value) {
      INFO(series.name);
      REQUIRE(std::isfinite(v));
    }
  }
  for (const WeeklyArray& a : run.weekly.arrays) {
    for (std::size_t step = 0; step < a.floats.steps; ++step) {
      const auto [values, covered] = a.floats.week(step);
      for (std::size_t k = 0; k < covered * a.floats.width; ++k) {
        INFO(a.output->info.path << " week " << step);
        REQUIRE(std::isfinite(values[k]));
      }
    }
  }
}

// ARRS: claimed within the ceiling; redistribution moves money without making
// any; national payment series (GBP a week) add up to the networks' yearly lines.
void check_money(const RunResult& run) {
  const FinanceRecord& f = run.finance;
  for (std::size_t y = 0; y < f.years.size(); ++y) {
    Pence redistributed = 0;
    for (const NetworkYearMoney& m : f.arrs[y]) {
      REQUIRE(m.claimed >= 0);
      REQUIRE(m.claimed <= m.ceiling);
      REQUIRE(m.unclaimed() == m.ceiling - m.claimed);
      redistributed += m.redistributed;
    }
    REQUIRE(redistributed == 0);
  }
  std::map<int, std::size_t> year_index;
  for (std::size_t y = 0; y < f.years.size(); ++y) year_index[f.years[y]] = y;
  for (int line = 0; line < kFundingLines; ++line) {
    const Series& series = run.recorder.at(std::string("payment_") + kFundingLineNames[line] + "_gbp");
    std::vector<double> national(f.years.size(), 0.0);
    for (int step = 0; step < run.calendar.steps(); ++step) {
      const auto it = year_index.find(run.calendar.financial_year(step));
      if (it != year_index.end()) national[it->second] += series.value[step];
    }
    for (std::size_t y = 0; y < f.years.size(); ++y) {
      Pence networks = 0;
      const std::size_t nets = f.lines[y].size() / kFundingLines;
      for (std::size_t n = 0; n < nets; ++n) networks += f.lines[y][n * kFundingLines + line];
      INFO(kFundingLineNames[line] << " " << f.years[y]);
      REQUIRE(std::llround(national[y] * 100.0) == networks);
    }
  }
}

}  // namespace

TEST_CASE("random valid scenarios finish with finite outputs and money to the penny", "[properties]") {
  const Scenario base = small_base();
  Engine rng = make_stream(20240614, "property_test", 0);
  const auto t0 = std::chrono::steady_clock::now();
  int runs = 0, rejected = 0, with_staff = 0;
  for (int k = 0; runs < 200 && k < 2000; ++k) {
    std::string values;
    auto scenario = draw_scenario(base, rng, values);
    if (!scenario) {
      ++rejected;
      continue;
    }
    scenario->seed = static_cast<std::int64_t>(k + 1);
    INFO("draw " << k << ": " << values);
    std::optional<RunResult> run;
    try {
      run = run_simulation(*scenario);
    } catch (const InputError&) {  // a run-time consistency check (e.g. money bounds): rejected
      ++rejected;
      continue;
    }
    ++runs;
    if (run->arrs_hires > 0) ++with_staff;
    check_finite(*run);
    check_money(*run);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN(runs << " runs (" << with_staff << " hiring ARRS staff), " << rejected << " draws rejected, " << seconds << " s");
  REQUIRE(runs == 200);
}
