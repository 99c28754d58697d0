#include "models/arrs.hpp"
#include "models/model.hpp"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>

namespace pcnsim {

namespace {

RoleParams make_role(Date opens, std::vector<DatedValue> caps, double preference, double inflow, double substitution,
                double supervision, bool full = false) {
  RoleParams r;
  r.opens = opens;
  r.max_reimbursable_gbp_per_wte.entries = std::move(caps);
  r.preference = preference;
  r.pool_inflow_wte_per_week = inflow;
  r.substitution_gp_hours_per_wte_week = substitution;
  r.supervision_gp_hours_per_wte_week = supervision;
  r.always_fully_reimbursed = full;
  return r;
}

Date d(int y, int m) { return Date::from_ymd(y, m, 1); }

// Deprivation is measured against the list-weighted national mean and spread
// of practices' IMD scores (spread 1 when every score is the same).
void imd_spread(const Practices& p, double& mean, double& sd) {
  double patients = 0, sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    patients += p.list_size[i];
    sum += p.list_size[i] * p.imd_score[i];
    sum_sq += p.list_size[i] * p.imd_score[i] * p.imd_score[i];
  }
  if (patients <= 0) return;
  mean = sum / patients;
  const double variance = sum_sq / patients - mean * mean;
  sd = variance > 1e-12 ? std::sqrt(variance) : 1.0;
}

// Employers follow hosting; flat and lead-practice networks employ through a
// community trust with a probability (one draw per network, in id order).
std::vector<Employer> draw_employers(const World& world, const ArrsParams& params, std::uint64_t seed) {
  boost::random::uniform_01<double> uniform;
  Engine employer_rng = make_stream(seed, "arrs_employer", 0);
  std::vector<Employer> employers;
  for (const auto& net : world.networks) {
    Employer e = Employer::lead_practice;
    const double draw = uniform(employer_rng);
    if (net.hosting == HostingModel::federation) {
      e = Employer::federation;
    } else if (net.hosting != HostingModel::super_practice && draw < params.trust_employer_probability) {
      e = Employer::community_trust;
    }
    employers.push_back(e);
  }
  return employers;
}

// Agenda for Change band mid-points with on-costs, used where the DES gives no figure.
const char* const kAfc = "Agenda for Change mid-point plus on-costs (no DES figure)";

}  // namespace

std::array<RoleParams, kRoleCount> ArrsRoles::defaults() {
  const DatedValue band4{d(2020, 4), 29135, "DES 2020/21 maximum (care coordinator / nursing associate)"};
  const DatedValue band5{d(2020, 4), 35389, kAfc};
  const DatedValue band7{d(2020, 4), 55670, "DES 2020/21 maximum (first-contact physiotherapist, band 7)"};
  return {
      make_role(d(2019, 4), {{d(2019, 4), 54000, "DES 2019/20 (reimbursed at 70%)"}, {d(2020, 4), 55670, "DES 2020/21"},
                {d(2022, 4), 57318, "DES 2022/23"}}, 28, 133.467, 8, 1.5),
      make_role(d(2019, 4), {{d(2019, 4), 34113, "DES 2019/20 (reimbursed at 100%)"}, {d(2020, 4), 35389, "DES 2020/21"}},
                19, 91.96, 2, 0.5, true),
      make_role(d(2020, 4), {band7}, 7, 42.9, 10, 1.0),
      make_role(d(2020, 4), {{d(2020, 4), 55670, kAfc}}, 6, 37.18, 12, 3.0),
      make_role(d(2020, 4), {band5}, 8, 48.62, 3, 0.5),
      make_role(d(2020, 4), {band4}, 15, 94.38, 2, 0.3),
      make_role(d(2020, 4), {band5}, 5, 27.17, 1, 0.3),
      make_role(d(2020, 10), {band4}, 2, 14.3, 3, 1.0),
      make_role(d(2021, 4), {{d(2021, 4), 55670, kAfc}}, 6, 51.48, 12, 2.0),
      make_role(d(2021, 4), {{d(2021, 4), 55670, kAfc}}, 4, 34.32, 6, 1.0),
      make_role(d(2021, 4), {{d(2021, 4), 62705, "DES 2021/22 maximum (band 8a)"}}, 3, 28.6, 18, 1.0),
      make_role(d(2020, 4), {band7}, 0.5, 3.432, 4, 0.5),
      make_role(d(2020, 4), {band7}, 0.5, 3.432, 4, 0.5),
      make_role(d(2020, 4), {band7}, 0.6, 4.576, 4, 0.5),
      make_role(d(2022, 10), {{d(2022, 10), 29135, kAfc}}, 2, 68.64, 3, 0.3),
      make_role(d(2022, 10), {{d(2022, 10), 45000, kAfc}}, 1, 40.04, 0, 0.2),
  };
}

