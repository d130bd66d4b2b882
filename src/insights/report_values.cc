#include "insights/report_values.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace slayer::insights {

using Json = nlohmann::ordered_json;

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

std::string NumberText(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

std::string PercentText(std::optional<double> fraction, int decimals, bool round_up) {
  if (!fraction) return "-";
  double unit = 1.0;  // 10^decimals, exact
  for (int i = 0; i < decimals; ++i) unit *= 10.0;
  const double scaled = *fraction * (unit * 100.0);
  // The epsilon absorbs binary noise (0.1 * 1000 is not exactly 100); max() keeps "-0.0%" out.
  const double units =
      std::max(0.0, round_up ? std::ceil(scaled - 1e-9) : std::floor(scaled + 1e-9));
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.*f%%", decimals, units / unit);
  return buf;
}

std::string RoundedDuration(Duration d) {
  return FormatDuration(std::chrono::round<std::chrono::seconds>(d));
}

Json NullableJson(std::optional<double> v) { return v ? Json(*v) : Json(nullptr); }

Json StatsJson(const LatenessStats& s) {
  if (s.count == 0) {
    return Json{{"mean", nullptr}, {"p50", nullptr}, {"p95", nullptr}, {"max", nullptr}};
  }
  return Json{{"mean", Seconds(s.mean)},
              {"p50", Seconds(s.p50)},
              {"p95", Seconds(s.p95)},
              {"max", Seconds(s.max)}};
}

}  // namespace slayer::insights
