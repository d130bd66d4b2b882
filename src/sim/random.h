// Rng: the simulator's deterministic random numbers (xoshiro256**), seeded from a 64-bit key so
// that each run, task or DAG draws from its own stream: the same seed and input give the same
// rows whatever order events are written in. Hash64 derives keys. Not thread-safe (a value).
// std:: distributions are not used: their output differs between standard libraries.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/time.h"

namespace slayer::sim {

// FNV-1a of `text` mixed into `h` (splitmix64 finaliser): Hash64(Hash64(seed, "a"), "b").
uint64_t Hash64(uint64_t h, std::string_view text);
uint64_t Hash64(uint64_t h, uint64_t value);

class Rng {
 public:
  explicit Rng(uint64_t key);

  uint64_t Next();
  // Uniform in [0, 1).
  double Uniform();
  // Uniform in [lo, hi].
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // True with probability p.
  bool Bernoulli(double p) { return p > 0 && Uniform() < p; }
  // Standard normal (Box-Muller).
  double Normal();
  // Exponential with the given mean.
  double Exponential(double mean);
  // A duration uniform in [lo, hi].
  Duration UniformDuration(Duration lo, Duration hi);
  // An integer uniform in [0, n).
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }

 private:
  uint64_t s_[4];
};

}  // namespace slayer::sim
