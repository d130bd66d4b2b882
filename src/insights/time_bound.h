// The bounds of a history window as `slayer report --since/--until` and the API's since= and
// until= take them: a duration back from now ("30d", "1h30m") or an instant (RFC 3339). Pure.
#pragma once

#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace slayer::insights {

// "30d" -> now - 30d; "2026-11-01T00:00:00Z" (or "+01:00", or a fraction) -> that instant;
// "2026-11-01" -> its midnight UTC.
// Errors (kInvalidArgument) quote the text and show both forms; callers prefix the flag or
// parameter name.
Result<Timestamp> ParseTimeBound(std::string_view text, Timestamp now);

}  // namespace slayer::insights
