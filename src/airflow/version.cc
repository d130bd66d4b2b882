#include "airflow/version.h"

#include <charconv>

namespace slayer::airflow {
namespace {

// README section 1, in release order. Keep in step with Airflow's _REVISION_HEADS_MAP.
constexpr KnownRelease kReleases[] = {
    {{2, 0, 0}, "e959f08ac86c"},  {{2, 0, 1}, "82b7c48c147f"},  {{2, 0, 2}, "2e42bb497a22"},
    {{2, 1, 0}, "a13f7613ad25"},  {{2, 1, 3}, "97cdd93827b8"},  {{2, 1, 4}, "ccde3e26fe78"},
    {{2, 2, 0}, "7b2661a43ba3"},  {{2, 2, 3}, "be2bfac3da23"},  {{2, 2, 4}, "587bdf053233"},
    {{2, 3, 0}, "b1b348e02d07"},  {{2, 3, 1}, "1de7bc13c950"},  {{2, 3, 2}, "3c94c427fdf6"},
    {{2, 3, 3}, "f5fcbda3e651"},  {{2, 4, 0}, "ecb43d2a1842"},  {{2, 4, 2}, "b0d31815b5a6"},
    {{2, 4, 3}, "e07f49787c9d"},  {{2, 5, 0}, "290244fb8b83"},  {{2, 6, 0}, "98ae134e6fff"},
    {{2, 6, 2}, "c804e5c76e3e"},  {{2, 7, 0}, "405de8318b3a"},  {{2, 8, 0}, "10b52ebd31f7"},
    {{2, 8, 1}, "88344c1d9134"},  {{2, 9, 0}, "1949afb29106"},  {{2, 9, 2}, "686269002441"},
    {{2, 10, 0}, "22ed7efa9da2"}, {{2, 10, 3}, "5f2621c13b39"}, {{3, 0, 0}, "29ce7909c52b"},
    {{3, 0, 3}, "fe199e1abd77"},  {{3, 1, 0}, "cc92b33c6709"},  {{3, 1, 8}, "509b94a1042d"},
    {{3, 2, 0}, "6222ce48e289"},
};

bool ParseNumber(std::string_view text, int& out) {
  if (text.empty() || text.size() > 4 || text[0] < '0' || text[0] > '9') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<AirflowVersion> AirflowVersion::Parse(std::string_view text) {
  AirflowVersion v;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  size_t i = 0;
  for (; i < 3; ++i) {
    size_t dot = text.find('.');
    if (!ParseNumber(text.substr(0, dot), *parts[i])) return std::nullopt;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
    if (i == 2) return std::nullopt;  // a fourth component
  }
  return v;
}

std::string AirflowVersion::ToString() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::span<const KnownRelease> KnownReleases() { return kReleases; }

std::optional<AirflowVersion> VersionForRevision(std::string_view revision) {
  for (const KnownRelease& r : KnownReleases()) {
    if (r.head_revision == revision) return r.version;
  }
  return std::nullopt;
}

std::optional<std::string_view> HeadRevisionForVersion(const AirflowVersion& version) {
  std::optional<std::string_view> head;
  for (const KnownRelease& r : KnownReleases()) {
    if (r.version > version) break;
    head = r.head_revision;
  }
  return head;
}

}  // namespace slayer::airflow
