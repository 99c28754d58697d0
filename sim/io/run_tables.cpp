#include "pcnsim/io/run_tables.hpp"

#include <cmath>
#include <stdexcept>

#include "pcnsim/engine/metrics.hpp"

namespace pcnsim {

namespace {

template <class T>
constexpr Dtype dtype_of() {
  if constexpr (std::is_same_v<T, std::int32_t>) return Dtype::int32;
  if constexpr (std::is_same_v<T, std::int64_t>) return Dtype::int64;
  if constexpr (std::is_same_v<T, double>) return Dtype::float64;
  if constexpr (std::is_same_v<T, std::string>) return Dtype::text;
}

/// The datasets of one group (a table with one row per practice, network...).
class Table {
 public:
  Table(std::vector<TableOutput>& out, std::string group, std::string row_axis, std::string source,
        std::function<std::size_t(const RunResult&)> rows = {})
      : out_(out), group_(std::move(group)), axis_(std::move(row_axis)), source_(std::move(source)), rows_(std::move(rows)) {}

  /// A column computed row by row.
  template <class T, class F>
  void each(const std::string& name, std::string units, std::string description, F value) {
    const auto rows = rows_;
    add<T>(name, {axis_}, std::move(units), std::move(description), [rows, value](const RunResult& run) {
      const std::size_t n = rows(run);
      std::vector<T> column(n);
      for (std::size_t i = 0; i < n; ++i) column[i] = static_cast<T>(value(run, i));
      return TableData{std::move(column), {}};
    });
  }
  /// A column the run holds (or a metric computes) whole.
  template <class T, class F>
  void all(const std::string& name, std::string units, std::string description, F values) {
    add<T>(name, {axis_}, std::move(units), std::move(description),
           [values](const RunResult& run) { return TableData{std::vector<T>(values(run)), {}}; });
  }
  /// A dataset of more than one axis; `build` gives the values and the shape.
  template <class T>
  void grid(const std::string& name, std::vector<std::string> axes, std::string units, std::string description,
            std::function<TableData(const RunResult&)> build) {
    add<T>(name, std::move(axes), std::move(units), std::move(description), std::move(build));
  }

 private:
  template <class T>
  void add(const std::string& name, std::vector<std::string> axes, std::string units, std::string description,
           std::function<TableData(const RunResult&)> build) {
    out_.push_back({OutputInfo{group_ + "/" + name, std::move(axes), dtype_of<T>(), std::move(units),
                               std::move(description), source_},
                    std::move(build)});
  }