const char* to_string(Employer e) {
  switch (e) {
    case Employer::lead_practice: return "lead_practice";
    case Employer::federation: return "federation";
    case Employer::community_trust: return "community_trust";
  }
  return "unknown";
}

ArrsWorkforce::ArrsWorkforce(const World& world, const ArrsParams& params, const FundingParams& funding,
                             const Calendar& calendar, std::uint64_t seed)
    : world_(world),
      params_(params),
      funding_(funding),
      calendar_(calendar),
      leaver_rng_(make_stream(seed, "arrs_leavers", 0)),
      vacancy_rng_(make_stream(seed, "arrs_vacancies", 0)),
      match_rng_(make_stream(seed, "arrs_matching", 0)),
      readiness_stream_(stream_seed(seed, "arrs_readiness", 0)) {
  const auto& comms = world.commissioners;
  const auto& p = world.practices;
  // Regions: farthest-point seeded k-means over commissioners' centroids (deterministic).
  const int k = std::min<int>(params.regions, static_cast<int>(comms.size()));
  std::vector<double> cx, cy;
  int north = 0;
  for (std::size_t c = 0; c < comms.size(); ++c) {
    if (comms[c].y_km > comms[north].y_km) north = static_cast<int>(c);
  }
  cx.push_back(comms[north].x_km);
  cy.push_back(comms[north].y_km);
  while (static_cast<int>(cx.size()) < k) {
    std::size_t far = 0;
    double far_d = -1;
    for (std::size_t c = 0; c < comms.size(); ++c) {
      double nearest = 1e300;
      for (std::size_t j = 0; j < cx.size(); ++j) nearest = std::min(nearest, std::hypot(comms[c].x_km - cx[j], comms[c].y_km - cy[j]));
      if (nearest > far_d) {
        far_d = nearest;
        far = c;
      }
    }
    cx.push_back(comms[far].x_km);
    cy.push_back(comms[far].y_km);
  }
  region_.assign(comms.size(), 0);
  for (int iteration = 0; iteration < 25; ++iteration) {
    for (std::size_t c = 0; c < comms.size(); ++c) {
      double best = 1e300;
      for (int j = 0; j < k; ++j) {
        const double dist = std::hypot(comms[c].x_km - cx[j], comms[c].y_km - cy[j]);
        if (dist < best) {
          best = dist;
          region_[c] = j;
        }
      }
    }
    std::vector<double> sx(k, 0), sy(k, 0), n(k, 0);
    for (std::size_t c = 0; c < comms.size(); ++c) {
      sx[region_[c]] += comms[c].x_km;
      sy[region_[c]] += comms[c].y_km;
      n[region_[c]] += 1;
    }
    for (int j = 0; j < k; ++j) {
      if (n[j] > 0) {
        cx[j] = sx[j] / n[j];
        cy[j] = sy[j] / n[j];
      }
    }
  }
  // Pools are national: a region's inflow is its share of the national patients.
  region_share_.assign(k, 0.0);
  for (std::size_t i = 0; i < p.size(); ++i) {
    region_share_[region_[p.commissioner[i]]] += p.list_size[i] * p.needs_index[i] / funding.national_patients;
  }
  pool_.assign(static_cast<std::size_t>(k) * kRoleCount, 0.0);
  imd_spread(p, imd_mean_, imd_sd_);
  reorganise(Reorganisation{});
  employer_ = draw_employers(world, params, seed);
  update_readiness(-1, ReadinessInputs{});
}

int ArrsWorkforce::year_index(int fy) const {
  const auto it = std::find(years_.begin(), years_.end(), fy);
  return it == years_.end() ? -1 : static_cast<int>(it - years_.begin());
}

double ArrsWorkforce::annual_cost(int role, Date d) const {
  return params_.cost_share_of_maximum * params_.roles[role].max_reimbursable_gbp_per_wte.at(d);
}

Pence ArrsWorkforce::weekly_cost_pence(int role, Date d) const {
  const double rate = params_.roles[role].always_fully_reimbursed ? 1.0 : funding_.arrs_reimbursement_rate.at(d);
  return weekly_amount(annual_cost(role, d) * rate, d.financial_year());
}

Pence ArrsWorkforce::ceiling_this_year(int network) const {
  return current_year_ < 0 ? 0 : money_[current_year_][network].ceiling;
}

