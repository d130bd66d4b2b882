#include "common/log.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"

namespace slayer {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kTs = "2026-11-23T10:00:00.123Z";

std::string Logfmt(std::string_view msg, LogFields fields = {}) {
  return FormatLogLine(LogFormat::kLogfmt, kTs, LogLevel::kInfo, msg, fields);
}
std::string Json(std::string_view msg, LogFields fields = {}) {
  return FormatLogLine(LogFormat::kJson, kTs, LogLevel::kInfo, msg, fields);
}

TEST(LogFormatTest, LogfmtMatchesTheSpecExample) {
  EXPECT_EQ(Logfmt("poll done", {{"instance", "prod"}, {"duration_seconds", 0.012}}),
            "ts=2026-11-23T10:00:00.123Z level=info msg=\"poll done\" instance=prod "
            "duration_seconds=0.012");
}

TEST(LogFormatTest, LogfmtQuotesOnlyWhenNeeded) {
  EXPECT_EQ(Logfmt("started"), "ts=2026-11-23T10:00:00.123Z level=info msg=started");
  EXPECT_EQ(Logfmt("m", {{"a", "plain"},
                         {"b", "two words"},
                         {"c", "k=v"},
                         {"d", "say \"hi\""},
                         {"e", ""},
                         {"f", "back\\slash"},
                         {"g", "größe"}}),
            "ts=2026-11-23T10:00:00.123Z level=info msg=m a=plain b=\"two words\" c=\"k=v\" "
            "d=\"say \\\"hi\\\"\" e=\"\" f=back\\slash g=größe");
}

TEST(LogFormatTest, LogfmtEscapesControlCharactersAndBadUtf8) {
  EXPECT_EQ(Logfmt("m", {{"err", "line1\nline2\ttab\r"},
                         {"bell", std::string_view("\x07", 1)},
                         {"quoted_slash", "a \\ b"},
                         {"bad", std::string_view("ab\xff", 3)}}),
            "ts=2026-11-23T10:00:00.123Z level=info msg=m err=\"line1\\nline2\\ttab\\r\" "
            "bell=\"\\u0007\" quoted_slash=\"a \\\\ b\" bad=\"ab\\ufffd\"");
}

TEST(LogFormatTest, LogfmtReplacesCharactersThatBreakKeys) {
  EXPECT_EQ(Logfmt("m", {{"bad key=x", 1}, {"", 2}}),
            "ts=2026-11-23T10:00:00.123Z level=info msg=m bad_key_x=1 _=2");
}

TEST(LogFormatTest, WritesNumbersBoolsAndDurationsBare) {
  const std::string s = "text";
  EXPECT_EQ(Logfmt("m", {{"int", -42},
                         {"size", size_t{7}},
                         {"big", std::numeric_limits<uint64_t>::max()},
                         {"ratio", 0.5},
                         {"yes", true},
                         {"no", false},
                         {"wait", 1500ms},
                         {"nan", std::nan("")},
                         {"inf", std::numeric_limits<double>::infinity()},
                         {"str", s}}),
            "ts=2026-11-23T10:00:00.123Z level=info msg=m int=-42 size=7 "
            "big=18446744073709551615 ratio=0.5 yes=true no=false wait=1.5 nan=NaN inf=+Inf "
            "str=text");
}

TEST(LogFormatTest, JsonIsOneObjectPerLine) {
  EXPECT_EQ(Json("poll done", {{"instance", "prod"}, {"duration_seconds", 0.012}, {"ok", true}}),
            "{\"ts\":\"2026-11-23T10:00:00.123Z\",\"level\":\"info\",\"msg\":\"poll done\","
            "\"instance\":\"prod\",\"duration_seconds\":0.012,\"ok\":true}");
}

TEST(LogFormatTest, JsonEscapesStringsAndQuotesNonFiniteNumbers) {
  EXPECT_EQ(Json("a \"b\"\n", {{"k\"ey", std::string_view("\x01\\\xc3", 3)},
                               {"inf", -std::numeric_limits<double>::infinity()},
                               {"n", 3}}),
            "{\"ts\":\"2026-11-23T10:00:00.123Z\",\"level\":\"info\",\"msg\":\"a \\\"b\\\"\\n\","
            "\"k\\\"ey\":\"\\u0001\\\\\\ufffd\",\"inf\":\"-Inf\",\"n\":3}");
}

TEST(LogParseTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("info"), LogLevel::kInfo);
  EXPECT_EQ(*ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("error"), LogLevel::kError);
  EXPECT_EQ(*ParseLogFormat("logfmt"), LogFormat::kLogfmt);
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
}

