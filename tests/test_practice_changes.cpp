// Mechanism 9a, practice mergers and closures: patients are conserved, a
// merger's partner takes the practice's staff, a closure's receivers take its
// patients only, clinical directors follow their practice, the partition stays
// valid, small practices cease more often, and switching it off freezes the
// population.
#include <catch2/catch.hpp>
#include <map>
#include <numeric>

#include "models/dynamics.hpp"
#include "models/practice_changes.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

namespace {

// A busy year: several times the baseline's shares, so that every kind of
// change happens in the 600-practice country.
const std::vector<Override> kBusy = {
    {"practice_changes.ceasing_share_per_year", "[{from: 2020-04-01, value: 0.06}]"},
    {"practice_changes.merger_share", "0.6"}};

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

TEST_CASE("a transfer moves patients and staff and blends the receiver's needs", "[practice_changes]") {
  Practices p;
  p.resize(2);
  p.list_size = {3000, 9000};
  p.needs_index = {1.2, 1.0};
  p.share_65_plus = {0.3, 0.1};
  p.imd_score = {40, 10};
  p.gp_fte = {1.5, 4.0};
  p.nurse_fte = {1.0, 2.0};
  SECTION("a merger: everything") {
    transfer_patients(p, 0, 1, 1.0, true);
    CHECK(p.list_size[1] == 12000);
    CHECK(p.needs_index[1] == Approx((1.2 * 3000 + 1.0 * 9000) / 12000));
    CHECK(p.share_65_plus[1] == Approx(0.15));
    CHECK(p.imd_score[1] == Approx(17.5));
    CHECK(p.gp_fte[1] == Approx(5.5));
    CHECK(p.nurse_fte[1] == Approx(3.0));
  }
  SECTION("a third of a closure: patients, no staff") {
    transfer_patients(p, 0, 1, 1.0 / 3.0, false);
    CHECK(p.list_size[1] == Approx(10000));
    CHECK(p.needs_index[1] == Approx((1.2 * 1000 + 9000) / 10000.0));
    CHECK(p.gp_fte[1] == 4.0);
    CHECK(p.nurse_fte[1] == 2.0);
  }
  CHECK(p.list_size[0] == 3000);  // the caller retires the practice
}

TEST_CASE("mergers and closures conserve patients and keep the partition valid", "[practice_changes]") {
  std::vector<std::vector<int>> neighbours;
  std::vector<double> total_patients;
  const RunResult run = run_simulation(synthetic_small(kBusy), 0, [&](int, const World& w) {
    total_patients.push_back(sum(w.practices.list_size));
  });
  const double patients = total_patients.front();
  for (double t : total_patients) REQUIRE(t == Approx(patients).epsilon(1e-12));
  const auto& ev = run.practice_events;
  const World& w = run.world;
  int mergers = ev.ceased(PracticeEventKind::merger), closures = ev.ceased(PracticeEventKind::closure);
  INFO(mergers << " mergers, " << closures << " closures");
  CHECK(mergers > 20);
  CHECK(closures > 5);
  // Every practice that ceased has events, and only those: no patients,
  // staff, network or sign-up left.
  std::map<int, int> ceased_at;
  for (std::size_t e = 0; e < ev.size(); ++e) ceased_at[ev.practice[e]] = ev.step[e];
  int ceased = 0;
  for (std::size_t i = 0; i < w.practices.size(); ++i) {
    INFO("practice " << i);
    if (w.is_open(i)) {
      CHECK(ceased_at.count(static_cast<int>(i)) == 0);
      continue;
    }
    ++ceased;
    CHECK(ceased_at.at(static_cast<int>(i)) == w.ceased_step[i]);
    CHECK(w.practices.list_size[i] == 0);
    CHECK(w.practices.gp_fte[i] == 0);
    CHECK(w.practices.care_home_beds[i] == 0);
    CHECK(w.network_of[i] == -1);
    CHECK(w.covering_network[i] == -1);
    CHECK(w.signed_up[i] == 0);
  }
  CHECK(ceased == mergers + closures);
  // Each evaluation: receivers were open, patients moved add up to the
  // ceased practices' lists, and no ceased practice is in a network.
  for (std::size_t row = 1; row < run.membership.size(); ++row) {
    const auto& before = run.membership[row - 1];
    const auto& after = run.membership[row];
    double moved = 0, lost = 0;
    std::map<int, double> received;
    for (std::size_t e = 0; e < ev.size(); ++e) {
      if (ev.step[e] != after.step) continue;
      moved += ev.patients[e];
      received[ev.receiver[e]] += ev.patients[e];
      REQUIRE(w.ceased_step[ev.receiver[e]] != after.step);
      REQUIRE((w.is_open(ev.receiver[e]) || w.ceased_step[ev.receiver[e]] > after.step));
    }
    for (std::size_t i = 0; i < w.practices.size(); ++i) {
      if (w.ceased_step[i] == after.step) {
        lost += before.list_size[i];
        REQUIRE(after.network_of[i] == -1);
        REQUIRE(after.list_size[i] == 0);
      }
    }
    CHECK(moved == Approx(lost));
    // A receiver's list grew by what it received (no other change to lists).
    for (const auto& [to, got] : received) CHECK(after.list_size[to] == Approx(before.list_size[to] + got));
  }
  // The partition is valid at the end (contiguity over the graph's edges among members).
  CHECK(partition_problems(w, neighbour_lists(*run.graph)).empty());
}

TEST_CASE("a merger's partner takes its GPs and its clinical director, a closure's GPs leave", "[practice_changes]") {
  std::vector<double> gp_before;
  std::vector<double> gp_after;
  const Scenario sc = synthetic_small(kBusy);
  const int change_step = *Calendar(sc.calendar.start, sc.calendar.end).step_of(Date::from_ymd(2021, 4, 5));
  const RunResult run = run_simulation(sc, 0, [&](int step, const World& w) {
    if (step == change_step - 1) gp_before = w.practices.gp_fte;
    if (step == change_step) gp_after = w.practices.gp_fte;
  });
  REQUIRE(!gp_before.empty());
  const auto& ev = run.practice_events;
  double gp_closed = 0;
  int rows = 0;
  for (std::size_t e = 0; e < ev.size(); ++e) {
    if (ev.step[e] != change_step) continue;
    ++rows;
    if (ev.kind[e] == PracticeEventKind::merger) {
      CHECK(ev.gp_fte[e] == Approx(gp_before[ev.practice[e]]));
      CHECK(gp_after[ev.receiver[e]] >= gp_before[ev.receiver[e]] + gp_before[ev.practice[e]] - 1e-9);
    } else {
      CHECK(ev.gp_fte[e] == 0);
    }
    if (ev.kind[e] == PracticeEventKind::closure && (e == 0 || ev.practice[e - 1] != ev.practice[e])) {
      gp_closed += gp_before[ev.practice[e]];
    }
  }
  REQUIRE(rows > 10);
  CHECK(sum(gp_after) == Approx(sum(gp_before) - gp_closed));
  // No clinical director in post works at a practice that no longer exists.
  const auto& cds = run.clinical_directors;
  for (std::size_t k = 0; k < cds.network.size(); ++k) {
    if (cds.end_step[k] >= 0) continue;
    INFO("CD " << k << " of network " << cds.network[k]);
    CHECK(run.world.is_open(cds.practice[k]));
    CHECK(run.world.network_of[cds.practice[k]] == cds.network[k]);
  }
}

TEST_CASE("small practices cease more often, and the yearly share is kept", "[practice_changes]") {
  const RunResult run = run_small(kBusy);
  const auto& start = run.membership.front().list_size;
  std::vector<double> sorted = start;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  int small = 0, small_ceased = 0, large = 0, large_ceased = 0;
  for (std::size_t i = 0; i < start.size(); ++i) {
    const bool ceased = !run.world.is_open(i);
    (start[i] < median ? small : large) += 1;
    (start[i] < median ? small_ceased : large_ceased) += ceased ? 1 : 0;
  }
  INFO(small_ceased << " of " << small << " small practices ceased, " << large_ceased << " of " << large << " large");
  CHECK(small_ceased > 2 * large_ceased);
  // Four yearly evaluations at 6%: about 1 - 0.94^4 = 22% of practices.
  const double share = static_cast<double>(small_ceased + large_ceased) / static_cast<double>(start.size());
  CHECK(share == Approx(1 - std::pow(0.94, 4)).margin(0.05));
}

TEST_CASE("with practice changes off the population is fixed", "[practice_changes]") {
  const RunResult run = run_small({{"practice_changes.enabled", "false"}});
  CHECK(run.practice_events.size() == 0);
  CHECK(run.world.open_practices() == static_cast<int>(run.world.practices.size()));
  for (const auto& snap : run.membership) CHECK(snap.list_size == run.membership.front().list_size);
}