void ArrsWorkforce::start_year(int fy) {
  years_.push_back(fy);
  current_year_ = static_cast<int>(years_.size()) - 1;
  std::vector<NetworkYearMoney> money(world_.networks.size());
  // The pot in force on 1 April of the year, shared by weighted population of networks' members.
  const double pot = funding_.enabled ? funding_.arrs_national_pot_gbp.at(Date::from_ymd(fy, 4, 1)) : 0.0;
  for (const auto& net : world_.networks) money[net.id].ceiling = to_pence(pot * national_pot_share(world_, net, funding_));
  money_.push_back(std::move(money));
}

void ArrsWorkforce::hire(int network, int role, int step, int hired_step) {
  staff_.network.push_back(network);
  staff_.role.push_back(role);
  staff_.start_step.push_back(step);
  staff_.end_step.push_back(-1);
  staff_.hired_step.push_back(hired_step);
  staff_.active.push_back(1);
}

void ArrsWorkforce::reorganise(const Reorganisation& change) {
  const std::size_t nets = world_.networks.size();
  wte_.resize(nets * kRoleCount, 0.0);
  vacancies_.resize(nets * kRoleCount, 0);
  claimed_week_.resize(nets, 0);
  region_networks_.assign(region_share_.size(), {});
  for (const auto& net : world_.networks) {
    if (net.live()) region_networks_[region_[net.commissioner]].push_back(net.id);
  }
  started_.resize(nets, -1);
  readiness_.resize(nets, 0.0);
  plan_use_.resize(nets, 0.0);
  readiness_from_membership();
  if (change.step < 0) return;
  for (int n : change.ended) {
    std::fill_n(&vacancies_[static_cast<std::size_t>(n) * kRoleCount], kRoleCount, 0);
  }
  auto transfer = [&](std::size_t k, int to) {
    staff_.active[k] = 0;
    staff_.end_step[k] = change.step;
    if (to >= 0) hire(to, staff_.role[k], change.step, staff_.hired_step[k]);
  };
  const std::size_t rows = staff_.network.size();
  for (std::size_t k = 0; k < rows; ++k) {
    if (!staff_.active[k] || world_.networks[staff_.network[k]].live()) continue;
    int heir = world_.networks[staff_.network[k]].successor;
    while (heir >= 0 && !world_.networks[heir].live()) heir = world_.networks[heir].successor;
    transfer(k, heir);  // with no heir the post ends
  }
  // The staff rows of each splitting network, ascending, found in one pass
  // (a scan of every row per split made reorganising quadratic in the
  // population); rows hired into such a network while splitting join its list.
  std::vector<std::vector<std::size_t>> rows_of(nets);
  std::vector<std::uint8_t> splitting(nets, 0);
  for (int parent : change.parent) {
    if (parent >= 0) splitting[static_cast<std::size_t>(parent)] = 1;
  }
  for (std::size_t k = 0; k < staff_.network.size(); ++k) {  // including rows just passed to heirs
    if (staff_.active[k] && splitting[staff_.network[k]]) rows_of[staff_.network[k]].push_back(k);
  }
  auto transfer_recorded = [&](std::size_t k, int to) {
    transfer(k, to);
    if (splitting[static_cast<std::size_t>(to)]) rows_of[to].push_back(staff_.network.size() - 1);
  };
  for (std::size_t c = 0; c < change.created.size(); ++c) {
    const int child = change.created[c], parent = change.parent[c];
    const auto& net = world_.networks[child];
    employer_.resize(nets, Employer::lead_practice);
    if (parent < 0) {
      employer_[child] = net.hosting == HostingModel::federation ? Employer::federation : Employer::lead_practice;
      continue;
    }
    employer_[child] = employer_[parent];
    started_[child] = started_[parent];  // the split-off part keeps the recruiting it took over
    const double share = change.parent_share[c];
    for (std::size_t r = 0; r < kRoleCount; ++r) {
      std::vector<std::size_t> in_role;
      for (std::size_t k : rows_of[static_cast<std::size_t>(parent)]) {
        if (staff_.active[k] && staff_.role[k] == static_cast<int>(r)) in_role.push_back(k);
      }
      const auto moving = static_cast<std::size_t>(std::lround(share * static_cast<double>(in_role.size())));
      for (std::size_t m = in_role.size() - moving; m < in_role.size(); ++m) transfer_recorded(in_role[m], child);
      int& parent_vacancies = vacancies_[static_cast<std::size_t>(parent) * kRoleCount + r];
      const int moved = static_cast<int>(std::lround(share * parent_vacancies));
      parent_vacancies -= moved;
      vacancies_[static_cast<std::size_t>(child) * kRoleCount + r] += moved;
    }
  }
  employer_.resize(nets, Employer::lead_practice);
  recount();
}

