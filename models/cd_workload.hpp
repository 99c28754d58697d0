#pragma once
// Mechanism 6, clinical-director workload. Funded hours = cd_wte_per_50k x
// hours_per_wte x list / 50,000. Demand comes from separate sources (each
// recorded): governance; coordination per member practice (higher when the
// members' mean affinity is low); ARRS recruitment per vacancy and line
// management per WTE (less when a federation or trust employs the staff);
// service-specification set-up; IIF reporting; external representation
// (growing with the number of networks the commissioner has); the COVID-19
// surge. Manager, commissioner and federation support take hours off it
// (mechanism 7). Hours beyond the funded ones feed a strain index (an
// exponential moving average of excess / funded); the CD calls the workload
// unmanageable when strain passes a threshold, and resigns with a weekly
// hazard rising with strain; the post stays vacant for some weeks, then a GP
// from a member practice takes over.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/rng.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

enum CdSource : int {
  governance, coordination, recruitment, line_management, service_specifications, iif_reporting, representation,
  covid_surge, kCdSources
};
inline constexpr std::array<const char*, kCdSources> kCdSourceNames = {
    "governance", "coordination", "recruitment", "line_management", "service_specifications", "iif_reporting",
    "representation", "covid_surge"};

struct CdWorkloadParams {
  bool enabled = true;
  DatedSeries cd_wte_per_50k{{{Date::from_ymd(2019, 7, 1), 0.25, "DES 2019/20: 0.25 WTE per 50,000 patients"},
                              {Date::from_ymd(2021, 10, 1), 1.0, "temporary 1 WTE per 50,000, part of 2021/22 [E]"},
                              {Date::from_ymd(2022, 4, 1), 0.25, "back to 0.25 WTE"}}};
  double hours_per_wte_week = 37.5;
  double governance_hours_week = 5.0;
  double coordination_hours_per_practice_week = 1.5;
  double low_trust_affinity = 0.2;
  double low_trust_extra_share = 0.5;
  double recruitment_hours_per_vacancy_week = 0.5;
  double line_management_hours_per_wte_week = 0.3;
  double hosted_employment_share = 0.4;
  DatedSeries iif_reporting_hours_week{{{Date::from_ymd(2020, 4, 1), 1.0, "IIF from 2020/21 (assumption for the hours)"}}};
  double representation_base_hours_week = 3.0;
  double representation_hours_per_log_network = 1.0;
  double covid_surge_hours_week = 4.0;
  double strain_half_life_weeks = 8;
  double unmanageable_strain = 0.7;
  double resignation_base_per_year = 0.05;
  double resignation_per_strain_per_year = 0.08;
  double vacancy_weeks = 8;
  double low_trust_vacancy_multiplier = 3;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"clinical directors' workload, strain and turnover are simulated"});
    v.field("cd_wte_per_50k", cd_wte_per_50k, {"funded clinical-director time", "WTE per 50,000 patients", 0, 10});
    v.field("hours_per_wte_week", hours_per_wte_week, {"hours of one WTE", "hours/week", 1, 80});
    v.field("governance_hours_week", governance_hours_week, {"base governance demand", "hours/week", 0, 168});
    v.field("coordination_hours_per_practice_week", coordination_hours_per_practice_week,
            {"coordination demand per member practice", "hours/week", 0, 168});
    v.field("low_trust_affinity", low_trust_affinity,
            {"a network whose members' mean pair affinity is below this has low trust", "", -100, 100});
    v.field("low_trust_extra_share", low_trust_extra_share, {"extra coordination demand under low trust", "1", 0, 10});
    v.field("recruitment_hours_per_vacancy_week", recruitment_hours_per_vacancy_week,
            {"ARRS recruitment demand per open vacancy", "hours/week", 0, 168});
    v.field("line_management_hours_per_wte_week", line_management_hours_per_wte_week,
            {"ARRS line-management demand per WTE", "hours/week", 0, 168});
    v.field("hosted_employment_share", hosted_employment_share,
            {"share of recruitment and line-management demand left when a federation or trust employs the staff", "1", 0, 1});
    v.field("iif_reporting_hours_week", iif_reporting_hours_week, {"IIF reporting demand", "hours/week", 0, 168});
    v.field("representation_base_hours_week", representation_base_hours_week,
            {"external representation (place, ICS) demand", "hours/week", 0, 168});
    v.field("representation_hours_per_log_network", representation_hours_per_log_network,
            {"extra representation demand per unit of ln(networks of the commissioner)", "hours/week", 0, 168});
    v.field("covid_surge_hours_week", covid_surge_hours_week, {"demand added during the COVID-19 shock", "hours/week", 0, 168});
    v.field("strain_half_life_weeks", strain_half_life_weeks, {"half-life of the strain moving average", "weeks", 0.1, 520});
    v.field("unmanageable_strain", unmanageable_strain,
            {"strain (excess hours / funded hours, averaged) above which a CD calls the workload unmanageable", "1", 0, 100});
    v.field("resignation_base_per_year", resignation_base_per_year, {"resignation hazard without strain", "1/year", 0, 10});
    v.field("resignation_per_strain_per_year", resignation_per_strain_per_year,
            {"extra resignation hazard per unit of strain", "1/year", 0, 10});
    v.field("vacancy_weeks", vacancy_weeks, {"weeks a CD post stays vacant before a member GP takes over", "weeks", 0, 520});
    v.field("low_trust_vacancy_multiplier", low_trust_vacancy_multiplier,
            {"a low-trust network takes this many times longer to find a successor (the long vacancies that may "
             "end in dissolution, mechanism 9)", "", 1, 100});
  }
};

