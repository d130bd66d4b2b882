#include "insights/display_zone.h"

#include <date/date.h>
#include <date/tz.h>

#include <exception>

namespace slayer::insights {

// date::tz throws for unknown names and an unreadable database; both become values here.
Result<DisplayZone> DisplayZone::Make(std::string_view name) {
  try {
    (void)date::get_tzdb();
  } catch (const std::exception& e) {
    return FailedPreconditionError(std::string("time zone database unavailable: ") + e.what() +
                                   " (install the tzdata package)");
  }
  try {
    return DisplayZone(std::string(name), date::locate_zone(name));
  } catch (const std::exception&) {
    return InvalidArgumentError("unknown time zone '" + std::string(name) +
                                "' (use an IANA name such as UTC, Europe/Berlin or "
                                "America/New_York)");
  }
}

DisplayZone::Slot DisplayZone::SlotOf(Timestamp t) const {
  using std::chrono::floor;
  using std::chrono::seconds;
  Timestamp local = t;
  if (zone_ != nullptr) {
    local += static_cast<const date::time_zone*>(zone_)->get_info(floor<seconds>(t)).offset;
  }
  const auto day = floor<date::days>(local);
  const auto time_of_day = local - day;
  Slot slot;
  // iso_encoding: Monday 1 ... Sunday 7.
  slot.weekday = static_cast<int>(date::weekday(day).iso_encoding()) - 1;
  slot.hour = static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(time_of_day).count());
  return slot;
}

}  // namespace slayer::insights
