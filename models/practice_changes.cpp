#include "models/practice_changes.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/uniform_01.hpp>

#include "models/model.hpp"
#include "pcnsim/kernel/rng.hpp"

namespace pcnsim {

const char* to_string(PracticeEventKind kind) { return kind == PracticeEventKind::merger ? "merger" : "closure"; }

int PracticeEventLog::ceased(PracticeEventKind what, int at) const {
  int n = 0;
  for (std::size_t e = 0; e < size(); ++e) {
    // One row per receiver: count each practice once (its rows are consecutive).
    const bool first_row = e == 0 || practice[e - 1] != practice[e] || step[e - 1] != step[e];
    n += first_row && kind[e] == what && (at < 0 || step[e] == at) ? 1 : 0;
  }
  return n;
}

void transfer_patients(Practices& p, int from, int to, double share, bool with_staff) {
  const double moved = share * p.list_size[from];
  const double total = p.list_size[to] + moved;
  if (total > 0) {
    // List-weighted means of the patients the receiver now holds.
    auto blend = [&](std::vector<double>& v) { v[to] = (v[to] * p.list_size[to] + v[from] * moved) / total; };
    blend(p.needs_index);
    blend(p.share_65_plus);
    blend(p.imd_score);
  }
  p.list_size[to] = total;
  if (with_staff) {
    p.gp_fte[to] += share * p.gp_fte[from];
    p.nurse_fte[to] += share * p.nurse_fte[from];
  }
}

namespace {

double distance_km(const Practices& p, int a, int b) { return std::hypot(p.x_km[a] - p.x_km[b], p.y_km[a] - p.y_km[b]); }

// The `count` open practices nearest to `from` among `candidates` that are not
// ceasing this year, nearest first (ties by index).
std::vector<int> nearest(const Practices& p, int from, const std::vector<int>& candidates,
                         const std::vector<std::uint8_t>& unavailable, std::size_t count) {
  std::vector<std::pair<double, int>> near;
  for (int j : candidates) {
    if (j != from && !unavailable[j]) near.emplace_back(distance_km(p, from, j), j);
  }
  std::sort(near.begin(), near.end());
  std::vector<int> out;
  for (std::size_t k = 0; k < near.size() && k < count; ++k) out.push_back(near[k].second);
  return out;
}

// Each open practice's chance this year: the year's share, scaled by
// (list / median list)^-elasticity, normalised so the expected number is the
// share of open practices.
std::vector<double> ceasing_chances(const World& world, const PracticeChangeParams& params, double share) {
  const Practices& p = world.practices;
  std::vector<double> lists, weight(p.size(), 0.0);
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (world.is_open(i) && p.list_size[i] > 0) lists.push_back(p.list_size[i]);
  }
  if (lists.empty()) return weight;
  std::nth_element(lists.begin(), lists.begin() + static_cast<std::ptrdiff_t>(lists.size() / 2), lists.end());
  const double median = lists[lists.size() / 2];
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!world.is_open(i) || p.list_size[i] <= 0) continue;
    weight[i] = std::pow(p.list_size[i] / median, -params.small_list_elasticity);
    sum += weight[i];
  }
  const double scale = share * static_cast<double>(lists.size()) / sum;
  for (double& w : weight) w = std::min(1.0, w * scale);
  return weight;
}

// The practice leaves the world: out of its network (a new lead practice if it
// was the lead), no patients, staff or sign-up.
void retire(World& world, int practice, int step, int partner_in_network) {
  Practices& p = world.practices;
  const int n = world.network_of[practice];
  if (n >= 0) {
    Network& net = world.networks[n];
    net.members.erase(std::lower_bound(net.members.begin(), net.members.end(), practice));
    // A new payee: the partner it merged with, else the largest member left
    // (a network with none left keeps its last lead and ends at the re-evaluation).
    if (net.lead_practice == practice && !net.members.empty()) {
      net.lead_practice = partner_in_network >= 0 ? partner_in_network : net.members.front();
      for (int m : net.members) {
        if (partner_in_network < 0 && p.list_size[m] > p.list_size[net.lead_practice]) net.lead_practice = m;
      }
    }
  }
  world.network_of[practice] = -1;
  world.covering_network[practice] = -1;
  world.signed_up[practice] = 0;
  world.ceased_step[practice] = step;
  p.list_size[practice] = 0;
  p.gp_fte[practice] = 0;
  p.nurse_fte[practice] = 0;
  p.care_home_beds[practice] = 0;
}

struct ChangeContext {
  World& world;
  const PracticeChangeParams& params;
  int step;
  PracticeEventLog& log;
  PracticeChangeCounts& counts;
  const std::vector<std::uint8_t>& ceasing;
};

void log_transfer(ChangeContext& c, PracticeEventKind kind, int from, int to, double patients, double gp_fte,
                  std::string reason) {
  PracticeEventLog& log = c.log;
  log.step.push_back(c.step);
  log.kind.push_back(kind);
  log.practice.push_back(from);
  log.receiver.push_back(to);
  log.patients.push_back(patients);
  log.gp_fte.push_back(gp_fte);
  log.network.push_back(c.world.network_of[from]);
  log.receiver_network.push_back(c.world.network_of[to]);
  log.reason.push_back(std::move(reason));
}

