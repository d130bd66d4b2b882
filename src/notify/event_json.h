// The JSON object of an Event, for the .cc files of notify that put every field of an event
// into a larger document (the outbox payload, PagerDuty's custom_details). Internal to notify:
// it exposes nlohmann::json, which the module links privately. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "notify/event.h"

namespace slayer::notify::detail {

// Every field of `event` (keys and order of EventToJson).
nlohmann::ordered_json EventJsonObject(const Event& event);

}  // namespace slayer::notify::detail
