#include "models/management.hpp"

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

}  // namespace pcnsim
