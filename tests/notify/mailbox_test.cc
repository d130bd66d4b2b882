#include "notify/mailbox.h"

#include <gtest/gtest.h>

namespace slayer::notify {
namespace {

TEST(MailboxTest, ParsesBareAddress) {
  auto m = ParseMailbox("  oncall@example.com ");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->address, "oncall@example.com");
  EXPECT_EQ(m->display_name, "");
  EXPECT_EQ(m->ToHeaderText(), "oncall@example.com");
}

TEST(MailboxTest, ParsesNameAndAddress) {
  auto m = ParseMailbox("Data Team <data-team@example.com>");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->address, "data-team@example.com");
  EXPECT_EQ(m->display_name, "Data Team");
  EXPECT_EQ(m->ToHeaderText(), "\"Data Team\" <data-team@example.com>");

  auto quoted = ParseMailbox("\"Ops, \\\"EU\\\"\" <ops@example.com>");
  ASSERT_TRUE(quoted) << quoted.error().message();
  EXPECT_EQ(quoted->display_name, "Ops, \"EU\"");
}

TEST(MailboxTest, EncodesUtf8DisplayName) {
  auto m = ParseMailbox("\u00dcberwachung <alerts@example.com>");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->ToHeaderText().rfind("=?UTF-8?B?", 0), 0u) << m->ToHeaderText();
  EXPECT_NE(m->ToHeaderText().find(" <alerts@example.com>"), std::string::npos);
}

TEST(MailboxTest, RejectsWhatIsNotAnAddress) {
  for (const char* bad : {"", "oncall", "@example.com", "oncall@", "a@b@c", "two words@x.org",
                          "a,b@x.org", "Name <oncall>", "Name <a@b.c> trailing", "Name a@b.c>",
                          "\"Unbalanced <a@b.c>", "caf\xc3\xa9@example.com"}) {
    auto m = ParseMailbox(bad);
    ASSERT_FALSE(m) << bad;
    EXPECT_EQ(m.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(m.error().message().find("is not an e-mail address"), std::string::npos)
        << m.error().message();
  }
}

TEST(MailboxTest, RejectsLineBreaks) {
  auto m = ParseMailbox("a@example.com\r\nBcc: b@example.com");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("control character"), std::string::npos);
}

}  // namespace
}  // namespace slayer::notify