// A merger into the nearest member of its network (or of its commissioner).
// Returns the partner, or -1 when no open practice is left to merge with.
int merge(ChangeContext& c, int from, bool within_network) {
  World& w = c.world;
  Practices& p = w.practices;
  const int n = w.network_of[from];
  std::vector<int> partner;
  if (within_network && n >= 0) partner = nearest(p, from, w.networks[n].members, c.ceasing, 1);
  const bool same_network = !partner.empty();
  if (!same_network) partner = nearest(p, from, w.commissioners[p.commissioner[from]].members, c.ceasing, 1);
  if (partner.empty()) return -1;
  const int to = partner.front();
  log_transfer(c, PracticeEventKind::merger, from, to, p.list_size[from], p.gp_fte[from],
               same_network ? "merged with the nearest practice of its network"
                            : "merged with the nearest practice of its commissioner");
  transfer_patients(p, from, to, 1.0, true);
  p.care_home_beds[to] += p.care_home_beds[from];
  c.counts.patients_moved += p.list_size[from];
  ++c.counts.mergers;
  return to;
}

// A closure: the patients go to the nearest open practices in equal shares.
bool close(ChangeContext& c, int from) {
  Practices& p = c.world.practices;
  const auto receivers = nearest(p, from, c.world.commissioners[p.commissioner[from]].members, c.ceasing,
                                 static_cast<std::size_t>(c.params.closure_receivers));
  if (receivers.empty()) return false;
  const double share = 1.0 / static_cast<double>(receivers.size());
  for (int to : receivers) {
    log_transfer(c, PracticeEventKind::closure, from, to, share * p.list_size[from], 0.0,
                 "closed; its patients registered with the nearest practices");
    transfer_patients(p, from, to, share, false);
  }
  p.care_home_beds[receivers.front()] += p.care_home_beds[from];
  c.counts.patients_moved += p.list_size[from];
  ++c.counts.closures;
  return true;
}

}  // namespace

std::vector<std::pair<int, int>> change_practices(World& world, const PracticeChangeParams& params, int step, Date date,
                                                  std::uint64_t seed, PracticeEventLog& log,
                                                  PracticeChangeCounts& counts) {
  Engine rng = make_stream(seed, "practice_changes", static_cast<std::uint64_t>(date.financial_year()));
  boost::random::uniform_01<double> uniform;
  const std::vector<double> chance = ceasing_chances(world, params, params.ceasing_share_per_year.at(date));
  std::vector<std::uint8_t> ceasing(chance.size(), 0);
  for (std::size_t i = 0; i < chance.size(); ++i) ceasing[i] = world.is_open(i) && uniform(rng) < chance[i] ? 1 : 0;
  for (std::size_t i = 0; i < chance.size(); ++i) {
    if (!world.is_open(i)) ceasing[i] = 1;  // never a partner or receiver
  }
  counts = PracticeChangeCounts{};
  ChangeContext c{world, params, step, log, counts, ceasing};
  std::vector<std::pair<int, int>> moved_with_practice;
  for (std::size_t i = 0; i < chance.size(); ++i) {
    if (!ceasing[i] || !world.is_open(i)) continue;
    const int from = static_cast<int>(i);
    const bool merger = uniform(rng) < params.merger_share;
    const bool within_network = uniform(rng) < params.same_network_partner_share;
    const int network = world.network_of[from];
    int partner = -1;
    if (merger) {
      partner = merge(c, from, within_network);
      if (partner < 0) continue;
    } else if (!close(c, from)) {
      continue;
    }
    const bool same_network = partner >= 0 && network >= 0 && world.network_of[partner] == network;
    if (same_network) moved_with_practice.emplace_back(from, partner);
    retire(world, from, step, same_network ? partner : -1);
  }
  return moved_with_practice;
}

Mechanism practice_changes_mechanism() {
  Mechanism m{"practice_changes", "mechanism 9a: each later 1 April some practices merge into another or close"};
  m.at_reevaluation = [](ModelState& s) {
    if (!s.params.practice_changes.enabled) return;
    const auto moved = change_practices(s.world, s.params.practice_changes, s.step, s.date, s.seed,
                                        s.practice_events, s.practice_counts);
    if (s.cds) {
      for (const auto& [from, to] : moved) s.cds->practice_merged(from, to);
    }
    s.practices_changed_step = s.step;
    s.events.push_back({s.step, s.date,
                        std::to_string(s.practice_counts.mergers) + " practices merged, " +
                            std::to_string(s.practice_counts.closures) + " closed"});
  };
  m.declare_outputs = [](OutputDeclarations& out) {
    const auto this_week = [](const ModelState& s) { return s.practices_changed_step == s.step; };
    out.series("practice_mergers", "practices/week", "practices that merged into another practice (1 April)",
               this_week, [](const ModelState& s) { return s.practice_counts.mergers; });
    out.series("practice_closures", "practices/week", "practices that closed, their patients dispersed (1 April)",
               this_week, [](const ModelState& s) { return s.practice_counts.closures; });
    out.series("patients_transferred", "patients/week",
               "patients of merged and closed practices registered with another practice (1 April)", this_week,
               [](const ModelState& s) { return s.practice_counts.patients_moved; });
    out.series("open_practices", "practices", "practices that still exist (not merged or closed)", always,
               [](const ModelState& s) { return s.world.open_practices(); });
  };
  return m;
}

}  // namespace pcnsim
