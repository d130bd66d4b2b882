#include "notify/email_message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fakes/timestamps.h"
#include "notify/example_events.h"
#include "notify/mail_reader.h"

namespace slayer::notify {
namespace {

using slayer::testing::ParsedMail;
using slayer::testing::ParseMail;

// The events of the examples in docs/notifications.md (the e-mail sample is the missed one).
Event MissedEvent() { return testing::ExampleMissed(); }
Event RecoveredEvent() { return testing::ExampleRecovered(); }

const Mailbox kFrom{"SLAyer", "slayer@example.com"};
const std::vector<Mailbox> kTo = {{"", "oncall@example.com"},
                                  {"Data Team", "data-team@example.com"}};

EmailMessage Compose(const Event& e, EmailTemplates templates = {}) {
  return ComposeEmail(e, kFrom, kTo, templates);
}

MessageTemplate Template(std::string_view text) {
  auto t = MessageTemplate::Parse(text);
  EXPECT_TRUE(t) << t.error().message();
  return std::move(*t);
}

TEST(EmailMessageTest, DefaultSubjectAndTextOfMissedEvent) {
  // docs/notifications.md#e-mail shows these two.
  EmailMessage m = Compose(MissedEvent());
  EXPECT_EQ(m.subject,
            "[SLAyer] missed: orders_daily run scheduled__2026-01-01T08:00:00+00:00 "
            "(rule orders-in-2h)");
  EXPECT_EQ(m.text,
            "orders_daily run scheduled__2026-01-01T08:00:00+00:00 missed its deadline "
            "(rule orders-in-2h, 12m past 10:00:00 UTC).\n"
            "\n"
            "DAG:          orders_daily\n"
            "Run:          scheduled__2026-01-01T08:00:00+00:00\n"
            "Logical date: 2026-01-01T08:00:00Z\n"
            "Rule:         orders-in-2h\n"
            "Severity:     critical\n"
            "Need-by:      2026-01-01T10:00:00Z\n"
            "Overdue:      12m\n"
            "Instance:     prod\n"
            "Labels:       team=data\n"
            "Link:         https://airflow.example.com/dags/orders_daily/grid?dag_run_id="
            "scheduled__2026-01-01T08%3A00%3A00%2B00%3A00\n"
            "\n"
            "Sent by SLAyer. Event key: "
            "prod/orders-in-2h/orders_daily/scheduled__2026-01-01T08:00:00+00:00//#missed\n");
}

TEST(EmailMessageTest, DefaultSubjectAndTextOfRecoveredTaskEvent) {
  Event e = RecoveredEvent();
  e.task_id = "load";
  e.url.clear();
  e.labels.clear();
  e.logical_date.reset();
  EmailMessage m = Compose(e);
  EXPECT_EQ(m.subject,
            "[SLAyer] recovered: orders_daily task load run "
            "scheduled__2026-01-01T08:00:00+00:00 (rule orders-in-2h)");
  EXPECT_NE(m.text.find(" finished 40m late (rule orders-in-2h"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("\nTask:         load\n"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("\nLate by:      40m\n"), std::string::npos) << m.text;
  EXPECT_EQ(m.text.find("Overdue"), std::string::npos) << m.text;
  EXPECT_EQ(m.text.find("Link"), std::string::npos) << m.text;
}

TEST(EmailMessageTest, HeadersAndBothPartsAreWellFormed) {
  EmailMessage m = Compose(MissedEvent());
  ParsedMail mail = ParseMail(m.data);
  EXPECT_EQ(mail.problems, "");
  EXPECT_EQ(mail.headers["From"], "\"SLAyer\" <slayer@example.com>");
  EXPECT_EQ(mail.headers["To"], "oncall@example.com, \"Data Team\" <data-team@example.com>");
  EXPECT_EQ(mail.headers["Subject"], m.subject);
  EXPECT_EQ(mail.headers["Date"], "Thu, 01 Jan 2026 10:12:00 +0000");
  EXPECT_EQ(mail.headers["Message-ID"], EmailMessageId(MissedEvent().key));
  EXPECT_EQ(mail.headers["X-Slayer-Key"], MissedEvent().key);
  EXPECT_EQ(mail.headers["MIME-Version"], "1.0");
  EXPECT_EQ(mail.headers["Auto-Submitted"], "auto-generated");
  EXPECT_EQ(mail.headers["Content-Type"].rfind("multipart/alternative; boundary=", 0), 0u);
  EXPECT_EQ(mail.parts["text/plain"], m.text);
  const std::string& html = mail.parts["text/html"];
  EXPECT_NE(html.find("<td>critical</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"" + MissedEvent().url + "\">"), std::string::npos) << html;
  // Headers stay within the recommended line length, except the key, which is one word (and
  // within the hard limit of 998).
  std::string head = m.data.substr(0, m.data.find("\r\n\r\n"));
  for (size_t start = 0, end; start < head.size(); start = end + 2) {
    end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    if (head.compare(start, 13, "X-Slayer-Key:") == 0) continue;
    EXPECT_LE(end - start, 78u) << head.substr(start, end - start);
  }
}

TEST(EmailMessageTest, MessageIdIsStableForTheSameKey) {
  EXPECT_EQ(EmailMessageId("prod/r/d/run//#missed"), EmailMessageId("prod/r/d/run//#missed"));
  EXPECT_NE(EmailMessageId("prod/r/d/run//#missed"), EmailMessageId("prod/r/d/run//#recovered"));
  std::string id = EmailMessageId("k");
  ASSERT_EQ(id.size(), 1 + 32 + 8);
  EXPECT_EQ(id.front(), '<');
  EXPECT_EQ(id.substr(33), "@slayer>");
  // SHA-256("k") = 8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a.
  EXPECT_EQ(id, "<8254c329a92850f6d539dd376f4816ee@slayer>");
  // Every attempt sends the very same bytes.
  EXPECT_EQ(Compose(MissedEvent()).data, Compose(MissedEvent()).data);
}

TEST(EmailMessageTest, HtmlPartEscapesEveryField) {
  Event e = MissedEvent();
  e.dag_id = "orders&<daily>";
  e.run_id = "manual__<script>alert('x')</script>";
  e.task_id = "t\"1\"";
  e.rule = "r<1>";
  e.labels = {{"team", "<b>data</b>"}};
  e.url = "https://airflow.example.com/dags?a=1&b=\"<x>\"";
  ParsedMail mail = ParseMail(Compose(e).data);
  const std::string& html = mail.parts["text/html"];
  EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<b>data"), std::string::npos) << html;
  EXPECT_EQ(html.find("orders&<"), std::string::npos) << html;
  EXPECT_NE(html.find("orders&amp;&lt;daily&gt;"), std::string::npos) << html;
  EXPECT_NE(html.find("manual__&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos)
      << html;
  EXPECT_NE(html.find("t&quot;1&quot;"), std::string::npos) << html;
  EXPECT_NE(html.find("team=&lt;b&gt;data&lt;/b&gt;"), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"https://airflow.example.com/dags?a=1&amp;b=&quot;&lt;x&gt;&quot;\""),
            std::string::npos)
      << html;
  // The plain-text part shows the values as they are.
  EXPECT_NE(mail.parts["text/plain"].find("manual__<script>"), std::string::npos);
}

TEST(EmailMessageTest, OnlyWebUrlsBecomeLinks) {
  Event e = MissedEvent();
  e.url = "javascript:alert(1)";
  const std::string html = ParseMail(Compose(e).data).parts["text/html"];
  EXPECT_EQ(html.find("href"), std::string::npos) << html;
  EXPECT_NE(html.find("javascript:alert(1)"), std::string::npos) << html;
}

TEST(EmailMessageTest, TemplatesOverrideSubjectAndBody) {
  EmailTemplates templates;
  templates.title = Template("{{kind}} {{dag_id}}\nfor {{labels.team}}");
  templates.text = Template("Team {{labels.team}}: <{{run_id}}> is {{overdue}} late.\n{{url}}\n");
  Event e = MissedEvent();
  EmailMessage m = Compose(e, templates);
  EXPECT_EQ(m.subject, "missed orders_daily for data");  // line breaks become spaces
  EXPECT_EQ(m.text,
            "Team data: <scheduled__2026-01-01T08:00:00+00:00> is 12m late.\n" + e.url + "\n");
  ParsedMail mail = ParseMail(m.data);
  EXPECT_EQ(mail.problems, "");
  EXPECT_EQ(mail.headers["Subject"], m.subject);
  EXPECT_EQ(mail.parts["text/plain"], m.text);
  const std::string& html = mail.parts["text/html"];
  EXPECT_NE(html.find("Team data: &lt;scheduled__2026-01-01T08:00:00+00:00&gt; is 12m late."),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<a href=\"" + e.url + "\">Open in Airflow</a>"), std::string::npos) << html;
  EXPECT_EQ(mail.headers["X-Slayer-Key"], e.key);
}

TEST(EmailMessageTest, NonAsciiSubjectIsEncodedWord) {
  Event e = MissedEvent();
  e.dag_id = "caf\xc3\xa9_daily";
  e.run_id = "manual__\xe2\x82\xac";
  EmailMessage m = Compose(e);
  ParsedMail mail = ParseMail(m.data);
  EXPECT_EQ(mail.problems, "");
  EXPECT_EQ(mail.raw_headers["Subject"].rfind("=?UTF-8?B?", 0), 0u) << mail.raw_headers["Subject"];
  EXPECT_EQ(mail.headers["Subject"],
            "[SLAyer] missed: caf\xc3\xa9_daily run manual__\xe2\x82\xac "
            "(rule orders-in-2h)");
  EXPECT_NE(mail.parts["text/plain"].find("DAG:          caf\xc3\xa9_daily"), std::string::npos);
  // The wire form is 7-bit.
  for (unsigned char c : m.data) ASSERT_LT(c, 0x80);
}

}  // namespace
}  // namespace slayer::notify