void ArrsWorkforce::recount() {
  std::fill(wte_.begin(), wte_.end(), 0.0);
  for (std::size_t k = 0; k < staff_.network.size(); ++k) {
    if (staff_.active[k]) wte_[static_cast<std::size_t>(staff_.network[k]) * kRoleCount + staff_.role[k]] += 1.0;
  }
}

// The terms of ln(readiness) that follow from membership: deprivation,
// rurality, size and the network's own idiosyncratic draw.
void ArrsWorkforce::readiness_from_membership() {
  const auto& p = world_.practices;
  const auto& r = params_.readiness;
  terms_.resize(world_.networks.size() * kReadinessDriverCount, 0.0);
  for (const auto& net : world_.networks) {
    double list = 0, imd = 0, rural = 0;
    for (int m : net.members) {
      list += p.list_size[m];
      imd += p.list_size[m] * p.imd_score[m];
      rural += p.rural[m] ? p.list_size[m] : 0.0;
    }
    double* term = &terms_[static_cast<std::size_t>(net.id) * kReadinessDriverCount];
    std::fill_n(term, kReadinessDriverCount, 0.0);
    if (!r.enabled || net.members.empty() || list <= 0) continue;
    const double members = static_cast<double>(net.members.size());
    term[2] = r.deprivation_per_sd * (imd / list - imd_mean_) / imd_sd_;
    term[3] = r.rurality * rural / list;
    term[5] = r.members_per_log * std::log(members / kReadinessReferenceMembers);
    term[6] = r.practice_size_per_log * std::log(list / members / kReadinessReferencePracticeList);
    const double z = hash_normal(readiness_stream_, static_cast<std::uint64_t>(net.id), 0);
    term[7] = r.sd_log * z;
  }
}

// This week's readiness from the membership terms and last week's manager and
// strain; networks not yet recruiting start with a hazard proportional to it
// (no draws before the first week, step < 0); each recruiting network's plan use.
void ArrsWorkforce::update_readiness(int step, const ReadinessInputs& inputs) {
  const auto& r = params_.readiness;
  const std::size_t nets = world_.networks.size();
  readiness_.assign(nets, 0.0);
  plan_use_.assign(nets, 0.0);
  const auto input = [](const std::vector<double>* v, std::size_t n) { return v && n < v->size() ? (*v)[n] : 0.0; };
  for (std::size_t n = 0; n < nets; ++n) {
    if (!world_.networks[n].live()) continue;
    if (!r.enabled) {
      readiness_[n] = 1.0;
      plan_use_[n] = 1.0;
      if (started_[n] < 0 && step >= 0) started_[n] = step;
      continue;
    }
    double* term = &terms_[n * kReadinessDriverCount];
    term[0] = r.manager * input(inputs.manager_wte, n);
    term[1] = employer_[n] == Employer::lead_practice ? 0.0 : r.hosted_employer;
    term[4] = r.cd_strain * input(inputs.cd_strain, n);
    double log_readiness = 0;
    for (std::size_t d = 0; d < kReadinessDriverCount; ++d) log_readiness += term[d];
    readiness_[n] = std::min(r.max, std::exp(log_readiness));
    if (started_[n] < 0 && step >= 0 &&
        hash_uniform(readiness_stream_, n, static_cast<std::uint64_t>(step) + 1) <
            1.0 - std::exp(-r.start_per_week * readiness_[n])) {
      started_[n] = step;
    }
    if (started_[n] < 0) continue;
    const double weeks = static_cast<double>(step - started_[n] + 1);
    plan_use_[n] = r.full_plan_weeks > 0 ? std::min(1.0, readiness_[n] * weeks / r.full_plan_weeks) : 1.0;
  }
}

void ArrsWorkforce::step(int step, double inflow_multiplier, const ReadinessInputs& inputs) {
  if (current_year_ < 0) return;
  const Date date = calendar_.step_start(step);
  update_readiness(step, inputs);
  if (funding_.arrs_redistribution && date.month() == funding_.arrs_redistribution_month && date.day() <= 7) {
    redistribute(current_year_, date);
  }
  // This week's cost and leaving hazard of each role, computed once.
  std::array<Pence, kRoleCount> week_cost{};
  std::array<double, kRoleCount> hazard{};
  for (std::size_t r = 0; r < kRoleCount; ++r) {
    week_cost[r] = weekly_cost_pence(static_cast<int>(r), date);
    hazard[r] = 1.0 - std::pow(1.0 - params_.roles[r].attrition_per_year, 7.0 / 365.25);
  }
  leave_and_withdraw(step, hazard);
  // Roles open this week, and the sum of their hiring preferences.
  std::vector<int> open;
  double open_preference = 0;
  for (std::size_t r = 0; r < kRoleCount; ++r) {
    if (date >= params_.roles[r].opens) {
      open.push_back(static_cast<int>(r));
      open_preference += params_.roles[r].preference;
    }
  }
  if (params_.enabled && open_preference > 0) plan_vacancies(date, open, open_preference);
  match_labour_pools(step, open, inflow_multiplier);
  claim(week_cost);
}

