#pragma once
// Mechanism 7, management support. At each financial-year start a network
// without a manager gets one funded by leadership-and-management money when
// its share covers `min_manager_wte`, else funds one from its core payment
// with a probability (the 2020 recommendation). Federation-hosted networks get
// federation support; every commissioner spreads its support hours across its
// networks, and those hours fall with the CCG mergers and the 2022 ICB change
// (a dated multiplier). Managers absorb a share of the clinical director's work.
#include <cstdint>
#include <vector>

#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/rng.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

struct ManagementParams {
  bool enabled = true;
  double manager_cost_gbp_per_wte = 45000;
  double min_manager_wte = 0.4;
  double core_funded_probability = 0.2;
  double core_funded_wte = 0.5;
  double hours_per_wte_week = 37.5;
  double manager_absorbs_share = 0.5;
  double federation_support_hours_week = 3.0;
  double commissioner_support_hours_week = 15.0;
  DatedSeries commissioner_support_multiplier{
      {{Date::from_ymd(2019, 4, 1), 1.0, "CCGs support their networks"},
       {Date::from_ymd(2020, 4, 1), 0.85, "CCG mergers, April 2020"},
       {Date::from_ymd(2021, 4, 1), 0.7, "CCG mergers, April 2021"},
       {Date::from_ymd(2022, 7, 1), 0.5, "ICBs replace CCGs, July 2022"}}};

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"networks get management support; off = the clinical director works alone"});
    v.field("manager_cost_gbp_per_wte", manager_cost_gbp_per_wte, {"cost of one manager WTE with on-costs", "GBP/year", 1, 1e6});
    v.field("min_manager_wte", min_manager_wte,
            {"smallest manager post worth funding from leadership-and-management money", "WTE", 0, 10});
    v.field("core_funded_probability", core_funded_probability,
            {"chance per year that a network without other funding pays a manager from its core payment", "", 0, 1});
    v.field("core_funded_wte", core_funded_wte, {"size of a core-funded manager post", "WTE", 0, 10});
    v.field("hours_per_wte_week", hours_per_wte_week, {"working hours of one manager WTE", "hours/week", 1, 80});
    v.field("manager_absorbs_share", manager_absorbs_share,
            {"most of the clinical director's demand a manager can take on", "1", 0, 1});
    v.field("federation_support_hours_week", federation_support_hours_week,
            {"support hours a federation gives each network it hosts", "hours/week", 0, 168});
    v.field("commissioner_support_hours_week", commissioner_support_hours_week,
            {"support hours each commissioner shares among its networks", "hours/week", 0, 1e4});
    v.field("commissioner_support_multiplier", commissioner_support_multiplier,
            {"commissioner support relative to 2019 (CCG mergers, ICBs)", "1", 0, 10});
  }
};

enum class ManagerFunding : std::uint8_t { none = 0, core_payment = 1, leadership_management = 2 };

struct ManagementState {
  std::vector<double> manager_wte;          // per network
  std::vector<ManagerFunding> funding;      // per network
};

/// Decides managers at a financial-year start; `lm_gbp` is each network's
/// leadership-and-management money for the year.
void decide_managers(const World& world, const ManagementParams& params, const std::vector<double>& lm_gbp,
                     Engine& rng, ManagementState& state);

/// Support hours this week per network: manager, commissioner, federation.
struct SupportWeek {
  std::vector<double> manager_hours, commissioner_hours, federation_hours;
};
void support_week(const World& world, const ManagementParams& params, const ManagementState& state, Date week_start,
                  SupportWeek& out);

}  // namespace pcnsim
