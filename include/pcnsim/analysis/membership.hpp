#pragma once
// How well a simulated partition of practices into networks agrees with the
// real one: the real membership (NHS Digital ePCN "core partner" layout),
// partition-agreement indices (ARI, NMI), rank correlation, map metrics of one
// partition, and a naive geographic baseline (k-means per commissioner) that
// any mechanism worth its keep should beat.
//
// Labels are ints per practice; -1 (any negative label) means "not in a
// network" (not signed up, not in the real file, left out). Where two
// partitions are compared an item counts only where BOTH labels are >= 0.
// Label values carry no meaning beyond equality, so every measure here is
// invariant to renumbering networks.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

/// One row of a real membership file: a practice and the network it belongs to.
struct MembershipRow {
  std::string practice_code;  // ODS code, e.g. A81001
  std::string pcn_code;       // e.g. U89141
  int line = 0;               // 1-based line in the file
};

/// A real membership file, one row per practice, in file order.
struct RealMembership {
  std::string file;
  std::vector<MembershipRow> rows;
};

/// Reads a membership file. Required columns (case-insensitive):
/// practice_code (or "Partner Organisation Code") and pcn_code (or "PCN Code");
/// others are ignored. Throws InputError listing every problem: missing or
/// empty file, malformed CSV or non-UTF-8 bytes, missing columns, empty codes,
/// a practice listed twice (both lines named), no rows at all.
RealMembership read_membership(const std::string& path);
/// Same, from the file's text (tests, fuzzing); `file` names it in messages.
RealMembership parse_membership(const std::string& text, const std::string& file);

/// Per practice index: a dense real-network index 0..K-1, numbered in order of
/// first appearance by ascending practice index, or -1 when the practice is not
/// in the file. Codes match exactly (the CSV reader has trimmed them). Codes in
/// the file that are not practices of the population are appended, sorted, to
/// *unknown_codes when it is not null: not an error (closed or dormant
/// practices are left out of the population), the caller counts them.
std::vector<int> real_network_of(const RealMembership& m, const Practices& p,
                                 std::vector<std::string>* unknown_codes);

/// Adjusted Rand index (Hubert & Arabie 1985) from the contingency table:
/// (index - expected) / (max - expected) with index = sum C(n_ij, 2),
/// expected = sum C(a_i, 2) * sum C(b_j, 2) / C(n, 2), max = mean of the two
/// marginal sums. 1 for identical partitions, about 0 for independent ones,
/// may be negative. The denominator is 0 only when both partitions are the
/// same trivial one (every item in one cluster, or every item alone, or fewer
/// than 2 items used): they then agree perfectly and the result is defined as
/// 1.0 (as scikit-learn does). Throws std::invalid_argument if sizes differ.
double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b);

/// Normalised mutual information, MI / ((H(a) + H(b)) / 2), natural logs
/// (scikit-learn's default arithmetic normalisation), in [0, 1]. Degenerate
/// cases: when both partitions put every used item in one cluster (including
/// one or no items) both entropies are 0 and the result is defined as 1.0;
/// when only one of them does, MI is 0 and so is the result.
/// Throws std::invalid_argument if sizes differ.
double normalised_mutual_information(const std::vector<int>& a, const std::vector<int>& b);

/// Spearman rank correlation: Pearson correlation of the ranks, tied values
/// sharing their average rank. Pairs where either value is NaN are left out.
/// NaN when fewer than 2 pairs remain or either side has zero variance.
/// Throws std::invalid_argument if sizes differ.
double spearman_correlation(const std::vector<double>& x, const std::vector<double>& y);

/// Map metrics of one partition (`network_of` per practice, -1 = excluded;
/// the metrics that group by commissioner also leave out practices whose
/// commissioner index is negative). Keys:
///   together_nearest: share of networked practices whose nearest other
///     networked practice of the same commissioner (Euclidean on x_km, y_km,
///     ties to the lower index) is in the same network;
///   together_district: share of unordered pairs of networked practices of the
///     same commissioner and postcode district (outward code) in the same network;
///   together_site: the same for pairs with the identical full postcode;
///   km_to_centroid_median, km_to_centroid_p90: distance of each networked
///     practice to its network's centroid (unweighted mean of its members);
///   networks_per_commissioner: mean over commissioners with a networked
///     practice of the number of distinct networks among their practices.
/// A share, quantile or mean with nothing to measure is NaN. Postcodes are
/// compared upper-cased with whitespace removed; the district is the text
/// before the space (or all but the 3-character inward code when there is no
/// space); an empty postcode is in no district or site.
/// Throws std::invalid_argument if network_of.size() != p.size().
std::map<std::string, double> map_metrics(const Practices& p, const std::vector<int>& network_of);

/// Agreement of a simulated partition with the real one, over practices with
/// real >= 0 (and, where both partitions are compared, simulated >= 0). Keys:
///   ari_per_commissioner: mean over commissioners of the ARI within the
///     commissioner, weighted by the practices used (a commissioner with one
///     practice used scores 1 by the ARI's definition);
///   ari_overall: ARI over all practices used;
///   nmi: normalised mutual information over all practices used;
///   spearman_networks_per_commissioner: across commissioners with real data,
///     simulated vs real number of distinct networks among those practices
///     (a practice with no simulated network adds none to the simulated count).
/// The per-commissioner keys leave out practices with a negative commissioner
/// index. NaN where nothing is compared. Throws std::invalid_argument on size
/// mismatch.
std::map<std::string, double> agreement_metrics(const Practices& p, const std::vector<int>& simulated,
                                                const std::vector<int>& real);

}  // namespace pcnsim
