// DagClass (src/app/dag_class.cc): the schedule frequency label of airflow_schedule_delay_seconds.
#include "app/dag_class.h"

#include <gtest/gtest.h>

#include <chrono>

namespace slayer::app {
namespace {

using namespace std::chrono_literals;

TEST(DagClassTest, NamesAreTheLabelValues) {
  EXPECT_EQ(DagClassName(DagClass::kSubHourly), "sub_hourly");
  EXPECT_EQ(DagClassName(DagClass::kHourly), "hourly");
  EXPECT_EQ(DagClassName(DagClass::kDaily), "daily");
  EXPECT_EQ(DagClassName(DagClass::kOther), "other");
}

TEST(DagClassTest, ShortestGapOfCronsPresetsAndDurations) {
  struct Case {
    const char* schedule;
    std::optional<Duration> gap;
  };
  for (const Case& c : std::vector<Case>{
           {"*/5 * * * *", 5min},
           {"* * * * *", 1min},
           {"@hourly", 1h},
           {"0 * * * *", 1h},
           {"15,45 * * * *", 30min},
           {"0 0,20 * * *", 4h},  // 20:00 to midnight
           {"0 */2 * * *", 2h},
           {"@daily", 24h},
           {"0 9 * * MON-FRI", 24h},  // Friday to Monday is 72 h; the shortest gap is a day
           {"@weekly", std::chrono::days(7)},
           {"0 0 1 * *", std::chrono::days(28)},  // February
           {"@monthly", std::chrono::days(28)},
           {"0 0 * 2 *", 24h},  // daily, in February only
           {"1h", 1h},
           {"1h30m", 90min},
           {"1d", 24h},
           {"0:30:00", 30min},  // 3.x timetable_summary of a timedelta
           {"1 day, 0:00:00", 24h},
           {"2 days, 12:00:00", 60h},
           {"@once", std::nullopt},
           {"@continuous", std::nullopt},
           {"Asset", std::nullopt},
           {"Dataset", std::nullopt},
           {"0 0 30 2 *", std::nullopt},  // never
           {"", std::nullopt},
       }) {
    EXPECT_EQ(ScheduleShortestGap(c.schedule), c.gap) << c.schedule;
  }
}

TEST(DagClassTest, ClassesByShortestGap) {
  auto cls = [](std::optional<std::string> s) { return ClassifySchedule(s); };
  EXPECT_EQ(cls("*/10 * * * *"), DagClass::kSubHourly);
  EXPECT_EQ(cls("59m"), DagClass::kSubHourly);
  EXPECT_EQ(cls("1h"), DagClass::kHourly);
  EXPECT_EQ(cls("@hourly"), DagClass::kHourly);
  EXPECT_EQ(cls("0 */6 * * *"), DagClass::kHourly);
  EXPECT_EQ(cls("23:59:59"), DagClass::kHourly);
  EXPECT_EQ(cls("@daily"), DagClass::kDaily);
  EXPECT_EQ(cls("0 9 * * MON-FRI"), DagClass::kDaily);
  EXPECT_EQ(cls("6 days, 23:00:00"), DagClass::kDaily);
  EXPECT_EQ(cls("@weekly"), DagClass::kOther);
  EXPECT_EQ(cls("@monthly"), DagClass::kOther);
  EXPECT_EQ(cls("@once"), DagClass::kOther);
  EXPECT_EQ(cls("Asset"), DagClass::kOther);
  EXPECT_EQ(cls(std::nullopt), DagClass::kOther);
}

}  // namespace
}  // namespace slayer::app
