#include "models/service_specs.hpp"
#include "models/model.hpp"

#include <boost/random/uniform_01.hpp>
#include <cmath>

#include "models/funding.hpp"

namespace pcnsim {

std::array<ServiceSpec, kServiceSpecs.size()> ServiceSpecList::defaults() {
  auto spec = [](int y, int m, double setup, double gp) {
    ServiceSpec s;
    s.starts = Date::from_ymd(y, m, 1);
    s.cd_setup_hours = setup;
    s.gp_hours_per_1000_weighted_patients_week = gp;
    return s;
  };
  // Structured medication reviews and care homes from April 2020, deferred to
  // October 2020 by COVID-19; the rest phased to 2023/24 [S3]. Hours are assumptions.
  return {spec(2020, 10, 60, 0.4), spec(2020, 10, 60, 0.3), spec(2021, 4, 30, 0.1),
          spec(2021, 4, 30, 0.1), spec(2021, 10, 30, 0.15), spec(2023, 4, 60, 0.3)};
}

void service_spec_week(const World& world, const ServiceSpecParams& params, Date week_start,
                       std::vector<double>& cd_setup_hours, std::vector<double>& gp_extra_hours) {
  cd_setup_hours.assign(world.networks.size(), 0.0);
  gp_extra_hours.assign(world.practices.size(), 0.0);
  if (!params.enabled) return;
  const auto& p = world.practices;
  for (const auto& s : params.specifications.spec) {
    if (week_start < s.starts) continue;
    const double weeks_in = (week_start.days - s.starts.days) / 7.0;
    if (weeks_in < s.setup_weeks) {
      for (double& h : cd_setup_hours) h += s.cd_setup_hours / s.setup_weeks;
    }
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (world.network_of[i] >= 0) {
        gp_extra_hours[i] += s.gp_hours_per_1000_weighted_patients_week * p.list_size[i] * p.needs_index[i] / 1000.0;
      }
    }
  }
}

std::vector<std::int64_t> iif_year_end(const World& world, const IifParams& params, const FundingParams& funding, int fy,
                                       const std::vector<double>& spare_capacity_share, Engine& rng,
                                       std::vector<int>& achieved) {
  const std::size_t n = world.networks.size();
  std::vector<std::int64_t> paid(n, 0);
  achieved.assign(n, 0);
  boost::random::uniform_01<double> uniform;
  const double pot = params.national_pot_gbp.at(Date::from_ymd(fy, 4, 1));
  for (const auto& net : world.networks) {
    if (!net.live()) {
      achieved[net.id] = -1;  // ended before the year end
      continue;
    }
    const double logit = params.achievement_logit_intercept + params.achievement_logit_per_spare_capacity * spare_capacity_share[net.id];
    const double chance = 1.0 / (1.0 + std::exp(-logit));
    for (int k = 0; k < params.indicators; ++k) achieved[net.id] += uniform(rng) < chance ? 1 : 0;
    if (!params.enabled || pot <= 0) continue;
    paid[net.id] = to_pence(pot * national_pot_share(world, net, funding) * achieved[net.id] / params.indicators);
  }
  return paid;
}

Mechanism service_specs_mechanism() {
  Mechanism m{"service_specs", "mechanism 8: service specifications add CD set-up hours and GP demand"};
  m.each_week = [](ModelState& s) {
    if (s.paying()) service_spec_week(s.world, s.params.service_specs, s.date, s.spec_setup_hours, s.spec_gp_hours);
  };
  return m;
}

namespace {

// Spare GP capacity accrues over the year; achievement and payment in the
// week that ends the financial year.
void accrue_iif(ModelState& s) {
  const ModelParams& p = s.params;
  ModelState::Iif& iif = s.iif;
  for (const auto& net : s.world.networks) {
    double supplied = 0, capacity = 0;
    for (int m : net.members) {
      supplied += p.gp_workload.enabled ? s.gp.supplied[m] : 0.0;
      capacity += s.world.practices.gp_fte[m] * p.gp_workload.max_hours_per_fte_week;
    }
    iif.spare_sum[net.id] += capacity > 0 ? 1.0 - supplied / capacity : 0.0;
  }
  ++iif.spare_weeks;
  const int fy = s.date.financial_year();
  const bool year_end = s.step + 1 < s.calendar.steps() ? s.calendar.starts_financial_year(s.step + 1)
                                                        : s.date + 6 >= Date::from_ymd(fy + 1, 3, 31);
  if (!year_end) return;
  std::vector<double> spare(s.world.networks.size());
  for (std::size_t n = 0; n < spare.size(); ++n) spare[n] = iif.spare_sum[n] / iif.spare_weeks;
  std::vector<int> achieved;
  auto paid = iif_year_end(s.world, p.service_specs.iif, p.funding, fy, spare, iif.rng, achieved);
  if (!p.funding.enabled) std::fill(paid.begin(), paid.end(), 0);  // no DES money at all
  for (std::size_t n = 0; n < paid.size(); ++n) {
    s.funding->pay(static_cast<int>(n), FundingLine::iif, paid[n]);
    iif.reinvested[n] = p.service_specs.iif.reinvest_share * to_gbp(paid[n]);
  }
  iif.achieved.push_back(std::move(achieved));
  std::fill(iif.spare_sum.begin(), iif.spare_sum.end(), 0.0);
  iif.spare_weeks = 0;
}

}  // namespace

Mechanism iif_mechanism() {
  Mechanism m{"iif", "mechanism 8: the Investment and Impact Fund, paid at each financial year's end"};
  m.setup = [](ModelState& s) { s.iif.rng = make_stream(s.seed, "iif", 0); };
  m.at_deadline = [](ModelState& s) {
    s.iif.reinvested.assign(s.world.networks.size(), 0.0);
    s.iif.spare_sum.assign(s.world.networks.size(), 0.0);
  };
  m.at_reevaluation = [](ModelState& s) {
    for (int n : s.change.ended) s.iif.reinvested[n] = 0.0;
    s.iif.reinvested.resize(s.world.networks.size(), 0.0);
    s.iif.spare_sum.resize(s.world.networks.size(), 0.0);
  };
  m.each_week = [](ModelState& s) {
    if (s.paying()) accrue_iif(s);
  };
  return m;
}

}  // namespace pcnsim
