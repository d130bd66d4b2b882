// Pool: one row of `slot_pool`. A value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

namespace slayer::airflow {

struct Pool {
  std::string name;
  int64_t slots = 0;              // -1 = unlimited; NULL reads as 0
  bool include_deferred = false;  // deferred tasks hold slots (2.7+; false before)
};

}  // namespace slayer::airflow
