// Airflow releases and the alembic head revision each one leaves in `alembic_version`: the map
// of ../shared/airflow-schema/README.md section 1 (Airflow's own _REVISION_HEADS_MAP). A release
// that is not listed has the head of the closest lower listed release. Pure functions over a
// constant table; thread-safe.
#pragma once

#include <compare>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace slayer::airflow {

// A release number: 2.10.3 is {2, 10, 3}.
struct AirflowVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;

  // "2.10.3"; a missing patch or minor reads as 0 ("3.1" = 3.1.0). std::nullopt for anything
  // else ("", "3.x", "2.10.3rc1").
  static std::optional<AirflowVersion> Parse(std::string_view text);

  // "2.10.3".
  std::string ToString() const;

  friend auto operator<=>(const AirflowVersion&, const AirflowVersion&) = default;
};

// One row of the map: the first release whose database ends on `head_revision`.
struct KnownRelease {
  AirflowVersion version;
  std::string_view head_revision;
};

// The oldest release SLAyer reads (task_instance keyed by run_id).
inline constexpr AirflowVersion kMinimumSupportedVersion{2, 2, 0};

// Every listed release, oldest first (2.0.0 ... 3.2.0).
std::span<const KnownRelease> KnownReleases();

// The release whose head is `revision` (the lowest one when several share it, e.g. 2.10.3 for
// 5f2621c13b39, which 2.10.3 to 2.11.x all hold); std::nullopt for a revision not in the map
// (a newer release, a development build, a fork, or an intermediate migration).
std::optional<AirflowVersion> VersionForRevision(std::string_view revision);

// The head revision a database of release `version` holds: that of the closest lower listed
// release (2.5.2 -> 290244fb8b83). std::nullopt below the first listed release (2.0.0).
std::optional<std::string_view> HeadRevisionForVersion(const AirflowVersion& version);

}  // namespace slayer::airflow
