#include "airflow/version.h"

#include <gtest/gtest.h>

#include <set>

namespace slayer::airflow {
namespace {

TEST(VersionTest, MapsEveryListedRevisionToItsRelease) {
  // README section 1, verbatim.
  const std::pair<const char*, const char*> kTable[] = {
      {"2.0.0", "e959f08ac86c"},  {"2.0.1", "82b7c48c147f"},  {"2.0.2", "2e42bb497a22"},
      {"2.1.0", "a13f7613ad25"},  {"2.1.3", "97cdd93827b8"},  {"2.1.4", "ccde3e26fe78"},
      {"2.2.0", "7b2661a43ba3"},  {"2.2.3", "be2bfac3da23"},  {"2.2.4", "587bdf053233"},
      {"2.3.0", "b1b348e02d07"},  {"2.3.1", "1de7bc13c950"},  {"2.3.2", "3c94c427fdf6"},
      {"2.3.3", "f5fcbda3e651"},  {"2.4.0", "ecb43d2a1842"},  {"2.4.2", "b0d31815b5a6"},
      {"2.4.3", "e07f49787c9d"},  {"2.5.0", "290244fb8b83"},  {"2.6.0", "98ae134e6fff"},
      {"2.6.2", "c804e5c76e3e"},  {"2.7.0", "405de8318b3a"},  {"2.8.0", "10b52ebd31f7"},
      {"2.8.1", "88344c1d9134"},  {"2.9.0", "1949afb29106"},  {"2.9.2", "686269002441"},
      {"2.10.0", "22ed7efa9da2"}, {"2.10.3", "5f2621c13b39"}, {"3.0.0", "29ce7909c52b"},
      {"3.0.3", "fe199e1abd77"},  {"3.1.0", "cc92b33c6709"},  {"3.1.8", "509b94a1042d"},
      {"3.2.0", "6222ce48e289"},
  };
  ASSERT_EQ(KnownReleases().size(), std::size(kTable));
  std::set<std::string_view> revisions;
  for (const auto& [version, revision] : kTable) {
    auto v = VersionForRevision(revision);
    ASSERT_TRUE(v.has_value()) << revision;
    EXPECT_EQ(v->ToString(), version);
    EXPECT_EQ(HeadRevisionForVersion(*AirflowVersion::Parse(version)), revision) << version;
    revisions.insert(revision);
  }
  EXPECT_EQ(revisions.size(), std::size(kTable)) << "revisions are unique";
  for (size_t i = 1; i < KnownReleases().size(); ++i) {
    EXPECT_LT(KnownReleases()[i - 1].version, KnownReleases()[i].version) << "sorted";
  }
}

TEST(VersionTest, UnlistedReleaseHasTheHeadOfTheClosestLowerListedOne) {
  auto head = [](const char* v) { return HeadRevisionForVersion(*AirflowVersion::Parse(v)); };
  EXPECT_EQ(head("2.5.1"), "290244fb8b83");
  EXPECT_EQ(head("2.5.3"), "290244fb8b83");
  EXPECT_EQ(head("2.2.5"), "587bdf053233");
  EXPECT_EQ(head("2.10.5"), "5f2621c13b39");
  EXPECT_EQ(head("2.11.0"), "5f2621c13b39");
  EXPECT_EQ(head("2.11.1"), "5f2621c13b39");
  EXPECT_EQ(head("3.0.2"), "29ce7909c52b");
  EXPECT_EQ(head("3.0.6"), "fe199e1abd77");
  EXPECT_EQ(head("3.1.7"), "cc92b33c6709");
  EXPECT_EQ(head("3.1.9"), "509b94a1042d");
  EXPECT_EQ(head("3.3.0"), "6222ce48e289");
  EXPECT_EQ(head("1.10.15"), std::nullopt);
}

TEST(VersionTest, UnknownRevisionsAreNotGuessed) {
  EXPECT_EQ(VersionForRevision("ffffffffffff"), std::nullopt);
  EXPECT_EQ(VersionForRevision(""), std::nullopt);
  // Interim "3.1.0" heads of main and an unmerged branch (README section 1).
  for (const char* r :
       {"15d84ca19038", "eaf332f43c7c", "b12d4f98a91e", "2f49f2dae90c", "4bc4d934e2bc"}) {
    EXPECT_EQ(VersionForRevision(r), std::nullopt) << r;
  }
  // Case matters: alembic writes lower-case hex.
  EXPECT_EQ(VersionForRevision("5F2621C13B39"), std::nullopt);
}

TEST(VersionTest, ParsesAndFormatsVersions) {
  EXPECT_EQ(AirflowVersion::Parse("2.10.3"), (AirflowVersion{2, 10, 3}));
  EXPECT_EQ(AirflowVersion::Parse("3.1"), (AirflowVersion{3, 1, 0}));
  EXPECT_EQ(AirflowVersion::Parse("3"), (AirflowVersion{3, 0, 0}));
  for (const char* bad : {"", "3.x", "2.10.3rc1", "2..3", "1.2.3.4", "-1.0", "a"}) {
    EXPECT_EQ(AirflowVersion::Parse(bad), std::nullopt) << bad;
  }
  EXPECT_EQ((AirflowVersion{2, 9, 0}).ToString(), "2.9.0");
  EXPECT_LT((AirflowVersion{2, 9, 2}), (AirflowVersion{2, 10, 0}));
  EXPECT_LT((AirflowVersion{2, 1, 4}), kMinimumSupportedVersion);
}

}  // namespace
}  // namespace slayer::airflow