// Leavers, then vacancies that stay unfilled are withdrawn now and then (and re-planned).
void ArrsWorkforce::leave_and_withdraw(int step, const std::array<double, kRoleCount>& hazard) {
  boost::random::uniform_01<double> uniform;
  for (std::size_t k = 0; k < staff_.network.size(); ++k) {
    if (!staff_.active[k]) continue;
    if (uniform(leaver_rng_) < hazard[staff_.role[k]]) {
      staff_.active[k] = 0;
      staff_.end_step[k] = step;
      // Counts are whole numbers, so updating them is exact: no weekly recount.
      wte_[static_cast<std::size_t>(staff_.network[k]) * kRoleCount + staff_.role[k]] -= 1.0;
    }
  }
  for (int& v : vacancies_) {
    for (int k = v; k > 0; --k) {
      if (uniform(vacancy_rng_) < params_.vacancy_withdrawal_per_week) --v;
    }
  }
}

// Plans: each network posts vacancies, the role furthest below its preferred
// share first, while the annual cost of staff and vacancies fits its budget.
void ArrsWorkforce::plan_vacancies(Date date, const std::vector<int>& open, double open_preference) {
  const auto& money = money_[current_year_];
  std::vector<double> cost(kRoleCount);
  for (int r : open) cost[r] = to_gbp(weekly_cost_pence(r, date)) * days_in_financial_year(date.financial_year()) / 7.0;
  // A role reimbursed nothing (a zero rate or maximum) is not an ARRS post:
  // networks do not recruit it through the scheme (and a free post would never
  // exhaust the budget).
  std::vector<int> planned;
  for (int r : open) {
    if (cost[r] > 0 && params_.roles[r].preference > 0) planned.push_back(r);
  }
  // Near the year end, plan against next year's ceiling when it is larger.
  const int fy = date.financial_year();
  const Date next_april = Date::from_ymd(fy + 1, 4, 1);
  double growth = 1.0;
  if (next_april.days - date.days <= 7 * params_.plan_ahead_weeks) {
    const double pot = funding_.arrs_national_pot_gbp.at(Date::from_ymd(fy, 4, 1));
    if (pot > 0) growth = std::max(1.0, funding_.arrs_national_pot_gbp.at(next_april) / pot);
  }
  for (std::size_t n = 0; n < world_.networks.size(); ++n) {
    const double budget = params_.plan_share * plan_use_[n] * to_gbp(money[n].ceiling) * growth;
    // At most one post per kPatientsPerArrsPost patients: the loop below ends
    // after at most that many posts whatever the prices.
    const double max_posts = std::floor(world_.network_list_size(world_.networks[n]) / kPatientsPerArrsPost);
    double committed = 0, headcount = 0;
    for (int r : open) {
      const double count = wte_[n * kRoleCount + r] + vacancies_[n * kRoleCount + r];
      committed += count * cost[r];
      headcount += count;
    }
    while (headcount < max_posts) {
      int choice = -1;
      double best_deficit = -1e300;
      for (int r : planned) {
        if (committed + cost[r] > budget) continue;
        const double target = params_.roles[r].preference / open_preference * (headcount + 1);
        const double deficit = target - (wte_[n * kRoleCount + r] + vacancies_[n * kRoleCount + r]);
        if (deficit > best_deficit) {
          best_deficit = deficit;
          choice = r;
        }
      }
      if (choice < 0) break;
      ++vacancies_[n * kRoleCount + choice];
      committed += cost[choice];
      headcount += 1;
    }
  }
}

