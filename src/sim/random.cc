#include "sim/random.h"

#include <cmath>

namespace slayer::sim {
namespace {

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t Hash64(uint64_t h, std::string_view text) {
  uint64_t f = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    f ^= c;
    f *= 0x100000001b3ULL;
  }
  uint64_t x = h ^ f;
  return SplitMix(x);
}

uint64_t Hash64(uint64_t h, uint64_t value) {
  uint64_t x = h ^ (value * 0xff51afd7ed558ccdULL);
  return SplitMix(x);
}

Rng::Rng(uint64_t key) {
  for (auto& s : s_) s = SplitMix(key);
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

double Rng::Normal() {
  double u1 = Uniform();
  double u2 = Uniform();
  if (u1 < 1e-300) u1 = 1e-300;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double Rng::Exponential(double mean) {
  double u = Uniform();
  return -std::log(1.0 - u) * mean;
}

Duration Rng::UniformDuration(Duration lo, Duration hi) {
  if (hi <= lo) return lo;
  return lo + Duration(static_cast<int64_t>(Below(static_cast<uint64_t>((hi - lo).count()) + 1)));
}

}  // namespace slayer::sim
