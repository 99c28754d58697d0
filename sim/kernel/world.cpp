#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

void Practices::resize(std::size_t n) {
  code.resize(n);
  commissioner.resize(n, -1);
  postcode.resize(n);
  list_size.resize(n, 0.0);
  x_km.resize(n, 0.0);
  y_km.resize(n, 0.0);
  location_source.resize(n, LocationSource::postcode_district);
  site.resize(n, -1);
  rural_urban_class.resize(n);
  imd_score.resize(n, 0.0);
  imd_imputed.resize(n, 0);
  share_65_plus.resize(n, 0.0);
  needs_index.resize(n, 1.0);
  gp_fte.resize(n, 0.0);
  nurse_fte.resize(n, 0.0);
  rural.resize(n, 0);
  care_home_beds.resize(n, 0);
  federation.resize(n, -1);
  super_partnership.resize(n, -1);
  autonomy_gbp_per_patient.resize(n, 0.0);
}

const char* to_string(HostingModel model) {
  switch (model) {
    case HostingModel::flat: return "flat";
    case HostingModel::lead_practice: return "lead_practice";
    case HostingModel::federation: return "federation";
    case HostingModel::super_practice: return "super_practice";
  }
  return "unknown";
}

int World::open_practices() const {
  int open = 0;
  for (std::size_t i = 0; i < practices.size(); ++i) open += is_open(i) ? 1 : 0;
  return open;
}

double World::network_list_size(const Network& n) const {
  double total = 0.0;
  for (int p : n.members) total += practices.list_size[p];
  return total;
}

double World::network_weighted_list_size(const Network& n) const {
  double total = 0.0;
  for (int p : n.members) total += practices.list_size[p] * practices.needs_index[p];
  return total;
}

std::vector<int> World::networks_per_commissioner() const {
  std::vector<int> count(commissioners.size(), 0);
  for (const auto& n : networks) count[n.commissioner] += n.live() ? 1 : 0;
  return count;
}

int World::live_networks() const {
  int count = 0;
  for (const auto& n : networks) count += n.live() ? 1 : 0;
  return count;
}

}  // namespace pcnsim