TEST(LogParseTest, RejectsUnknownValuesNamingThem) {
  Result<LogLevel> level = ParseLogLevel("verbose");
  ASSERT_FALSE(level);
  EXPECT_EQ(level.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(level.error().message(),
            "unknown log level \"verbose\" (accepted: debug, info, warn, error)");
  Result<LogFormat> format = ParseLogFormat("text");
  ASSERT_FALSE(format);
  EXPECT_EQ(format.error().message(), "unknown log format \"text\" (accepted: logfmt, json)");
  EXPECT_FALSE(ParseLogLevel("INFO"));
  EXPECT_FALSE(ParseLogLevel(""));
}

class FixedClock final : public Clock {
 public:
  explicit FixedClock(Timestamp now) : now_(now) {}
  Timestamp Now() const override { return now_; }
  std::chrono::steady_clock::time_point Monotonic() const override { return {}; }

 private:
  Timestamp now_;
};

// Captures the global logger's output; restores the defaults afterwards.
class LoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSink([this](std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(line);
    });
    SetLogClock(&clock_);
  }
  void TearDown() override {
    SetLogSink(nullptr);
    SetLogClock(nullptr);
    SetLogLevel(LogLevel::kInfo);
    SetLogFormat(LogFormat::kLogfmt);
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

  FixedClock clock_{std::chrono::sys_days(std::chrono::year(2026) / 11 / 23) + 10h + 123456us};
  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(LoggerTest, WritesThroughTheSinkWithTheClocksTime) {
  LogInfo("poll done", {{"instance", "prod"}});
  EXPECT_EQ(lines(), std::vector<std::string>{
                         "ts=2026-11-23T10:00:00.123Z level=info msg=\"poll done\" instance=prod"});
}

TEST_F(LoggerTest, FiltersByLevel) {
  EXPECT_EQ(GetLogLevel(), LogLevel::kInfo);
  LogDebug("hidden");
  LogInfo("shown");
  SetLogLevel(LogLevel::kWarn);
  EXPECT_FALSE(LogEnabled(LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled(LogLevel::kError));
  LogInfo("hidden");
  LogWarn("warned");
  LogError("failed");
  SetLogLevel(LogLevel::kDebug);
  Log(LogLevel::kDebug, "debugged");
  std::vector<std::string> got = lines();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_NE(got[0].find("level=info msg=shown"), std::string::npos);
  EXPECT_NE(got[1].find("level=warn msg=warned"), std::string::npos);
  EXPECT_NE(got[2].find("level=error msg=failed"), std::string::npos);
  EXPECT_NE(got[3].find("level=debug msg=debugged"), std::string::npos);
}

TEST_F(LoggerTest, SwitchesToJson) {
  SetLogFormat(LogFormat::kJson);
  EXPECT_EQ(GetLogFormat(), LogFormat::kJson);
  LogWarn("db down", {{"instance", "prod"}});
  EXPECT_EQ(lines(),
            std::vector<std::string>{"{\"ts\":\"2026-11-23T10:00:00.123Z\",\"level\":"
                                     "\"warn\",\"msg\":\"db down\",\"instance\":\"prod\"}"});
}

TEST_F(LoggerTest, LinesFromManyThreadsStayWhole) {
  constexpr int kThreads = 8;
  constexpr int kLines = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) {
        LogInfo("tick", {{"thread", t}, {"i", i}, {"text", "some words to format"}});
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<std::string> got = lines();
  ASSERT_EQ(got.size(), size_t{kThreads * kLines});
  for (const std::string& line : got) {
    ASSERT_TRUE(line.starts_with("ts=2026-11-23T10:00:00.123Z level=info msg=tick thread="))
        << line;
    ASSERT_TRUE(line.ends_with(" text=\"some words to format\"")) << line;
  }
}

}  // namespace
}  // namespace slayer
