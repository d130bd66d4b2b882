// UUIDs as Airflow 3 writes them: version 7 (time-ordered), drawn from the simulator's seeded
// Rng, and formatted per column type (README section 2 of the schema facts). Pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"
#include "sim/random.h"

namespace slayer::sim {

using Uuid = std::array<uint8_t, 16>;

// A UUIDv7 for time `t` (milliseconds) with 74 random bits from `rng`.
Uuid MakeUuid7(Timestamp t, Rng& rng);

// "0190f3e4-8c5a-7b2e-9f10-3a4b5c6d7e8f": PostgreSQL uuid text and 3.x task_instance.id.
std::string UuidWithDashes(const Uuid& u);
// "0190f3e48c5a7b2e9f103a4b5c6d7e8f": sqlalchemy_utils UUIDType(binary=False) on MySQL/SQLite.
std::string UuidHex(const Uuid& u);

// Reads either form back; std::nullopt when `text` is neither.
std::optional<Uuid> ParseUuid(std::string_view text);

}  // namespace slayer::sim