// Labour pools: inflow, drift away, then networks of each region compete for candidates.
void ArrsWorkforce::match_labour_pools(int step, const std::vector<int>& open, double inflow_multiplier) {
  boost::random::uniform_01<double> uniform;
  std::vector<int> slots;
  for (std::size_t g = 0; g < region_share_.size(); ++g) {
    for (int r : open) {
      double& pool = pool_[g * kRoleCount + r];
      pool = pool * (1.0 - params_.pool_exit_per_week) +
             params_.roles[r].pool_inflow_wte_per_week * inflow_multiplier * region_share_[g];
      slots.clear();
      for (int n : region_networks_[g]) {
        for (int v = 0; v < vacancies_[static_cast<std::size_t>(n) * kRoleCount + r]; ++v) slots.push_back(n);
      }
      // Random order: partial Fisher-Yates over the slots that can be filled.
      // (Compared as doubles first: a pool of more candidates than a size_t holds is no overflow.)
      std::size_t fill = pool >= static_cast<double>(slots.size()) ? slots.size() : static_cast<std::size_t>(pool);
      if (fill < slots.size() && uniform(match_rng_) < pool - std::floor(pool)) ++fill;
      if (fill < slots.size() && params_.readiness.enabled && params_.readiness.competition > 0) {
        order_by_readiness(slots, fill);
      } else {
        for (std::size_t s = 0; s < fill; ++s) {
          const std::size_t j = boost::random::uniform_int_distribution<std::size_t>(s, slots.size() - 1)(match_rng_);
          std::swap(slots[s], slots[j]);
        }
      }
      for (std::size_t s = 0; s < fill; ++s) {
        const int n = slots[s];
        --vacancies_[static_cast<std::size_t>(n) * kRoleCount + r];
        hire(n, r, step, step);
        wte_[static_cast<std::size_t>(n) * kRoleCount + r] += 1.0;
        ++hires_;
      }
      pool = std::max(0.0, pool - static_cast<double>(fill));
    }
  }
}

