#include "models/cd_workload.hpp"
#include "models/model.hpp"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>

namespace pcnsim {

ClinicalDirectors::ClinicalDirectors(const World& world, const CdWorkloadParams& params,
                                     std::vector<double> mean_affinity, std::uint64_t seed, int start_step)
    : world_(world), params_(params), mean_affinity_(std::move(mean_affinity)), rng_(make_stream(seed, "cd_workload", 0)) {
  reorganise(Reorganisation{}, mean_affinity_);
  for (std::size_t k = 0; k < world.networks.size(); ++k) appoint(static_cast<int>(k), start_step, true);
}

void ClinicalDirectors::leave(int network, int step, const char* reason) {
  records_.end_step[current_[network]] = step;
  records_.end_reason[current_[network]] = reason;
  in_post_[network] = 0;
  vacant_since_[network] = step;
}

void ClinicalDirectors::reorganise(const Reorganisation& change, std::vector<double> mean_affinity) {
  const std::size_t n = world_.networks.size();
  mean_affinity_ = std::move(mean_affinity);
  const std::vector<int> per_commissioner = world_.networks_per_commissioner();
  log_networks_.assign(n, 0.0);
  for (const auto& net : world_.networks) {
    if (net.live()) log_networks_[net.id] = std::log(static_cast<double>(per_commissioner[net.commissioner]));
  }
  hours_.resize(n * kCdSources, 0.0);
  funded_.resize(n, 0.0);
  support_.resize(n, 0.0);
  strain_.resize(n, 0.0);
  in_post_.resize(n, 0);
  vacant_since_.resize(n, -1);
  current_.resize(n, -1);
  if (change.step < 0) return;
  for (int k : change.ended) {
    if (in_post_[k]) leave(k, change.step, "network ended");
    vacant_since_[k] = -1;
  }
  for (int k : change.created) appoint(k, change.step, true);
  for (const auto& net : world_.networks) {
    const int k = net.id;
    if (!net.live() || !in_post_[k]) continue;
    if (!std::binary_search(net.members.begin(), net.members.end(), records_.practice[current_[k]])) {
      leave(k, change.step, "practice left the network");
      appoint(k, change.step, true);
    }
  }
}

std::vector<int> ClinicalDirectors::vacant_weeks(int step) const {
  std::vector<int> weeks(world_.networks.size(), 0);
  for (std::size_t k = 0; k < weeks.size(); ++k) {
    if (!in_post_[k] && vacant_since_[k] >= 0) weeks[k] = step - vacant_since_[k];
  }
  return weeks;
}

void ClinicalDirectors::practice_merged(int from, int to) {
  for (std::size_t k = 0; k < current_.size(); ++k) {
    if (in_post_[k] && current_[k] >= 0 && records_.practice[current_[k]] == from) records_.practice[current_[k]] = to;
  }
}

void ClinicalDirectors::appoint(int network, int step, bool first) {
  const auto& members = world_.networks[network].members;
  // The first CD comes from the lead practice; successors from any member.
  const int practice = first ? world_.networks[network].lead_practice
                             : members[boost::random::uniform_int_distribution<std::size_t>(0, members.size() - 1)(rng_)];
  current_[network] = static_cast<int>(records_.network.size());
  records_.network.push_back(network);
  records_.practice.push_back(practice);
  records_.start_step.push_back(step);
  records_.end_step.push_back(-1);
  records_.end_reason.emplace_back();
  in_post_[network] = 1;
  vacant_since_[network] = -1;
  strain_[network] = 0.0;
}

void ClinicalDirectors::step(int step, Date date, const CdInputs& in) {
  const double alpha = 1.0 - std::pow(0.5, 1.0 / params_.strain_half_life_weeks);
  boost::random::uniform_01<double> uniform;
  resigned_week_ = 0;
  const double wte_per_50k = params_.cd_wte_per_50k.at(date);
  const double iif = params_.iif_reporting_hours_week.at(date);
  for (const auto& net : world_.networks) {
    const int k = net.id;
    if (!net.live()) {
      std::fill_n(&hours_[static_cast<std::size_t>(k) * kCdSources], kCdSources, 0.0);
      funded_[k] = support_[k] = strain_[k] = 0.0;
      continue;
    }
    funded_[k] = wte_per_50k * params_.hours_per_wte_week * world_.network_list_size(net) / 50000.0;
    double* h = &hours_[static_cast<std::size_t>(k) * kCdSources];
    const double hosted = in.hosted_employment[k] ? params_.hosted_employment_share : 1.0;
    const bool low_trust = net.members.size() > 1 && mean_affinity_[k] < params_.low_trust_affinity;
    h[governance] = params_.governance_hours_week;
    h[coordination] = params_.coordination_hours_per_practice_week * static_cast<double>(net.members.size()) *
                      (low_trust ? 1.0 + params_.low_trust_extra_share : 1.0);
    h[recruitment] = params_.recruitment_hours_per_vacancy_week * in.arrs_vacancies[k] * hosted;
    h[line_management] = params_.line_management_hours_per_wte_week * in.arrs_wte[k] * hosted;
    h[service_specifications] = in.spec_setup_hours[k];
    h[iif_reporting] = iif;
    h[representation] = params_.representation_base_hours_week + params_.representation_hours_per_log_network * log_networks_[k];
    h[covid_surge] = in.covid ? params_.covid_surge_hours_week : 0.0;
    double demand = 0;
    for (int s = 0; s < kCdSources; ++s) demand += h[s];
    support_[k] = std::min(std::min(in.manager_hours[k], in.manager_absorbs_share * demand) + in.other_support_hours[k], demand);

    if (!in_post_[k]) {
      const double vacancy = params_.vacancy_weeks * (low_trust ? params_.low_trust_vacancy_multiplier : 1.0);
      if (step - vacant_since_[k] >= vacancy) appoint(k, step, false);
      continue;
    }
    const double excess = std::max(0.0, demand - support_[k] - funded_[k]);
    strain_[k] += alpha * (excess / std::max(funded_[k], 1e-9) - strain_[k]);
    const double hazard = (params_.resignation_base_per_year + params_.resignation_per_strain_per_year * strain_[k]) * 7.0 / 365.25;
    if (uniform(rng_) < hazard) {
      leave(k, step, "resigned");
      ++resigned_week_;
    }
  }
}

namespace {

// The clinical directors' inputs of the week: the ARRS workforce each network
// runs, the support available and the specifications' set-up.
void clinical_director_week(ModelState& s) {
  CdInputs& in = s.cd_inputs;
  const std::size_t nets = s.world.networks.size();
  in.arrs_vacancies.assign(nets, 0);
  in.arrs_wte.assign(nets, 0.0);
  in.hosted_employment.assign(nets, 0);
  in.other_support_hours.assign(nets, 0.0);
  for (std::size_t n = 0; n < nets; ++n) {
    for (std::size_t r = 0; r < kRoleCount; ++r) {
      in.arrs_vacancies[n] += s.arrs->vacancies_by_network_role()[n * kRoleCount + r];
      in.arrs_wte[n] += s.arrs->wte_by_network_role()[n * kRoleCount + r];
    }
    in.hosted_employment[n] = s.arrs->employers()[n] != Employer::lead_practice ? 1 : 0;
    in.other_support_hours[n] = s.support.commissioner_hours[n] + s.support.federation_hours[n];
  }
  in.manager_hours = s.support.manager_hours;
  in.manager_absorbs_share = s.params.management.manager_absorbs_share;
  in.spec_setup_hours = s.spec_setup_hours;
  in.covid = s.covid;
  s.cds->step(s.step, s.date, in);
}

// Clinical directors in post and, of them, those over the strain threshold.
std::pair<int, int> cds_in_post_and_strained(const ModelState& s) {
  int in_post = 0, strained = 0;
  for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
    if (!s.cds->in_post()[n]) continue;
    ++in_post;
    strained += s.cds->strain()[n] > s.params.cd_workload.unmanageable_strain ? 1 : 0;
  }
  return {in_post, strained};
}

std::function<void(const ModelState&, float*)> cd_row(const std::vector<double>& (ClinicalDirectors::*values)() const) {
  return [values](const ModelState& s, float* row) {
    const std::vector<double>& v = ((*s.cds).*values)();
    for (std::size_t n = 0; n < s.world.networks.size(); ++n) row[n] = static_cast<float>(v[n]);
  };
}

std::function<double(const ModelState&)> cd_total(const std::vector<double>& (ClinicalDirectors::*values)() const) {
  return [values](const ModelState& s) {
    const std::vector<double>& v = ((*s.cds).*values)();
    double total = 0.0;
    for (std::size_t n = 0; n < s.world.networks.size(); ++n) total += v[n];
    return total;
  };
}

void declare_cd_weekly(OutputDeclarations& out) {
  out.network_weekly("cd_hours", "hours/week",
                     "clinical-director demand by source (order in /clinical_directors/sources)", kCdSources, "cd_source",
                     while_paying, [](const ModelState& s, float* row) {
                       const auto& hours = s.cds->hours_by_source();
                       for (std::size_t k = 0; k < s.world.networks.size() * kCdSources; ++k) {
                         row[k] = static_cast<float>(hours[k]);
                       }
                     });
  out.network_weekly("cd_funded_hours", "hours/week", "funded clinical-director hours", 1, "", while_paying,
                     cd_row(&ClinicalDirectors::funded_hours));
  out.network_weekly("cd_support_hours", "hours/week", "demand taken by manager, commissioner and federation support", 1,
                     "", while_paying, cd_row(&ClinicalDirectors::support_used));
  out.network_weekly("cd_strain", "1", "strain: moving average of excess hours / funded hours", 1, "", while_paying,
                     cd_row(&ClinicalDirectors::strain));
  out.network_weekly("cd_in_post", "", "1 = a CD is in post", while_paying, [](const ModelState& s, std::int32_t* row) {
    for (std::size_t n = 0; n < s.world.networks.size(); ++n) row[n] = s.cds->in_post()[n];
  });
}

void declare_cd_series(OutputDeclarations& out) {
  for (int src = 0; src < kCdSources; ++src) {
    out.series(std::string("cd_hours_") + kCdSourceNames[src], "hours/week",
               std::string("clinical-director demand, all networks: ") + kCdSourceNames[src], while_paying,
               [src](const ModelState& s) {
                 double hours = 0.0;
                 for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
                   hours += s.cds->hours_by_source()[n * kCdSources + src];
                 }
                 return hours;
               });
  }
  out.series("cd_funded_hours", "hours/week", "funded clinical-director hours, all networks", while_paying,
             cd_total(&ClinicalDirectors::funded_hours));
  out.series("cd_support_hours", "hours/week", "CD demand taken by managers, commissioners and federations",
             while_paying, cd_total(&ClinicalDirectors::support_used));
  out.series("cd_unmanageable_share", "1", "share of CDs in post whose strain is over the threshold", while_paying,
             [](const ModelState& s) {
               const auto [in_post, strained] = cds_in_post_and_strained(s);
               return in_post > 0 ? static_cast<double>(strained) / in_post : 0.0;
             });
  out.series("cd_resignations", "CDs/week", "clinical directors resigning this week", while_paying,
             [](const ModelState& s) { return s.cds->resignations_this_week(); });
  out.series("cd_vacant_posts", "posts", "networks without a clinical director", while_paying, [](const ModelState& s) {
    return s.world.live_networks() - cds_in_post_and_strained(s).first;
  });
  out.series("cd_mean_strain", "1", "mean strain of CDs in post", while_paying, [](const ModelState& s) {
    double strain = 0.0;
    int in_post = 0;
    for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
      if (!s.cds->in_post()[n]) continue;
      ++in_post;
      strain += s.cds->strain()[n];
    }
    return in_post > 0 ? strain / in_post : 0.0;
  });
}

}  // namespace

Mechanism cd_workload_mechanism() {
  Mechanism m{"cd_workload", "mechanism 6: each network's clinical director, their hours, strain and resignation"};
  m.at_deadline = [](ModelState& s) {
    s.cds.emplace(s.world, s.params.cd_workload, s.network_mean_affinity, s.seed, s.step);
  };
  m.at_reevaluation = [](ModelState& s) { s.cds->reorganise(s.change, s.network_mean_affinity); };
  m.each_week = [](ModelState& s) {
    if (s.paying() && s.params.cd_workload.enabled) clinical_director_week(s);
  };
  m.declare_outputs = [](OutputDeclarations& out) {
    declare_cd_weekly(out);
    declare_cd_series(out);
  };
  return m;
}

}  // namespace pcnsim
