#include "airflow/task_instance_state.h"

#include <gtest/gtest.h>

#include "airflow/dag_run_state.h"

namespace slayer::airflow {
namespace {

TEST(TaskInstanceStateTest, ParsesEveryStateAndKeepsNullAndUnknownApart) {
  for (const char* name : {"scheduled", "queued", "running", "success", "restarting", "failed",
                           "up_for_retry", "up_for_reschedule", "upstream_failed", "skipped",
                           "deferred", "removed", "shutdown", "sensing"}) {
    TaskInstanceState s = ParseTaskInstanceState(std::string_view(name));
    EXPECT_NE(s, TaskInstanceState::kUnknown) << name;
    EXPECT_EQ(TaskInstanceStateName(s), name);
  }
  EXPECT_EQ(ParseTaskInstanceState(std::nullopt), TaskInstanceState::kNone);
  EXPECT_EQ(TaskInstanceStateName(TaskInstanceState::kNone), "none");
  EXPECT_EQ(ParseTaskInstanceState(std::string_view("exploded")), TaskInstanceState::kUnknown);
  EXPECT_EQ(ParseTaskInstanceState(std::string_view("")), TaskInstanceState::kUnknown);
  EXPECT_EQ(ParseTaskInstanceState(std::string_view("SUCCESS")), TaskInstanceState::kUnknown);
}

TEST(TaskInstanceStateTest, TerminalSetsFollowAirflow) {
  using S = TaskInstanceState;
  for (S s : {S::kSuccess, S::kFailed, S::kSkipped, S::kUpstreamFailed, S::kRemoved}) {
    EXPECT_TRUE(IsFinished(s)) << TaskInstanceStateName(s);
  }
  for (S s : {S::kNone, S::kScheduled, S::kQueued, S::kRunning, S::kRestarting, S::kUpForRetry,
              S::kUpForReschedule, S::kDeferred, S::kShutdown, S::kSensing, S::kUnknown}) {
    EXPECT_FALSE(IsFinished(s)) << TaskInstanceStateName(s);
  }
  EXPECT_TRUE(IsSuccessLike(S::kSuccess));
  EXPECT_TRUE(IsSuccessLike(S::kSkipped));
  EXPECT_FALSE(IsSuccessLike(S::kRemoved));
  EXPECT_TRUE(IsFailureLike(S::kFailed));
  EXPECT_TRUE(IsFailureLike(S::kUpstreamFailed));
  EXPECT_FALSE(IsFailureLike(S::kUpForRetry));
  // The SQL IN-list of unfinished states is exactly the non-NULL unfinished known states.
  for (std::string_view name : UnfinishedStateNames()) {
    S s = ParseTaskInstanceState(name);
    EXPECT_NE(s, S::kUnknown) << name;
    EXPECT_FALSE(IsFinished(s)) << name;
  }
  EXPECT_EQ(UnfinishedStateNames().size(), 9u);
}

TEST(DagRunStateTest, ParsesStates) {
  EXPECT_EQ(ParseDagRunState(std::string_view("queued")), DagRunState::kQueued);
  EXPECT_EQ(ParseDagRunState(std::string_view("running")), DagRunState::kRunning);
  EXPECT_EQ(ParseDagRunState(std::string_view("success")), DagRunState::kSuccess);
  EXPECT_EQ(ParseDagRunState(std::string_view("failed")), DagRunState::kFailed);
  EXPECT_EQ(ParseDagRunState(std::nullopt), DagRunState::kNone);
  EXPECT_EQ(ParseDagRunState(std::string_view("paused")), DagRunState::kUnknown);
  EXPECT_TRUE(IsFinished(DagRunState::kSuccess));
  EXPECT_TRUE(IsFinished(DagRunState::kFailed));
  EXPECT_FALSE(IsFinished(DagRunState::kRunning));
  EXPECT_EQ(DagRunStateName(DagRunState::kQueued), "queued");
}

}  // namespace
}  // namespace slayer::airflow
