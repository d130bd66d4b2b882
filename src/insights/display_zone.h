// DisplayZone: the time zone reports and charts bucket by (the config's `display_timezone`): it
// maps an instant to the local weekday and hour. Immutable; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace slayer::insights {

class DisplayZone {
 public:
  // The local weekday and hour of an instant. weekday: 0 = Monday ... 6 = Sunday (ISO 8601
  // order); hour: 0 to 23, the hour of the local wall clock (DST included).
  struct Slot {
    int weekday = 0;
    int hour = 0;
    friend bool operator==(const Slot&, const Slot&) = default;
  };

  // UTC, without reading the time zone database.
  DisplayZone() = default;
  // An IANA zone ("Europe/Berlin"; case-sensitive). Errors: kInvalidArgument "unknown time zone
  // 'X'", kFailedPrecondition when the system time zone database (tzdata) cannot be read.
  static Result<DisplayZone> Make(std::string_view name);

  Slot SlotOf(Timestamp t) const;
  const std::string& name() const { return name_; }

 private:
  DisplayZone(std::string name, const void* zone) : name_(std::move(name)), zone_(zone) {}
  std::string name_ = "UTC";
  const void* zone_ = nullptr;  // a date::time_zone* owned by the tz database; nullptr = UTC
};

}  // namespace slayer::insights
