#pragma once
// Random streams. Every stochastic choice draws from a stream derived from
// (scenario seed, purpose, replicate), so adding a draw in one mechanism never
// shifts the numbers of another, and results do not depend on thread count.
// Boost.Random distributions are used because their output is specified by
// the algorithm, unlike std:: distributions, which differ between libraries.
#include <boost/random/mersenne_twister.hpp>

#include <cstdint>
#include <string_view>

namespace pcnsim {

using Engine = boost::random::mt19937_64;

/// SplitMix64 finaliser: a well-mixed 64-bit hash step.
std::uint64_t mix64(std::uint64_t x);
/// Seed for the stream (seed, purpose, replicate); `salt` separates sub-streams
/// of one purpose (e.g. one per commissioner) without string formatting.
std::uint64_t stream_seed(std::uint64_t seed, std::string_view purpose, std::uint64_t replicate,
                          std::uint64_t salt = 0);
/// An engine for the stream.
Engine make_stream(std::uint64_t seed, std::string_view purpose, std::uint64_t replicate,
                   std::uint64_t salt = 0);

/// Counter-based draws: a value determined only by (stream, a, b), whatever
/// the order of evaluation. Used for symmetric pair noise on the graph.
double hash_uniform(std::uint64_t stream, std::uint64_t a, std::uint64_t b);  // in (0, 1)
double hash_normal(std::uint64_t stream, std::uint64_t a, std::uint64_t b);   // N(0, 1)

}  // namespace pcnsim
