// FakeClock: a Clock that moves only when told to. Thread-safe.
#pragma once

#include <mutex>

#include "common/clock.h"

namespace slayer::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start) {}

  Timestamp Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  std::chrono::steady_clock::time_point Monotonic() const override {
    std::lock_guard lock(mu_);
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(elapsed_));
  }
  void Advance(Duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
    elapsed_ += d;
  }

 private:
  mutable std::mutex mu_;
  Timestamp now_;
  Duration elapsed_{std::chrono::hours(1)};
};

}  // namespace slayer::testing
