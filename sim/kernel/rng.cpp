#include "pcnsim/kernel/rng.hpp"

#include <cmath>
#include <numbers>

namespace pcnsim {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

namespace {
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}
}  // namespace

std::uint64_t stream_seed(std::uint64_t seed, std::string_view purpose, std::uint64_t replicate,
                          std::uint64_t salt) {
  std::uint64_t h = mix64(seed);
  h = mix64(h ^ fnv1a(purpose));
  h = mix64(h ^ replicate);
  return mix64(h ^ salt);
}

Engine make_stream(std::uint64_t seed, std::string_view purpose, std::uint64_t replicate,
                   std::uint64_t salt) {
  return Engine(stream_seed(seed, purpose, replicate, salt));
}

double hash_uniform(std::uint64_t stream, std::uint64_t a, std::uint64_t b) {
  const std::uint64_t h = mix64(mix64(stream ^ mix64(a)) ^ b);
  // 53 random bits, shifted by half a unit so the result is never 0 or 1.
  return (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;
}

double hash_normal(std::uint64_t stream, std::uint64_t a, std::uint64_t b) {
  // Box-Muller on two independent counter-based uniforms.
  const double u1 = hash_uniform(stream, a, b);
  const double u2 = hash_uniform(mix64(stream + 1), a, b);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace pcnsim
