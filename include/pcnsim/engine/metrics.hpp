#pragma once
// Derived numbers of a run, each computed once: quantiles, the formation,
// ARRS and clinical-director metrics that the calibration targets name, and
// the key outcomes that ensembles, sweeps, compare and the output file report.
// Below validate, compare and the writer, which all read them from here.
#include <map>
#include <string>
#include <vector>

#include "pcnsim/engine/simulation.hpp"

namespace pcnsim {

/// Quantile with linear interpolation between order statistics (R type 7).
double quantile(std::vector<double> values, double q);

/// ARRS money of one financial year, all networks.
struct ArrsYearTotals {
  int year = 0;  // financial year (2019 = 2019/20)
  Pence ceiling = 0, claimed = 0;
  Pence unclaimed() const { return ceiling - claimed; }
  /// Unclaimed / ceiling; 0 without a ceiling.
  double unclaimed_share() const;
};
/// One row per financial year of the finance record.
std::vector<ArrsYearTotals> arrs_year_totals(const FinanceRecord& finance);

/// Each network's size at formation (in 2019, or at the re-evaluation that split it off).
struct NetworkSizes {
  std::vector<double> list_size, weighted_list_size;  // patients
  std::vector<std::int32_t> practices;
};
NetworkSizes network_sizes_at_formation(const RunResult& run);

/// "2019_20" for financial year 2019 (key outcomes and calibration metrics).
std::string year_suffix(int fy);

/// Formation metrics of a membership (per practice: network id or -1, and
/// registered patients), keyed as in targets.yaml.
std::map<std::string, double> formation_metrics(const std::vector<double>& list_size, const std::vector<int>& network_of);
/// Formation metrics of a run's first evaluation (the networks formed at the deadline).
std::map<std::string, double> formation_metrics(const RunResult& run);

/// ARRS metrics: unclaimed share per financial year ("unclaimed_share_2020_21")
/// and WTE in post at the end of March 2023 ("fte_march_2023").
std::map<std::string, double> arrs_metrics(const RunResult& run);

/// Clinical-director metrics: share calling the workload unmanageable in late
/// 2019 and resignations per network in the first year after go-live.
std::map<std::string, double> clinical_director_metrics(const RunResult& run);

/// One number a policy comparison looks at, from one run.
struct Outcome {
  std::string name;         // e.g. arrs_wte_2022_23
  std::string units;
  std::string description;
  double value = 0.0;
};

/// The key outcomes as declared: the totals, then those repeated for every
/// financial year the networks are live in (name + "YYYY_YY", description + " in YYYY/YY").
struct OutcomeDeclaration {
  std::string name, units, description;
  bool per_year = false;
};
std::vector<OutcomeDeclaration> key_outcome_declarations();

/// The key outcomes of a run, in a fixed order (the rows `pcnsim compare`
/// shows): networks formed and their size bands, network dynamics totals, and
/// per financial year ARRS WTE at the year end, ARRS unclaimed money, GP hours
/// per FTE, CD demand per network, CD resignations, CDs strained and networks
/// with a manager.
std::vector<Outcome> key_outcomes(const RunResult& run);
/// Their names for a scenario, without running it.
std::vector<std::string> key_outcome_names(const Scenario& scenario);

}  // namespace pcnsim
