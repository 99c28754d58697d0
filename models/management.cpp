#include "models/management.hpp"
#include "models/model.hpp"

#include <algorithm>
#include <boost/random/uniform_01.hpp>

namespace pcnsim {

void decide_managers(const World& world, const ManagementParams& params, const std::vector<double>& lm_gbp,
                     Engine& rng, ManagementState& state) {
  const std::size_t n = world.networks.size();
  state.manager_wte.resize(n, 0.0);
  state.funding.resize(n, ManagerFunding::none);
  boost::random::uniform_01<double> uniform;
  for (std::size_t k = 0; k < n; ++k) {
    const double draw = uniform(rng);  // drawn for every network so streams stay aligned
    if (!world.networks[k].live()) {
      state.manager_wte[k] = 0.0;
      state.funding[k] = ManagerFunding::none;
      continue;
    }
    if (!params.enabled) continue;
    const double lm_wte = std::min(1.0, lm_gbp[k] / params.manager_cost_gbp_per_wte);
    if (lm_wte >= params.min_manager_wte) {
      state.manager_wte[k] = lm_wte;
      state.funding[k] = ManagerFunding::leadership_management;
    } else if (state.funding[k] == ManagerFunding::leadership_management) {
      state.manager_wte[k] = 0.0;  // the money ended
      state.funding[k] = ManagerFunding::none;
    }
    if (state.funding[k] == ManagerFunding::none && draw < params.core_funded_probability) {
      state.manager_wte[k] = params.core_funded_wte;
      state.funding[k] = ManagerFunding::core_payment;
    }
  }
}

void support_week(const World& world, const ManagementParams& params, const ManagementState& state, Date week_start,
                  SupportWeek& out) {
  const std::size_t n = world.networks.size();
  out.manager_hours.assign(n, 0.0);
  out.commissioner_hours.assign(n, 0.0);
  out.federation_hours.assign(n, 0.0);
  if (!params.enabled) return;
  const std::vector<int> per_commissioner = world.networks_per_commissioner();
  const double commissioner = params.commissioner_support_hours_week * params.commissioner_support_multiplier.at(week_start);
  for (const auto& net : world.networks) {
    if (!net.live()) continue;
    out.manager_hours[net.id] = state.manager_wte.empty() ? 0.0 : state.manager_wte[net.id] * params.hours_per_wte_week;
    out.commissioner_hours[net.id] = commissioner / per_commissioner[net.commissioner];
    if (net.hosting == HostingModel::federation) out.federation_hours[net.id] = params.federation_support_hours_week;
  }
}

namespace {

double manager_wte_of(const ModelState& s, std::size_t n) {
  return s.management.manager_wte.empty() ? 0.0 : s.management.manager_wte[n];
}

}  // namespace

Mechanism management_mechanism() {
  Mechanism m{"management", "mechanism 7: managers decided each 1 April, and the support each network gets"};
  m.setup = [](ModelState& s) { s.management_rng = make_stream(s.seed, "management", 0); };
  m.at_deadline = [](ModelState& s) {
    decide_managers(s.world, s.params.management, s.funding->leadership_management_year_gbp(), s.management_rng,
                    s.management);
  };
  m.at_year_start = [](ModelState& s) {
    // The year's leadership-and-management money plus last year's IIF reinvestment.
    std::vector<double> money = s.funding->leadership_management_year_gbp();
    for (std::size_t n = 0; n < money.size(); ++n) money[n] += s.iif.reinvested[n];
    decide_managers(s.world, s.params.management, money, s.management_rng, s.management);
  };
  m.each_week = [](ModelState& s) {
    // Support only matters to the clinical directors' week.
    if (s.paying() && s.params.cd_workload.enabled) {
      support_week(s.world, s.params.management, s.management, s.date, s.support);
    }
  };
  m.declare_outputs = [](OutputDeclarations& out) {
    out.network_weekly("manager_wte", "WTE", "network manager", 1, "", while_paying, [](const ModelState& s, float* row) {
      for (std::size_t n = 0; n < s.world.networks.size(); ++n) row[n] = static_cast<float>(manager_wte_of(s, n));
    });
    out.series("networks_with_manager", "networks", "networks with a manager (any funding)", while_paying,
               [](const ModelState& s) {
                 int with_manager = 0;
                 for (std::size_t n = 0; n < s.world.networks.size(); ++n) with_manager += manager_wte_of(s, n) > 0 ? 1 : 0;
                 return with_manager;
               });
  };
  return m;
}

}  // namespace pcnsim