// When candidates are short, the first `fill` slots go to a random sample
// weighted by readiness^competition (Efraimidis-Spirakis keys ln(u) / weight):
// ready networks (a known employer, job plans, a manager) win candidates first.
void ArrsWorkforce::order_by_readiness(std::vector<int>& slots, std::size_t fill) {
  boost::random::uniform_01<double> uniform;
  std::vector<std::pair<double, int>> keyed(slots.size());
  for (std::size_t s = 0; s < slots.size(); ++s) {
    const double weight = std::pow(readiness_[static_cast<std::size_t>(slots[s])], params_.readiness.competition);
    const double u = uniform(match_rng_);
    keyed[s] = {weight > 0 ? std::log(u) / weight : -HUGE_VAL, slots[s]};
  }
  std::nth_element(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(fill), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  for (std::size_t s = 0; s < slots.size(); ++s) slots[s] = keyed[s].second;
}

// Claims: this week's reimbursable cost, up to what is left of the ceiling.
void ArrsWorkforce::claim(const std::array<Pence, kRoleCount>& week_cost) {
  auto& money = money_[current_year_];
  std::fill(claimed_week_.begin(), claimed_week_.end(), 0);
  std::vector<Pence> due(world_.networks.size(), 0);
  for (std::size_t k = 0; k < staff_.network.size(); ++k) {
    if (staff_.active[k]) due[staff_.network[k]] += week_cost[staff_.role[k]];
  }
  for (std::size_t n = 0; n < due.size(); ++n) {
    const Pence claimed = std::min(due[n], money[n].ceiling - money[n].claimed);
    claimed_week_[n] = claimed;
    money[n].claimed += claimed;
  }
}

void ArrsWorkforce::redistribute(int year, Date date) {
  // Project each network's claims to 31 March at this week's rate (from this
  // week of `arrs_redistribution_month`). Networks
  // projected to leave more than `redistribution_margin` of their ceiling
  // unclaimed give that surplus up; the commissioner shares it among its
  // other networks (those on course to use their ceiling) by ceiling, which
  // lets them plan more posts for the rest of the year.
  auto& money = money_[year];
  const int fy = years_[year];
  const double weeks_left = (Date::from_ymd(fy + 1, 4, 1).days - date.days) / 7.0;
  std::vector<Pence> due(world_.networks.size(), 0);
  for (std::size_t k = 0; k < staff_.network.size(); ++k) {
    if (staff_.active[k]) due[staff_.network[k]] += weekly_cost_pence(staff_.role[k], date);
  }
  // Open vacancies count as if filled: a network keeps money it is recruiting with.
  for (std::size_t n = 0; n < world_.networks.size(); ++n) {
    for (std::size_t r = 0; r < kRoleCount; ++r) {
      due[n] += vacancies_[n * kRoleCount + r] * weekly_cost_pence(static_cast<int>(r), date);
    }
  }
  // Each commissioner's networks in id order, found in one pass (a scan of
  // every network per commissioner was quadratic in the population).
  std::vector<std::vector<int>> networks_of(world_.commissioners.size());
  for (const auto& net : world_.networks) networks_of[net.commissioner].push_back(net.id);
  for (const auto& networks : networks_of) {
    std::vector<int> donors, receivers;
    std::vector<Pence> surplus;
    Pence total_surplus = 0, receiver_ceiling = 0;
    for (const int id : networks) {
      const Network& net = world_.networks[id];
      const auto& m = money[net.id];
      const Pence projected = m.claimed + static_cast<Pence>(static_cast<double>(due[net.id]) * weeks_left);
      const Pence keep = static_cast<Pence>(funding_.arrs_redistribution_margin * static_cast<double>(m.ceiling));
      if (m.ceiling - projected > keep) {
        donors.push_back(net.id);
        surplus.push_back(m.ceiling - projected - keep);
        total_surplus += surplus.back();
      } else {
        receivers.push_back(net.id);
        receiver_ceiling += m.ceiling;
      }
    }
    if (total_surplus <= 0 || receivers.empty() || receiver_ceiling <= 0) continue;
    for (std::size_t k = 0; k < donors.size(); ++k) {
      money[donors[k]].ceiling -= surplus[k];
      money[donors[k]].redistributed -= surplus[k];
    }
    // Shares by ceiling, with the rounding remainder to the last receiver so the total balances.
    Pence given = 0;
    for (std::size_t k = 0; k < receivers.size(); ++k) {
      auto& m = money[receivers[k]];
      const Pence g = k + 1 == receivers.size()
                          ? total_surplus - given
                          : static_cast<Pence>(static_cast<long double>(total_surplus) * m.ceiling / receiver_ceiling);
      m.ceiling += g;
      m.redistributed += g;
      given += g;
    }
  }
}

void ArrsWorkforce::deploy(int step, Deployment& out) const {
  // Network totals per role (productive WTE ramps up linearly from the start),
  // then each member practice's share by list or by needs-weighted list.
  const auto& p = world_.practices;
  out.productive_wte.assign(world_.networks.size() * kRoleCount, 0.0);
  for (std::size_t k = 0; k < staff_.network.size(); ++k) {
    if (!staff_.active[k]) continue;
    const double ramp = params_.roles[staff_.role[k]].ramp_up_weeks;
    const double weeks = static_cast<double>(step - staff_.hired_step[k]);
    out.productive_wte[static_cast<std::size_t>(staff_.network[k]) * kRoleCount + staff_.role[k]] +=
        ramp > 0 ? std::min(1.0, weeks / ramp) : 1.0;
  }
  out.wte = &wte_;
  out.network.assign(p.size(), -1);
  out.share.resize(p.size());
  const bool by_need = params_.deployment == "need";
  for (const auto& net : world_.networks) {
    double total = 0;
    for (int m : net.members) total += p.list_size[m] * (by_need ? p.needs_index[m] : 1.0);
    for (int m : net.members) {
      out.network[m] = net.id;
      out.share[m] = p.list_size[m] * (by_need ? p.needs_index[m] : 1.0) / total;
    }
  }
}

namespace {

bool arrs_running(const ModelState& s) { return s.arrs.has_value(); }

// National sums over networks (and roles), in network order.
double arrs_wte_total(const ModelState& s) {
  const auto& wte = s.arrs->wte_by_network_role();
  double total = 0.0;
  for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
    for (std::size_t r = 0; r < kRoleCount; ++r) total += wte[n * kRoleCount + r];
  }
  return total;
}

double arrs_claimed_gbp(const ModelState& s, std::size_t n) {
  return s.live ? to_gbp(s.arrs->claimed_this_week()[n]) : 0.0;
}

void declare_arrs_series(OutputDeclarations& out) {
  out.series("arrs_wte", "WTE", "ARRS staff in post, all roles", arrs_running, arrs_wte_total);
  out.series("arrs_vacancies", "posts", "ARRS vacancies open", arrs_running, [](const ModelState& s) {
    int open = 0;
    for (int v : s.arrs->vacancies_by_network_role()) open += v;
    return open;
  });
  out.series("arrs_claimed_gbp", "GBP/week", "ARRS reimbursement claimed this week", arrs_running,
             [](const ModelState& s) {
               double claimed = 0.0;
               for (std::size_t n = 0; n < s.world.networks.size(); ++n) claimed += arrs_claimed_gbp(s, n);
               return claimed;
             });
  out.series("arrs_ceiling_gbp", "GBP/year", "sum of networks' ARRS ceilings for the financial year", arrs_running,
             [](const ModelState& s) {
               double ceiling = 0.0;
               for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
                 ceiling += to_gbp(s.arrs->ceiling_this_year(static_cast<int>(n)));
               }
               return ceiling;
             });
  for (std::size_t role = 0; role < kRoleCount; ++role) {
    out.series(std::string("arrs_wte_") + kArrsRoles[role], "WTE",
               std::string("ARRS staff in post: ") + kArrsRoles[role], arrs_running, [role](const ModelState& s) {
                 double wte = 0.0;
                 for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
                   wte += s.arrs->wte_by_network_role()[n * kRoleCount + role];
                 }
                 return wte;
               });
  }
}

