#pragma once
// Independent oracles: the rules of the model written out again from the
// model design, separately from the model's code, so that a test checks the
// model against a second reading of the rule rather than against itself.
// Nothing here calls a helper of models/ or sim/ beyond the plain data types
// (Date, DatedSeries entries, the relationship graph's edge list); the
// mutation check (scripts/mutate.sh) relies on that.
#include <boost/graph/adjacency_list.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/world.hpp"

namespace oracle {

using pcnsim::Date;

/// Value of a dated series in force on `d`: that of the latest entry dated on
/// or before `d`; 0 before the first entry.
inline double value_on(const pcnsim::DatedSeries& series, Date d) {
  double value = 0.0;
  Date latest{-1000000};
  for (const auto& e : series.entries) {
    if (e.from.days <= d.days && e.from.days >= latest.days) {
      latest = e.from;
      value = e.value;
    }
  }
  return value;
}

/// Financial year (1 April to 31 March) named by the year it starts in.
inline int financial_year(Date d) { return d.month() >= 4 ? d.year() : d.year() - 1; }

inline bool leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

/// 366 when the year's March holds a 29 February before it, else 365.
inline int days_in_financial_year(int fy) { return leap(fy + 1) ? 366 : 365; }

/// GBP to whole pence, halves away from zero.
inline std::int64_t pence(double gbp) { return std::llround(gbp * 100.0); }

/// One week's accrual (7 days) of a line worth `annual_gbp` a year, in pence.
inline std::int64_t week_of(double annual_gbp, int fy) { return pence(annual_gbp * 7.0 / days_in_financial_year(fy)); }

/// Members of each network (ascending practice ids) from a per-practice
/// network column (-1 = none), without the model's reconstruction.
inline std::map<int, std::vector<int>> groups(const std::vector<int>& network_of) {
  std::map<int, std::vector<int>> out;
  for (std::size_t i = 0; i < network_of.size(); ++i) {
    if (network_of[i] >= 0) out[network_of[i]].push_back(static_cast<int>(i));
  }
  return out;
}

/// Undirected adjacency lists read straight from the graph's edge list.
template <class Graph>
std::vector<std::vector<int>> adjacency(const Graph& graph) {
  std::vector<std::vector<int>> adj(boost::num_vertices(graph));
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    const int s = static_cast<int>(boost::source(*it, graph)), t = static_cast<int>(boost::target(*it, graph));
    adj[s].push_back(t);
    adj[t].push_back(s);
  }
  return adj;
}

/// True when `members` induce one connected subgraph: breadth-first search
/// from the first member through edges whose both ends are members.
inline bool connected(const std::vector<int>& members, const std::vector<std::vector<int>>& adj) {
  if (members.empty()) return false;
  std::map<int, bool> reached;
  for (int m : members) reached[m] = false;
  std::vector<int> queue{members.front()};
  reached[members.front()] = true;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    for (int next : adj[queue[head]]) {
      auto it = reached.find(next);
      if (it != reached.end() && !it->second) {
        it->second = true;
        queue.push_back(next);
      }
    }
  }
  return queue.size() == members.size();
}

/// Problems with a partition: each network connected in the graph and inside
/// one commissioner, each signed practice in exactly one network. Empty when
/// valid; one line per problem otherwise.
template <class Graph>
std::vector<std::string> partition_problems(const std::vector<int>& network_of, const std::vector<std::uint8_t>& signed_up,
                                            const std::vector<int>& commissioner_of, const Graph& graph) {
  std::vector<std::string> problems;
  const auto adj = adjacency(graph);
  for (const auto& [id, members] : groups(network_of)) {
    if (!connected(members, adj)) problems.push_back("network " + std::to_string(id) + " is not connected");
    for (int m : members) {
      if (commissioner_of[m] != commissioner_of[members.front()]) {
        problems.push_back("network " + std::to_string(id) + " crosses commissioners");
        break;
      }
    }
  }
  for (std::size_t i = 0; i < network_of.size(); ++i) {
    if ((network_of[i] >= 0) != (signed_up[i] != 0)) {
      problems.push_back("practice " + std::to_string(i) + (signed_up[i] ? " signed but in no network" : " in a network but not signed"));
    }
  }
  return problems;
}

/// The coalition game's potential Phi of one commissioner's partition, as the
/// model design writes it: over each network, the sum over member pairs of
/// affinity - g_pair - g_size * (list_i/1000) * (list_j/1000); plus
/// bonus_viable for a network at or above the size threshold, minus
/// penalty_under_size for a network of several practices below it.
/// `affinity(i, j)` is the pair's affinity (checked on its own terms elsewhere).
template <class AffinityFn, class FormationParams>
double potential(const std::vector<int>& network_of, const std::vector<int>& commissioner_of, int commissioner,
                 const std::vector<double>& list_size, const AffinityFn& affinity, const FormationParams& params) {
  std::map<int, std::vector<int>> members;
  for (std::size_t i = 0; i < network_of.size(); ++i) {
    if (network_of[i] >= 0 && commissioner_of[i] == commissioner) members[network_of[i]].push_back(static_cast<int>(i));
  }
  double phi = 0.0;
  for (const auto& [id, m] : members) {
    double list = 0.0;
    for (std::size_t a = 0; a < m.size(); ++a) {
      list += list_size[m[a]];
      for (std::size_t b = a + 1; b < m.size(); ++b) {
        phi += affinity(m[a], m[b]) - params.g_pair - params.g_size * (list_size[m[a]] / 1000.0) * (list_size[m[b]] / 1000.0);
      }
    }
    if (list >= params.size_threshold_patients) {
      phi += params.bonus_viable;
    } else if (m.size() > 1) {
      phi -= params.penalty_under_size;
    }
  }
  return phi;
}

}  // namespace oracle