  std::vector<TableOutput>& out_;
  std::string group_, axis_, source_;
  std::function<std::size_t(const RunResult&)> rows_;
};

std::string date_of_step(const RunResult& run, int step) {
  return step < 0 ? std::string() : run.calendar.step_start(step).iso();
}

std::size_t practice_count(const RunResult& run) { return run.world.practices.size(); }
std::size_t network_count(const RunResult& run) { return run.world.networks.size(); }

/// [rows, columns] of a run-long table, flattened row by row.
template <class T, class Rows, class Row>
TableData rows_of(const Rows& rows, std::size_t columns, Row row) {
  std::vector<T> values;
  for (const auto& r : rows) {
    const std::vector<T> v = row(r);
    values.insert(values.end(), v.begin(), v.end());
  }
  return TableData{std::move(values), {static_cast<hsize_t>(rows.size()), static_cast<hsize_t>(columns)}};
}

void parameter_table(std::vector<TableOutput>& out) {
  Table t(out, "/parameters", "parameter", "scenario",
          [](const RunResult& run) { return parameter_rows(run.scenario).size(); });
  const auto rows = [](auto member) {
    return [member](const RunResult& run) {
      std::vector<std::string> column;
      for (const ParamRow& row : parameter_rows(run.scenario)) column.push_back(row.*member);
      return column;
    };
  };
  t.all<std::string>("name", "", "dotted parameter path", rows(&ParamRow::path));
  t.all<std::string>("value", "", "resolved value as text", rows(&ParamRow::value));
  t.all<std::string>("units", "", "units of the value", rows(&ParamRow::units));
  t.all<std::string>("description", "", "meaning", rows(&ParamRow::description));
  t.all<std::string>("source", "", "where the value comes from: the sources of a dated series' entries; empty "
                                   "for others", rows(&ParamRow::source));
}

void practice_attributes(Table& t) {
  using R = const RunResult&;
  using I = std::size_t;
  t.all<std::string>("code", "", "ODS practice code", [](R r) { return r.world.practices.code; });
  t.each<std::string>("commissioner", "", "CCG / sub-ICB location code", [](R r, I i) {
    return r.world.commissioners[r.world.practices.commissioner[i]].code;
  });
  t.all<double>("list_size", "patients",
                "registered patients at the end of the run (0 = merged or closed; each evaluation's in "
                "evaluation_list_size)",
                [](R r) { return r.world.practices.list_size; });
  t.all<double>("x_km", "km", "OS grid easting", [](R r) { return r.world.practices.x_km; });
  t.all<double>("y_km", "km", "OS grid northing", [](R r) { return r.world.practices.y_km; });
  t.each<std::int32_t>("location_source", "",
                       "0 = postcode district centroid + jitter, 1 = commissioner centroid + jitter, 2 = synthetic, "
                       "3 = full postcode",
                       [](R r, I i) { return r.world.practices.location_source[i]; });
  t.each<std::int32_t>("site", "", "site id: practices at one postcode share a site (one building)",
                       [](R r, I i) { return r.world.practices.site[i]; });
  t.all<std::string>("rural_urban_class", "",
                     "ONS 2011 rural-urban class of the practice's LSOA (A1-C2 urban, D1-E2 rural), empty = unknown",
                     [](R r) { return r.world.practices.rural_urban_class; });
  t.all<double>("imd_score", "score", "IMD 2019 score of the registered population",
                [](R r) { return r.world.practices.imd_score; });
  t.each<std::int32_t>("imd_imputed", "", "1 = no score in the input, commissioner mean used",
                       [](R r, I i) { return r.world.practices.imd_imputed[i]; });
}

void practice_synthesised(Table& t) {
  using R = const RunResult&;
  using I = std::size_t;
  t.all<double>("share_65_plus", "1", "share of patients aged 65+ (synthesised)",
                [](R r) { return r.world.practices.share_65_plus; });
  t.all<double>("needs_index", "1", "weighted list / list (synthesised; a merger's partner takes the list-weighted mean)",
                [](R r) { return r.world.practices.needs_index; });
  t.all<double>("gp_fte", "FTE", "qualified GP full-time equivalents (synthesised), at the end of the run",
                [](R r) { return r.world.practices.gp_fte; });
  t.all<double>("nurse_fte", "FTE", "practice nurse full-time equivalents (synthesised), at the end of the run",
                [](R r) { return r.world.practices.nurse_fte; });
  t.each<std::int32_t>("rural", "",
                       "1 = rural: rural-urban class D or E, or, where the class is unknown, isolated (third-nearest "
                       "practice beyond the threshold)",
                       [](R r, I i) { return r.world.practices.rural[i]; });
  t.each<std::int32_t>("care_home_beds", "beds", "care-home beds aligned to the practice (synthesised)",
                       [](R r, I i) { return r.world.practices.care_home_beds[i]; });
  t.each<std::int32_t>("federation", "", "federation id, -1 = none (synthesised)",
                       [](R r, I i) { return r.world.practices.federation[i]; });
  t.each<std::int32_t>("super_partnership", "", "super-partnership id, -1 = none (synthesised)",
                       [](R r, I i) { return r.world.practices.super_partnership[i]; });
  t.all<double>("autonomy_gbp_per_patient", "GBP/patient/year", "latent autonomy preference (sign-up)",
                [](R r) { return r.world.practices.autonomy_gbp_per_patient; });
}

void practice_table(std::vector<TableOutput>& out) {
  using R = const RunResult&;
  using I = std::size_t;
  Table t(out, "/practices", "practice", "population", practice_count);
  practice_attributes(t);
  practice_synthesised(t);
  Table m(out, "/practices", "practice", "signup, formation, dynamics", practice_count);
  m.each<std::int32_t>("signed_up", "", "1 = signed the Network DES (at the last sign-up of the run)",
                       [](R r, I i) { return r.world.signed_up[i]; });
  m.each<std::int32_t>("covering_network", "",
                       "network covering the practice's patients (its own, or the nearest for non-signers)",
                       [](R r, I i) { return r.world.covering_network[i]; });
  m.grid<std::int32_t>("network", {"evaluation", "practice"}, "",
                       "network id per evaluation (rows: formation, then each 1 April re-evaluation) and practice "
                       "(columns); -1 = not in a network",
                       [](R r) {
                         return rows_of<std::int32_t>(r.membership, r.world.practices.size(), [](const auto& snap) {
                           return std::vector<std::int32_t>(snap.network_of.begin(), snap.network_of.end());
                         });
                       });
  m.grid<double>("evaluation_list_size", {"evaluation", "practice"}, "patients",
                 "registered patients per evaluation (rows as in network) and practice", [](R r) {
                   return rows_of<double>(r.membership, r.world.practices.size(),
                                          [](const auto& snap) { return snap.list_size; });
                 });
  Table c(out, "/practices", "practice", "practice_changes", practice_count);
  c.each<std::int32_t>("ceased_step", "week", "week the practice merged into another or closed, -1 = still open",
                       [](R r, I i) { return r.world.ceased_step[i]; });
  Table e(out, "/practices", "evaluation", "formation, dynamics");
  e.all<std::string>("network_time", "date", "date of each row of /practices/network", [](R r) {
    std::vector<std::string> dates;
    for (const auto& snap : r.membership) dates.push_back(snap.date.iso());
    return dates;
  });
}

void network_formation_columns(Table& t) {
  using R = const RunResult&;
  using I = std::size_t;
  t.each<std::int32_t>("id", "", "network id", [](R r, I i) { return r.world.networks[i].id; });
  t.each<std::string>("commissioner", "", "commissioner code",
                      [](R r, I i) { return r.world.commissioners[r.world.networks[i].commissioner].code; });
  t.all<double>("list_size", "patients", "registered patients of member practices at formation",
                [](R r) { return network_sizes_at_formation(r).list_size; });
  t.all<double>("weighted_list_size", "patients", "needs-weighted list at formation",
                [](R r) { return network_sizes_at_formation(r).weighted_list_size; });
  t.all<std::int32_t>("practices", "practices", "member practices at formation",
                      [](R r) { return network_sizes_at_formation(r).practices; });
  t.each<std::string>("lead_practice", "", "nominated payee (largest member)",
                      [](R r, I i) { return r.world.practices.code[r.world.networks[i].lead_practice]; });
  t.each<std::string>("hosting_model", "", "flat, lead_practice, federation or super_practice",
                      [](R r, I i) { return std::string(to_string(r.world.networks[i].hosting)); });
  t.each<std::int32_t>("approved_under_size", "", "1 = under the size threshold, approved by the commissioner",
                       [](R r, I i) { return r.world.networks[i].approved_under_size; });
  t.each<std::string>("formed_time", "date", "date of the evaluation that formed it (a row of /practices/network_time)",
                      [](R r, I i) { return r.membership[membership_row(r, r.world.networks[i].formed_step)].date.iso(); });
}

void network_history_columns(Table& t) {
  using R = const RunResult&;
  using I = std::size_t;
  t.all<std::string>("employer", "", "ARRS employer: lead_practice, federation or community_trust",
                     [](R r) { return r.employers; });
  t.each<std::int32_t>("parent", "", "network it split from (mechanism 9); -1 = formed in 2019 or by a lone joiner",
                       [](R r, I i) { return r.world.networks[i].parent; });
  t.each<std::string>("ended_time", "date", "week the network merged into another or dissolved; empty while live",
                      [](R r, I i) { return date_of_step(r, r.world.networks[i].ended_step); });
  t.each<std::int32_t>("successor", "", "network that took most of its patients when it ended; -1 = none",
                       [](R r, I i) { return r.world.networks[i].successor; });
  t.each<std::string>("end_reason", "", "why it ended (merged or dissolved, with the gain in Phi or the vacancy and trust)",
                      [](R r, I i) { return r.world.networks[i].end_reason; });
  t.each<std::int32_t>("final_practices", "practices", "member practices at the end of the run (0 once ended)",
                       [](R r, I i) { return r.world.networks[i].members.size(); });
  t.each<double>("final_list_size", "patients", "registered patients of member practices at the end of the run",
                 [](R r, I i) { return r.world.network_list_size(r.world.networks[i]); });
}

void network_table(std::vector<TableOutput>& out) {
  Table formed(out, "/networks", "network", "formation", network_count);
  network_formation_columns(formed);
  Table history(out, "/networks", "network", "arrs, dynamics", network_count);
  network_history_columns(history);
  Table trust(out, "/networks", "network", "dynamics");
  trust.grid<double>("mean_affinity", {"evaluation", "network"}, "",
                     "mean affinity of member pairs (trust, with collaboration history) at each evaluation (rows as "
                     "/practices/network); NaN where the network did not exist",
                     [](const RunResult& r) {
                       const std::size_t nets = r.world.networks.size();
                       return rows_of<double>(r.membership, nets, [&](const MembershipSnapshot& snap) {
                         std::vector<double> row(nets, std::nan(""));
                         std::copy(snap.mean_affinity.begin(), snap.mean_affinity.end(), row.begin());
                         for (std::size_t k = 0; k < nets && k < snap.mean_affinity.size(); ++k) {
                           const Network& net = r.world.networks[k];
                           if (net.ended_step >= 0 && net.ended_step <= snap.step) row[k] = std::nan("");
                         }
                         return row;
                       });
                     });
}

void network_event_table(std::vector<TableOutput>& out) {
  using R = const RunResult&;
  using I = std::size_t;
  Table t(out, "/network_events", "event", "dynamics", [](R r) { return r.network_events.size(); });
  t.each<std::int32_t>("step", "week", "step of the re-evaluation", [](R r, I i) { return r.network_events.step[i]; });
  t.each<std::string>("time", "date", "date of the re-evaluation week",
                      [](R r, I i) { return date_of_step(r, r.network_events.step[i]); });
  t.each<std::string>("kind", "", "exit, join, switch, merge, split, dissolution, approval or conflict",
                      [](R r, I i) { return std::string(to_string(r.network_events.kind[i])); });
  t.each<std::int32_t>("network", "", "network the event happened to (row of /networks)",
                       [](R r, I i) { return r.network_events.network[i]; });
  t.each<std::int32_t>("other_network", "",
                       "switch or merge target, split-off network, or the network a joiner came from; -1 = none",
                       [](R r, I i) { return r.network_events.other[i]; });
  t.each<std::string>("practice", "", "ODS code of the practice concerned; empty for whole-network events",
                      [](R r, I i) {
                        const int k = r.network_events.practice[i];
                        return k < 0 ? std::string() : r.world.practices.code[k];
                      });
  t.all<std::string>("reason", "", "why, with the gain in Phi where a move raised it",
                     [](R r) { return r.network_events.reason; });
}

void practice_event_table(std::vector<TableOutput>& out) {
  using R = const RunResult&;
  using I = std::size_t;
  const auto code = [](R r, int k) { return k < 0 ? std::string() : r.world.practices.code[k]; };
  Table t(out, "/practice_events", "event", "practice_changes", [](R r) { return r.practice_events.size(); });
  t.each<std::int32_t>("step", "week", "step of the 1 April re-evaluation", [](R r, I i) { return r.practice_events.step[i]; });
  t.each<std::string>("time", "date", "date of the re-evaluation week",
                      [](R r, I i) { return date_of_step(r, r.practice_events.step[i]); });
  t.each<std::string>("kind", "", "merger or closure",
                      [](R r, I i) { return std::string(to_string(r.practice_events.kind[i])); });
  t.each<std::string>("practice", "", "ODS code of the practice that stopped existing",
                      [code](R r, I i) { return code(r, r.practice_events.practice[i]); });
  t.each<std::string>("receiver", "", "ODS code of the practice that took the patients (a closure has one row per receiver)",
                      [code](R r, I i) { return code(r, r.practice_events.receiver[i]); });
  t.all<double>("patients", "patients", "patients moved to the receiver", [](R r) { return r.practice_events.patients; });
  t.all<double>("gp_fte", "FTE", "GP FTE moved with them (0 for a closure: its GPs leave)",
                [](R r) { return r.practice_events.gp_fte; });
  t.each<std::int32_t>("network", "", "the ceased practice's network then (row of /networks), -1 = none",
                       [](R r, I i) { return r.practice_events.network[i]; });
  t.each<std::int32_t>("receiver_network", "", "the receiver's network then, -1 = none",
                       [](R r, I i) { return r.practice_events.receiver_network[i]; });
  t.all<std::string>("reason", "", "why", [](R r) { return r.practice_events.reason; });
}

void finance_network_table(std::vector<TableOutput>& out) {
  Table t(out, "/finance/network", "network", "arrs, funding, iif");
  const auto money = [&t](const std::string& name, const std::string& description, auto value) {
    t.grid<std::int64_t>(name, {"year", "network"}, "pence", description, [value](const RunResult& r) {
      return rows_of<std::int64_t>(r.finance.arrs, r.weekly.networks, [&](const std::vector<NetworkYearMoney>& year) {
        std::vector<std::int64_t> row;
        for (const auto& m : year) row.push_back(value(m));
        return row;
      });
    });
  };
  money("arrs_ceiling_pence", "ARRS ceiling (allocated, after any redistribution) per year and network",
        [](const NetworkYearMoney& m) { return m.ceiling; });
  money("arrs_claimed_pence", "ARRS reimbursement claimed", [](const NetworkYearMoney& m) { return m.claimed; });
  money("arrs_unclaimed_pence", "ARRS ceiling not claimed, lost at year end",
        [](const NetworkYearMoney& m) { return m.unclaimed(); });
  money("arrs_redistributed_pence", "ceiling moved by the commissioner (+ received, - given up)",
        [](const NetworkYearMoney& m) { return m.redistributed; });
  for (int line = 0; line < kFundingLines; ++line) {
    t.grid<std::int64_t>(std::string(kFundingLineNames[line]) + "_pence", {"year", "network"}, "pence",
                         std::string("DES payments in the year: ") + kFundingLineNames[line], [line](const RunResult& r) {
                           return rows_of<std::int64_t>(r.finance.lines, r.weekly.networks, [&](const auto& year) {
                             std::vector<std::int64_t> row;
                             for (std::size_t n = 0; n < r.weekly.networks; ++n) row.push_back(year[n * kFundingLines + line]);
                             return row;
                           });
                         });
  }
  t.grid<std::int32_t>("iif_indicators_achieved", {"year", "network"}, "indicators",
                       "IIF indicators achieved in the year (-1 = year not finished)", [](const RunResult& r) {
                         return rows_of<std::int32_t>(r.finance.iif_achieved, r.weekly.networks, [](const auto& year) {
                           return std::vector<std::int32_t>(year.begin(), year.end());
                         });
                       });
}

void finance_table(std::vector<TableOutput>& out) {
  using R = const RunResult&;
  Table years(out, "/finance", "year", "funding");
  years.all<std::int32_t>("year", "", "financial year (2019 = 2019/20)", [](R r) { return r.finance.years; });
  finance_network_table(out);
  Table t(out, "/finance/national", "year", "arrs");
  const auto national = [&t](const std::string& name, const std::string& units, const std::string& description,
                             double (*value)(const ArrsYearTotals&)) {
    t.all<double>(name, units, description, [value](R r) {
      std::vector<double> column;
      for (const ArrsYearTotals& year : arrs_year_totals(r.finance)) column.push_back(value(year));
      return column;
    });
  };
  national("arrs_ceiling_gbp", "GBP", "sum of ARRS ceilings per year", [](const ArrsYearTotals& y) { return to_gbp(y.ceiling); });
  national("arrs_claimed_gbp", "GBP", "ARRS claimed per year", [](const ArrsYearTotals& y) { return to_gbp(y.claimed); });
  national("arrs_unclaimed_gbp", "GBP", "ARRS unclaimed per year",
           [](const ArrsYearTotals& y) { return to_gbp(y.unclaimed()); });
  national("arrs_unclaimed_share", "1", "unclaimed / ceiling per year",
           [](const ArrsYearTotals& y) { return y.unclaimed_share(); });
}

void clinical_director_table(std::vector<TableOutput>& out) {
  using R = const RunResult&;
  using I = std::size_t;
  Table axes(out, "/clinical_directors", "cd_source", "cd_workload");
  axes.all<std::string>("sources", "", "sources of CD demand, the last axis of /networks/weekly/cd_hours",
                        [](R) { return std::vector<std::string>(kCdSourceNames.begin(), kCdSourceNames.end()); });
  Table t(out, "/clinical_directors", "clinical_director", "cd_workload",
          [](R r) { return r.clinical_directors.network.size(); });
  t.each<std::int32_t>("network", "", "network id", [](R r, I k) { return r.clinical_directors.network[k]; });
  t.each<std::string>("practice", "", "ODS code of the CD's practice",
                      [](R r, I k) { return r.world.practices.code[r.clinical_directors.practice[k]]; });
  t.each<std::string>("start_time", "date", "first week in post",
                      [](R r, I k) { return date_of_step(r, r.clinical_directors.start_step[k]); });
  t.each<std::string>("end_time", "date", "week of resignation; empty while in post",
                      [](R r, I k) { return date_of_step(r, r.clinical_directors.end_step[k]); });
  t.each<std::int32_t>("tenure_weeks", "weeks", "weeks in post (to the end of the run if still in post)", [](R r, I k) {
    const CdRecords& cd = r.clinical_directors;
    return (cd.end_step[k] < 0 ? r.calendar.steps() : cd.end_step[k]) - cd.start_step[k];
  });
  t.all<std::string>("end_reason", "", "resigned, network ended or practice left the network; empty while in post",
                     [](R r) { return r.clinical_directors.end_reason; });
}

void commissioner_table(std::vector<TableOutput>& out) {
  using R = const RunResult&;
  using I = std::size_t;
  Table t(out, "/commissioners", "commissioner", "population, formation",
          [](R r) { return r.world.commissioners.size(); });
  const auto stat = [](R r, I i, auto member) { return i < r.formation_stats.size() ? r.formation_stats[i].*member : 0; };
  t.each<std::string>("code", "", "CCG / sub-ICB location code", [](R r, I i) { return r.world.commissioners[i].code; });
  t.each<std::int32_t>("practices", "practices", "practices of the commissioner",
                       [](R r, I i) { return r.world.commissioners[i].members.size(); });
  t.each<double>("potential_after_construction", "", "formation potential Phi after construction and merges",
                 [stat](R r, I i) { return stat(r, i, &FormationStats::potential_after_construction); });
  t.each<double>("potential_final", "", "formation potential Phi after improvement moves",
                 [stat](R r, I i) { return stat(r, i, &FormationStats::potential_final); });
  t.each<std::int32_t>("improvement_moves", "moves", "accepted single-practice moves",
                       [stat](R r, I i) { return stat(r, i, &FormationStats::improvement_moves); });
  t.each<std::int32_t>("merges", "merges", "under-size networks merged during construction",
                       [stat](R r, I i) { return stat(r, i, &FormationStats::merges); });
}

void relationship_and_event_tables(std::vector<TableOutput>& out) {
  using R = const RunResult&;
  using I = std::size_t;
  Table g(out, "/relationships", "edge", "relationships");
  g.all<std::int32_t>("source", "", "practice index (row of /practices)", [](R r) { return graph_edges(*r.graph).source; });
  g.all<std::int32_t>("target", "", "practice index (row of /practices)", [](R r) { return graph_edges(*r.graph).target; });
  g.all<double>("affinity", "", "affinity a_ij of the pair", [](R r) { return graph_edges(*r.graph).affinity; });
  g.all<std::int32_t>("kinds", "", "bit set: 1 = k-nearest, 2 = spanning tree, 4 = relationship tie",
                      [](R r) { return graph_edges(*r.graph).kinds; });
  Table e(out, "/events", "event", "engine (timeline)", [](R r) { return r.events.size(); });
  e.each<std::string>("time", "date", "date of the event", [](R r, I i) { return r.events[i].date.iso(); });
  e.each<std::int32_t>("step", "week", "step of the event", [](R r, I i) { return r.events[i].step; });
  e.each<std::string>("name", "", "what happened", [](R r, I i) { return r.events[i].name; });
  Table roles(out, "/arrs", "role", "arrs");
  roles.all<std::string>("roles", "", "ARRS roles, the last axis of /networks/weekly/arrs_wte",
                         [](R) { return std::vector<std::string>(kArrsRoles.begin(), kArrsRoles.end()); });
  Table drivers(out, "/arrs", "readiness_driver", "arrs");
  drivers.all<std::string>("readiness_drivers", "", "drivers of recruitment readiness, the last axis of "
                           "/networks/weekly/arrs_readiness_drivers",
                           [](R) { return std::vector<std::string>(kReadinessDrivers.begin(), kReadinessDrivers.end()); });
}

}  // namespace

const std::vector<TableOutput>& run_tables() {
  static const std::vector<TableOutput> tables = [] {
    std::vector<TableOutput> out;
    parameter_table(out);
    practice_table(out);
    network_table(out);
    network_event_table(out);
    practice_event_table(out);
    finance_table(out);
    clinical_director_table(out);
    commissioner_table(out);
    relationship_and_event_tables(out);
    return out;
  }();
  return tables;
}

namespace {

// The layout of the national series, their summaries and the key outcomes.
void declare_series_layout(OutputCatalogue& c) {
  const std::string engine = "engine (recorder)";
  c.add({"/series/<name>/step", {"step"}, Dtype::int32, "week", "step index", engine});
  c.add({"/series/<name>/time", {"step"}, Dtype::text, "date", "first day of the step", engine});
  c.add({"/series/<name>/value", {"step"}, Dtype::float64, "(the series')",
         "the series' values (an ensemble: [replicate, step]); units and description as the series", engine});
  for (const char* what : {"mean", "median", "p10", "p90"}) {
    c.add({std::string("/summary/<name>/") + what, {"step"}, Dtype::float64, "(the series')",
           std::string("ensembles only: the series' ") + what + " across replicates", "ensemble"});
  }
  const std::string metrics = "metrics (key outcomes)";
  c.add({"/outcomes/name", {"outcome"}, Dtype::text, "", "key outcome (columns of /outcomes/value)", metrics});
  c.add({"/outcomes/units", {"outcome"}, Dtype::text, "", "units of each outcome", metrics});
  c.add({"/outcomes/description", {"outcome"}, Dtype::text, "", "meaning", metrics});
  c.add({"/outcomes/value", {"replicate", "outcome"}, Dtype::float64, "",
         "[replicate, outcome]; units in /outcomes/units", metrics});
  c.add({"/replicates/seed", {"replicate"}, Dtype::int64, "",
         "seed of each replicate (replicate 0 uses the scenario seed)", "ensemble"});
}

}  // namespace

const OutputCatalogue& run_file_catalogue() {
  static const OutputCatalogue catalogue = [] {
    OutputCatalogue c;
    for (const TableOutput& t : run_tables()) c.add(t.info);
    for (const WeeklyOutput& w : model_outputs().weekly) c.add(w.info);
    for (const SeriesOutput& s : model_outputs().series) c.add(s.info);
    declare_series_layout(c);
    return c;
  }();
  return catalogue;
}

namespace {

constexpr const char* kSchemaIntro = R"(# Output schema (format_version 1)

Generated by `pcnsim outputs --markdown` from the output registry: every dataset
is declared once, by the mechanism (`models/`) or module (`sim/io/run_tables.cpp`,
the recorder, the key outcomes) that produces it, and the writer takes each
dataset's `units` and `description` attributes from that declaration (a test
keeps this file current). This page describes run and ensemble files; sweep
files (`pcnsim sweep`) are described in `docs/sweeps.md`.

One HDF5 file per run, written to a temporary file beside the target and renamed
into place when complete. Every dataset is gzip-compressed (level
`output.gzip_level`, default 1, or `pcnsim run --compression LEVEL`, 0 = none;
numbers are byte-shuffled first) with explicit chunks, and carries `units` and
`description` attributes. The weekly `[step, network]` and `[step, practice]`
arrays are chunked along time per entity, so reading one entity's series touches
few chunks. Object modification times are not stored, so two runs with the same
seed give identical datasets (only the root attribute `created` differs).
Strings are fixed-length, null-padded UTF-8 (h5py returns `bytes`: use
`.asstr()[:]`, which decodes UTF-8 such as the "£" of a description, where
numpy's `.astype(str)` accepts only ASCII); the long text attributes are
variable-length UTF-8 strings.

Per-network arrays have a column for every network ever formed (row = id of
`/networks`); weeks before a network formed or after it ended hold zeros (find
them with `/networks/formed_time` and `/networks/ended_time`). Practices are
sorted by commissioner code, then practice code.

## Root attributes

| attribute | type | meaning |
|---|---|---|
| `format_version` | int64 | layout version of this file (1) |
| `software_version` | string | `pcnsim` version + git hash |
| `created` | string | UTC time the file was written (ISO 8601) |
| `seed` | int64 | scenario seed |
| `replicate` | int64 | replicate index (0 for a single run) |
| `replicates`, `ensemble` | int64 | replicates in the file, and 1 for an ensemble (`pcnsim run --replicates N`) |
| `scenario_name` | string | scenario `name` |
| `scenario_yaml` | string | the fully resolved scenario (every parameter); `pcnsim run` accepts it as a scenario file |
| `population_source` | string | `england` or `synthetic` |
| `mechanisms_on`, `mechanisms_off` | string | which mechanisms ran (comma-separated; `none` when nothing was off) |
| `synthesised_attributes` | string | which practice attributes were synthesised rather than read |

## Datasets

Axes name what each dimension counts: `step` (week), `practice`, `network`,
`commissioner`, `evaluation` (formation, then each 1 April re-evaluation: the
rows of `/practices/network`), `year` (financial year, the rows of
`/finance/year`), `role` (`/arrs/roles`), `readiness_driver`
(`/arrs/readiness_drivers`), `cd_source` (`/clinical_directors/sources`), `replicate`, `outcome`. `/series/<name>` is a
group of `step`, `time` and `value`, one per national series listed below.
)";

constexpr const char* kSchemaEnsembles = R"(
## Ensembles (`pcnsim run --replicates N`)

Root attributes `ensemble` = 1 and `replicates` = N (a single run has 0 and 1).
Every `/series/<name>/value` is float64 [replicate, step]; `step` and `time`
are as for a single run. `/summary/<name>/{mean,median,p10,p90}` (float64
[step], same units) summarise across replicates (percentiles with linear
interpolation, as numpy's default and R's type 7). Everything else (practices,
networks, weekly arrays, finance, clinical directors, events) is replicate 0's,
identical to a single run with the scenario seed.

## Key outcomes (`/outcomes`)

The numbers `pcnsim compare` reads: the columns of `/outcomes/value`, one row
per replicate. Those marked per year repeat for each financial year `YYYY_YY`
the networks are live in.

| outcome | units | meaning |
|---|---|---|
)";

}  // namespace

void output_schema_markdown(std::ostream& out) {
  out << kSchemaIntro;
  run_file_catalogue().markdown(out);
  out << kSchemaEnsembles;
  for (const OutcomeDeclaration& o : key_outcome_declarations()) {
    out << "| `" << o.name << "` | " << (o.units.empty() ? "-" : o.units) << " | " << o.description
        << (o.per_year ? " (per year)" : "") << " |\n";
  }
}

h5::DatasetOptions dataset_options(const OutputInfo& info, int gzip_level) {
  return h5::DatasetOptions{info.units, info.description, gzip_level, 0};
}

void write_table(h5::File& file, const TableOutput& table, const RunResult& run, int gzip_level) {
  const TableData data = table.build(run);
  std::visit(
      [&](const auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if (dtype_of<T>() != table.info.dtype) {
          throw std::logic_error(table.info.path + ": built as " + to_string(dtype_of<T>()) + ", declared " +
                                 to_string(table.info.dtype));
        }
        const auto options = dataset_options(table.info, gzip_level);
        if (data.shape.empty()) {
          file.write(table.info.path, values, options);
        } else {
          file.write(table.info.path, values, data.shape, options);
        }
      },
      data.values);
}

}  // namespace pcnsim