/// Everything that shapes one network's CD week, from the other mechanisms.
struct CdInputs {
  std::vector<int> arrs_vacancies;        // per network
  std::vector<double> arrs_wte;           // per network
  std::vector<std::uint8_t> hosted_employment;  // per network: federation or trust employs ARRS staff
  std::vector<double> spec_setup_hours;   // per network
  std::vector<double> manager_hours;       // per network
  double manager_absorbs_share = 0.5;     // most of the demand a manager takes on
  std::vector<double> other_support_hours;  // per network: commissioner + federation
  bool covid = false;
};

/// Every CD ever in post (one row each).
struct CdRecords {
  std::vector<int> network, practice, start_step, end_step;  // end -1 while in post
  std::vector<std::string> end_reason;  // resigned, network ended, practice left; empty while in post
};

class ClinicalDirectors {
 public:
  ClinicalDirectors(const World& world, const CdWorkloadParams& params, std::vector<double> mean_affinity,
                    std::uint64_t seed, int start_step);
  void step(int step, Date date, const CdInputs& in);
  /// After a yearly re-evaluation (mechanism 9): CDs of ended networks leave,
  /// new networks appoint one from their lead practice, a CD whose practice
  /// left the network is replaced from the lead practice at once, and trust
  /// (members' mean affinity) is updated.
  void reorganise(const Reorganisation& change, std::vector<double> mean_affinity);
  /// A practice merged into `to`, a practice of the same network: its
  /// clinical director, if any, stays in post and now works from `to`.
  void practice_merged(int from, int to);
  /// Weeks each network's post has been vacant at `step` (0 when in post).
  std::vector<int> vacant_weeks(int step) const;

  /// This week's demand by source: [network * kCdSources + source].
  const std::vector<double>& hours_by_source() const { return hours_; }
  const std::vector<double>& funded_hours() const { return funded_; }
  const std::vector<double>& support_used() const { return support_; }
  const std::vector<double>& strain() const { return strain_; }
  const std::vector<std::uint8_t>& in_post() const { return in_post_; }
  const CdRecords& records() const { return records_; }
  int resignations_this_week() const { return resigned_week_; }

 private:
  const World& world_;
  const CdWorkloadParams& params_;
  std::vector<double> mean_affinity_, log_networks_;
  Engine rng_;
  std::vector<double> hours_, funded_, support_, strain_;
  std::vector<std::uint8_t> in_post_;
  std::vector<int> vacant_since_, current_;  // per network: step the post fell vacant; row in records_
  CdRecords records_;
  int resigned_week_ = 0;
  void appoint(int network, int step, bool first);
  void leave(int network, int step, const char* reason);
};

}  // namespace pcnsim
