// Clock: the only way SLAyer code reads time (STYLE.md section 8), so tests can drive it.
// Implementations are thread-safe.
#pragma once

#include <chrono>

#include "common/time.h"

namespace slayer {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock UTC time, for deadlines and timestamps.
  virtual Timestamp Now() const = 0;
  // Monotonic time, for intervals and timeouts.
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
};

// The process's real clocks.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace slayer
