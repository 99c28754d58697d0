#pragma once
// The simulated world as plain data: practices (structure of arrays, index =
// practice id), commissioners, and the networks they form. Mechanisms in
// models/ read and write these; nothing here has behaviour beyond lookups.
#include <cstdint>
#include <string>
#include <vector>

namespace pcnsim {

/// Where a practice's location came from.
enum class LocationSource : std::uint8_t { postcode_district = 0, commissioner_centroid = 1, synthetic = 2, full_postcode = 3 };

struct Practices {
  // From the input file (or the synthetic generator).
  std::vector<std::string> code;          // ODS code, e.g. A81001
  std::vector<int> commissioner;          // index into World::commissioners
  std::vector<std::string> postcode;
  std::vector<double> list_size;          // registered patients
  std::vector<double> x_km, y_km;         // OS grid easting/northing in km
  std::vector<LocationSource> location_source;
  std::vector<int> site;                  // practices at one postcode share a site (one building)
  std::vector<std::string> rural_urban_class;  // ONS 2011 class of the practice's LSOA (A1..E2), "" when unknown
  std::vector<double> imd_score;          // IMD 2019 score of the registered population
  std::vector<std::uint8_t> imd_imputed;  // 1 when no score was given (commissioner mean used)
  // Synthesised from documented distributions (see models/population.hpp).
  std::vector<double> share_65_plus;      // share of patients aged 65+
  std::vector<double> needs_index;        // weighted list / list; list-weighted mean 1
  std::vector<double> gp_fte;             // qualified GP full-time equivalents
  std::vector<double> nurse_fte;
  std::vector<std::uint8_t> rural;        // 1 when the practice is isolated (rural)
  std::vector<int> care_home_beds;
  std::vector<int> federation;            // -1 when not in a federation
  std::vector<int> super_partnership;     // -1 when not in a super-partnership
  std::vector<double> autonomy_gbp_per_patient;  // latent preference against joining (sign-up)

  std::size_t size() const { return code.size(); }
  void resize(std::size_t n);
};

struct Commissioner {
  std::string code;          // CCG / sub-ICB location code
  std::vector<int> members;  // practice ids, ascending
  double x_km = 0.0, y_km = 0.0;  // list-weighted centroid of located practices
};

/// Hosting (employment) model of a network [S3 ch.5].
enum class HostingModel : std::uint8_t { flat = 0, lead_practice = 1, federation = 2, super_practice = 3 };
const char* to_string(HostingModel model);

struct Network {
  int id = -1;
  int commissioner = -1;
  std::vector<int> members;     // practice ids, ascending
  int lead_practice = -1;       // nominated payee
  HostingModel hosting = HostingModel::flat;
  bool approved_under_size = false;  // commissioner approved a network under the size threshold
  int formed_step = 0;
  int parent = -1;      // network it split from (mechanism 9), -1 = formed in 2019
  int ended_step = -1;  // week it merged into another or dissolved, -1 = still live
  int successor = -1;   // network that took most of its patients when it ended
  std::string end_reason;  // merged or dissolved, and why
  bool live() const { return ended_step < 0; }
};

/// What a yearly re-evaluation changed, for mechanisms that keep per-network
/// state (ARRS staff, clinical directors, managers, money).
struct Reorganisation {
  int step = -1;
  std::vector<int> ended;    // networks that ended (merged or dissolved)
  std::vector<int> created;  // networks split off
  std::vector<int> parent;   // per created network: the network it split from
  std::vector<double> parent_share;  // per created network: its share of the parent's list before the split
  bool any() const { return !ended.empty() || !created.empty(); }
};

struct World {
  Practices practices;
  std::vector<Commissioner> commissioners;
  std::vector<std::uint8_t> signed_up;   // per practice: signed the Network DES
  std::vector<int> network_of;           // per practice: network id or -1
  std::vector<int> covering_network;     // per practice: the network covering its patients (non-signers too)
  std::vector<int> ceased_step;          // per practice: week it stopped existing (merged or closed), -1 while open
  std::vector<Network> networks;         // every network ever formed, index = id

  /// The practice still exists (has not merged into another or closed).
  bool is_open(std::size_t practice) const { return practice >= ceased_step.size() || ceased_step[practice] < 0; }
  /// Practices that still exist.
  int open_practices() const;
  double network_list_size(const Network& n) const;
  double network_weighted_list_size(const Network& n) const;
  /// Networks still live.
  int live_networks() const;
  /// Number of live networks of each commissioner (index = commissioner).
  std::vector<int> networks_per_commissioner() const;
};

}  // namespace pcnsim