void declare_arrs_weekly(OutputDeclarations& out) {
  out.network_weekly("arrs_wte", "WTE", "ARRS staff in post by week, network and role (roles in /arrs/roles)",
                     kRoleCount, "role", arrs_running, [](const ModelState& s, float* row) {
                       const auto& wte = s.arrs->wte_by_network_role();
                       for (std::size_t k = 0; k < s.world.networks.size() * kRoleCount; ++k) row[k] = static_cast<float>(wte[k]);
                     });
  out.network_weekly("vacancies", "posts", "open ARRS vacancies", arrs_running,
                     [](const ModelState& s, std::int32_t* row) {
                       const auto& vacancies = s.arrs->vacancies_by_network_role();
                       for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
                         row[n] = 0;
                         for (std::size_t r = 0; r < kRoleCount; ++r) row[n] += vacancies[n * kRoleCount + r];
                       }
                     });
  out.network_weekly("arrs_claimed_gbp", "GBP/week", "ARRS reimbursement claimed in the week", 1, "", arrs_running,
                     [](const ModelState& s, float* row) {
                       for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
                         row[n] = static_cast<float>(arrs_claimed_gbp(s, n));
                       }
                     });
  out.network_weekly("arrs_ceiling_gbp", "GBP/year", "the network's ARRS ceiling for the financial year of the week", 1,
                     "", arrs_running, [](const ModelState& s, float* row) {
                       for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
                         row[n] = static_cast<float>(to_gbp(s.arrs->ceiling_this_year(static_cast<int>(n))));
                       }
                     });
}

// Per network and week: a vector of the workforce as float32.
std::function<void(const ModelState&, float*)> arrs_row(const std::vector<double>& (ArrsWorkforce::*values)() const) {
  return [values](const ModelState& s, float* row) {
    const std::vector<double>& v = ((*s.arrs).*values)();
    for (std::size_t k = 0; k < v.size(); ++k) row[k] = static_cast<float>(v[k]);
  };
}

void declare_readiness_weekly(OutputDeclarations& out) {
  out.network_weekly("arrs_readiness", "1",
                     "recruitment readiness: exp(sum of the driver terms in arrs_readiness_drivers), bounded by "
                     "arrs.readiness.max; 0 for ended networks",
                     1, "", arrs_running, arrs_row(&ArrsWorkforce::readiness));
  out.network_weekly("arrs_readiness_drivers", "1",
                     "each driver's term of ln(readiness) (drivers in /arrs/readiness_drivers): manager, hosted "
                     "employer, deprivation, rurality, CD strain, members, practice size, idiosyncratic",
                     kReadinessDriverCount, "readiness_driver", arrs_running, arrs_row(&ArrsWorkforce::readiness_terms));
  out.network_weekly("arrs_plan_use", "1",
                     "share of its ceiling the network plans to use this week (0 until it starts recruiting)", 1, "",
                     arrs_running, arrs_row(&ArrsWorkforce::plan_use));
  out.network_weekly("arrs_recruiting", "", "1 = the network has started recruiting ARRS staff", arrs_running,
                     [](const ModelState& s, std::int32_t* row) {
                       const auto& since = s.arrs->recruiting_since();
                       for (std::size_t n = 0; n < s.world.networks.size(); ++n) row[n] = n < since.size() && since[n] >= 0;
                     });
}

}  // namespace

Mechanism arrs_mechanism() {
  Mechanism m{"arrs", "mechanism 4: each network recruits, keeps and deploys ARRS staff within its ceiling"};
  m.at_deadline = [](ModelState& s) {
    s.arrs.emplace(s.world, s.params.arrs, s.params.funding, s.calendar, s.seed);
    s.arrs->start_year(s.date.financial_year());
  };
  m.at_reevaluation = [](ModelState& s) { s.arrs->reorganise(s.change); };
  m.at_year_start = [](ModelState& s) { s.arrs->start_year(s.date.financial_year()); };
  m.each_week = [](ModelState& s) {
    if (!s.paying()) return;
    ReadinessInputs inputs;
    inputs.manager_wte = &s.management.manager_wte;
    if (s.cds) inputs.cd_strain = &s.cds->strain();
    s.arrs->step(s.step, s.covid ? s.params.covid.arrs_inflow_multiplier : 1.0, inputs);
    s.arrs->deploy(s.step, s.arrs_staff);
  };
  m.declare_outputs = [](OutputDeclarations& out) {
    declare_arrs_series(out);
    declare_arrs_weekly(out);
    declare_readiness_weekly(out);
  };
  return m;
}

}  // namespace pcnsim
