// EmailChannel against a real SMTP server (tests/notify/smtp_sink.py on 127.0.0.1): plain,
// STARTTLS and smtps with a self-signed certificate made by the openssl CLI, AUTH, and the
// server's refusals.
#include "notify/email_channel.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "fakes/timestamps.h"
#include "integration/silent_listener.h"
#include "notify/email_message.h"
#include "notify/mail_reader.h"
#include "notify/smtp_sink.h"
#include "store/temp_dir.h"

namespace slayer::notify {
namespace {

using slayer::testing::ParsedMail;
using slayer::testing::ParseMail;
using slayer::testing::ReceivedMail;
using slayer::testing::SmtpSink;
using slayer::testing::SmtpSinkOptions;
using test::T;
using Outcome = DeliveryResult::Outcome;

constexpr char kPassword[] = "s3cret-Pa55word";

Event MissedEvent() {
  Event e;
  e.kind = EventKind::kMissed;
  e.item_key = "prod/orders-in-2h/orders_daily/manual__<a&b>//";
  e.key = e.item_key + "#missed";
  e.instance = "prod";
  e.rule = "orders-in-2h";
  e.severity = "critical";
  e.dag_id = "orders_daily";
  e.run_id = "manual__<a&b>";
  e.need_by = T("2026-01-01T02:00:00Z");
  e.event_time = T("2026-01-01T02:12:05Z");
  e.overdue_seconds = 725;
  e.labels = {{"team", "data"}};
  e.url = "https://airflow.example.com/dags/orders_daily/grid?dag_run_id=manual__%3Ca%26b%3E";
  return e;
}

Event RecoveredEvent() {
  Event e = MissedEvent();
  e.kind = EventKind::kRecovered;
  e.key = e.item_key + "#recovered";
  e.event_time = T("2026-01-01T02:31:40Z");
  e.overdue_seconds = 0;
  e.lateness_seconds = 1900;
  return e;
}

class EmailChannelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new slayer::testing::TempDir();
    std::string error;
    ASSERT_TRUE(slayer::testing::MakeSelfSignedCertificate(certs_->path(), error)) << error;
  }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  static std::string CertFile() { return certs_->path() / "cert.pem"; }
  static std::string KeyFile() { return certs_->path() / "key.pem"; }
  // `options` with the self-signed certificate: the sink offers STARTTLS, or is smtps.
  static SmtpSinkOptions WithTls(SmtpSinkOptions options = {}) {
    options.tls_cert = CertFile();
    options.tls_key = KeyFile();
    return options;
  }

  void TearDown() override {
    if (sink_) sink_->Stop();
  }

  // Starts the sink; the test fails when it cannot.
  SmtpSink& StartSink(SmtpSinkOptions options = {}) {
    sink_ = std::make_unique<SmtpSink>(std::move(options));
    std::string error;
    EXPECT_TRUE(sink_->Start(error)) << error;
    return *sink_;
  }

  static config::Channel Config(const std::string& url) {
    config::Channel c;
    c.name = "mail";
    c.type = config::ChannelType::kEmail;
    c.url = url;
    c.from = "SLAyer <slayer@example.com>";
    c.to = {"oncall@example.com", "Data Team <data-team@example.com>"};
    c.timeout = std::chrono::seconds(10);
    return c;
  }

  static std::unique_ptr<Channel> Make(const config::Channel& c) {
    auto channel = MakeEmailChannel(c);
    EXPECT_TRUE(channel) << channel.error().message();
    return channel ? std::move(*channel) : nullptr;
  }

  // What delivering MissedEvent() through the channel `c` describes gave; std::nullopt, with the
  // test failed, when the channel could not be made.
  static std::optional<DeliveryResult> SendMissed(const config::Channel& c) {
    std::unique_ptr<Channel> channel = Make(c);
    if (!channel) return std::nullopt;
    return channel->Deliver(MissedEvent());
  }

  // The one mail the sink holds after MissedEvent() was delivered through the channel `c`
  // describes; std::nullopt, with the test failed, when the delivery failed or the sink holds
  // another number of mails.
  std::optional<ReceivedMail> DeliverMissed(const config::Channel& c) {
    std::optional<DeliveryResult> r = SendMissed(c);
    if (!r) return std::nullopt;
    EXPECT_TRUE(r->delivered()) << r->error;
    if (!r->delivered()) return std::nullopt;
    std::vector<ReceivedMail> mails = sink_->Messages();
    EXPECT_EQ(mails.size(), 1u);
    if (mails.size() != 1) return std::nullopt;
    return mails[0];
  }

  static inline slayer::testing::TempDir* certs_ = nullptr;
  std::unique_ptr<SmtpSink> sink_;
};

TEST_F(EmailChannelTest, DeliversMissedEventToEveryRecipient) {
  SmtpSink& sink = StartSink();
  auto channel = Make(Config(sink.url()));
  ASSERT_TRUE(channel);
  EXPECT_EQ(channel->name(), "mail");
  DeliveryResult r = channel->Deliver(MissedEvent());
  ASSERT_TRUE(r.delivered()) << r.error;

  std::vector<ReceivedMail> mails = sink.Messages();
  ASSERT_EQ(mails.size(), 1u);
  const ReceivedMail& mail = mails[0];
  EXPECT_EQ(mail.mail_from, "slayer@example.com");
  EXPECT_EQ(mail.rcpt_to,
            (std::vector<std::string>{"oncall@example.com", "data-team@example.com"}));
  EXPECT_FALSE(mail.tls);
  EXPECT_EQ(mail.login, "");

  ParsedMail m = ParseMail(mail.data);
  EXPECT_EQ(m.problems, "");
  EXPECT_EQ(m.headers["From"], "\"SLAyer\" <slayer@example.com>");
  EXPECT_EQ(m.headers["To"], "oncall@example.com, \"Data Team\" <data-team@example.com>");
  EXPECT_EQ(m.headers["Subject"],
            "[SLAyer] missed: orders_daily run manual__<a&b> (rule orders-in-2h)");
  EXPECT_EQ(m.headers["Message-ID"], EmailMessageId(MissedEvent().key));
  EXPECT_EQ(m.headers["X-Slayer-Key"], MissedEvent().key);
  EXPECT_EQ(m.headers["Date"], "Thu, 01 Jan 2026 02:12:05 +0000");
  const std::string& text = m.parts["text/plain"];
  EXPECT_NE(text.find("orders_daily run manual__<a&b> missed its deadline"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Overdue:      12m5s"), std::string::npos) << text;
  EXPECT_NE(text.find("Link:         " + MissedEvent().url), std::string::npos) << text;
  const std::string& html = m.parts["text/html"];
  EXPECT_NE(html.find("<td>manual__&lt;a&amp;b&gt;</td>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<a&b>"), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"" + MissedEvent().url + "\">"), std::string::npos) << html;
}

TEST_F(EmailChannelTest, RetriedAndRecoveredEventsKeepTheirMessageIds) {
  SmtpSink& sink = StartSink();
  auto channel = Make(Config(sink.url()));
  ASSERT_TRUE(channel);
  ASSERT_TRUE(channel->Deliver(MissedEvent()).delivered());
  ASSERT_TRUE(channel->Deliver(MissedEvent()).delivered());  // a retry after a lost reply
  ASSERT_TRUE(channel->Deliver(RecoveredEvent()).delivered());

  std::vector<ReceivedMail> mails = sink.Messages();
  ASSERT_EQ(mails.size(), 3u);
  ParsedMail first = ParseMail(mails[0].data);
  ParsedMail retry = ParseMail(mails[1].data);
  ParsedMail recovered = ParseMail(mails[2].data);
  EXPECT_EQ(first.headers["Message-ID"], retry.headers["Message-ID"]);
  EXPECT_EQ(mails[0].data, mails[1].data);
  EXPECT_NE(recovered.headers["Message-ID"], first.headers["Message-ID"]);
  EXPECT_EQ(recovered.headers["Message-ID"], EmailMessageId(RecoveredEvent().key));
  EXPECT_EQ(recovered.headers["X-Slayer-Key"], RecoveredEvent().key);
  EXPECT_EQ(recovered.headers["Subject"],
            "[SLAyer] recovered: orders_daily run manual__<a&b> (rule orders-in-2h)");
  EXPECT_NE(recovered.parts["text/plain"].find("Late by:      31m40s"), std::string::npos)
      << recovered.parts["text/plain"];
  EXPECT_NE(recovered.parts["text/html"].find("<th align=\"left\">Late by</th><td>31m40s</td>"),
            std::string::npos);
}

TEST_F(EmailChannelTest, UpgradesToStartTlsAndVerifiesWithCaFile) {
  SmtpSink& sink = StartSink(WithTls());
  config::Channel c = Config(sink.url());
  c.ca_file = CertFile();
  std::optional<ReceivedMail> mail = DeliverMissed(c);
  ASSERT_TRUE(mail);
  EXPECT_TRUE(mail->tls);
}

TEST_F(EmailChannelTest, UntrustedStartTlsCertificateIsRetriedAndNothingIsSent) {
  SmtpSink& sink = StartSink(WithTls());
  std::optional<DeliveryResult> r = SendMissed(Config(sink.url()));  // system CAs only
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, Outcome::kRetry);
  EXPECT_NE(r->error.find(sink.url() + ": "), std::string::npos) << r->error;
  EXPECT_NE(r->error.find("certificate"), std::string::npos) << r->error;
  EXPECT_TRUE(sink.Messages().empty());
}

TEST_F(EmailChannelTest, SmtpsIsTlsFromTheStart) {
  SmtpSink& sink = StartSink(WithTls({.smtps = true}));
  ASSERT_EQ(sink.url().rfind("smtps://", 0), 0u);
  config::Channel c = Config(sink.url());
  c.ca_file = CertFile();
  std::optional<ReceivedMail> mail = DeliverMissed(c);
  ASSERT_TRUE(mail);
  EXPECT_TRUE(mail->tls);
}

TEST_F(EmailChannelTest, AuthenticatesOverStartTls) {
  SmtpSink& sink = StartSink(WithTls({.user = "slayer", .password = kPassword}));
  config::Channel c = Config(sink.url());
  c.ca_file = CertFile();
  c.username = "slayer";
  c.password = {.value = kPassword, .origin = "inline"};
  std::optional<ReceivedMail> mail = DeliverMissed(c);
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->login, "slayer");
  EXPECT_TRUE(mail->tls);
}

TEST_F(EmailChannelTest, AuthenticatesOnPlainConnectionWhenNoTlsIsOffered) {
  SmtpSink& sink = StartSink({.user = "slayer", .password = kPassword});
  config::Channel c = Config(sink.url());
  c.username = "slayer";
  c.password = {.value = kPassword, .origin = "inline"};
  std::optional<ReceivedMail> mail = DeliverMissed(c);
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->login, "slayer");
  EXPECT_FALSE(mail->tls);
}

TEST_F(EmailChannelTest, WrongPasswordIsRejectedWithoutShowingIt) {
  SmtpSink& sink = StartSink(WithTls({.user = "slayer", .password = kPassword}));
  config::Channel c = Config(sink.url());
  c.ca_file = CertFile();
  c.username = "slayer";
  c.password = {.value = "wrong-Pa55word", .origin = "file /etc/slayer/smtp_password"};
  std::optional<DeliveryResult> r = SendMissed(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, Outcome::kRejected);
  EXPECT_EQ(r->error,
            sink.url() + ": 535 5.7.8 Authentication credentials invalid (login as slayer)");
  EXPECT_EQ(r->error.find("wrong-Pa55word"), std::string::npos);
  EXPECT_EQ(r->error.find(kPassword), std::string::npos);
  EXPECT_TRUE(sink.Messages().empty());
}

TEST_F(EmailChannelTest, UnknownRecipientIsRejectedAndNobodyGetsTheMessage) {
  SmtpSink& sink = StartSink({.reject_recipient = "data-team@example.com"});
  std::optional<DeliveryResult> r = SendMissed(Config(sink.url()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, Outcome::kRejected);
  EXPECT_EQ(r->error, sink.url() +
                          ": 550 5.1.1 <data-team@example.com>: Recipient address rejected: "
                          "User unknown for <data-team@example.com>");
  EXPECT_TRUE(sink.Messages().empty());
}

TEST_F(EmailChannelTest, TemporaryFailureIsRetried) {
  SmtpSink& sink = StartSink({.temporary_failure = true});
  std::optional<DeliveryResult> r = SendMissed(Config(sink.url()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, Outcome::kRetry);
  EXPECT_EQ(r->error, sink.url() +
                          ": 451 4.3.0 Temporary failure, try again later for sender "
                          "<slayer@example.com>");
}

TEST_F(EmailChannelTest, ServerDownIsRetried) {
  const std::string url = "smtp://127.0.0.1:" + std::to_string(slayer::testing::UnusedTcpPort());
  std::optional<DeliveryResult> r = SendMissed(Config(url));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, Outcome::kRetry);
  EXPECT_EQ(r->error.rfind(url + ": Failed to connect to 127.0.0.1 port", 0), 0u) << r->error;
}

TEST_F(EmailChannelTest, SilentServerTimesOutAndIsRetried) {
  slayer::testing::SilentListener silent;
  ASSERT_GT(silent.port(), 0);
  config::Channel c = Config("smtp://127.0.0.1:" + std::to_string(silent.port()));
  c.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  std::optional<DeliveryResult> r = SendMissed(c);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, Outcome::kRetry);
  EXPECT_NE(r->error.find("timed out"), std::string::npos) << r->error;
}

TEST_F(EmailChannelTest, TemplatesOverrideSubjectAndBody) {
  SmtpSink& sink = StartSink();
  config::Channel c = Config(sink.url());
  c.title = "{{severity}}: {{dag_id}} is {{overdue}} late";
  c.text = "Team {{labels.team}}, please look at {{run_id}}.\nNeed-by {{need_by}}.\n";
  std::optional<ReceivedMail> mail = DeliverMissed(c);
  ASSERT_TRUE(mail);
  ParsedMail m = ParseMail(mail->data);
  EXPECT_EQ(m.problems, "");
  EXPECT_EQ(m.headers["Subject"], "critical: orders_daily is 12m5s late");
  EXPECT_EQ(m.parts["text/plain"],
            "Team data, please look at manual__<a&b>.\nNeed-by 2026-01-01T02:00:00Z.\n");
  EXPECT_NE(m.parts["text/html"].find("please look at manual__&lt;a&amp;b&gt;."),
            std::string::npos);
  EXPECT_EQ(m.headers["Message-ID"], EmailMessageId(MissedEvent().key));
}

TEST_F(EmailChannelTest, SendResolvedFalseSendsNoRecoveredMail) {
  SmtpSink& sink = StartSink();
  config::Channel c = Config(sink.url());
  c.send_resolved = false;
  auto channel = Make(c);
  ASSERT_TRUE(channel);
  EXPECT_TRUE(channel->Deliver(RecoveredEvent()).delivered());
  EXPECT_TRUE(sink.Messages().empty());
  EXPECT_TRUE(channel->Deliver(MissedEvent()).delivered());
  EXPECT_EQ(sink.Messages().size(), 1u);
}

TEST_F(EmailChannelTest, MakeRejectsBadConfigurationWithoutShowingThePassword) {
  auto error = [](config::Channel c) {
    auto made = MakeEmailChannel(c);
    EXPECT_FALSE(made);
    return made ? std::string() : made.error().message();
  };
  config::Channel good = Config("smtp://mail.example.com:587");
  good.password = {.value = kPassword, .origin = "inline"};
  ASSERT_TRUE(MakeEmailChannel(good));

  config::Channel c = good;
  c.url = "http://mail.example.com";
  EXPECT_EQ(error(c),
            "email channel \"mail\": url \"http://mail.example.com\" is not smtp:// or "
            "smtps://");
  c.url = std::string("smtp://slayer:") + kPassword + "@mail.example.com";
  std::string e = error(c);
  EXPECT_NE(e.find("use username and password_file"), std::string::npos) << e;
  EXPECT_EQ(e.find(kPassword), std::string::npos) << e;
  c = good;
  c.from = "slayer";
  EXPECT_NE(error(c).find("email channel \"mail\": from: \"slayer\" is not an e-mail address"),
            std::string::npos);
  c = good;
  c.to = {};
  EXPECT_EQ(error(c), "email channel \"mail\": to: no recipients");
  c.to = {"ok@example.com", "not an address"};
  EXPECT_NE(error(c).find("to: \"not an address\" is not an e-mail address"), std::string::npos);
  c = good;
  c.title = "{{dag}}";
  EXPECT_NE(error(c).find("email channel \"mail\": title: "), std::string::npos) << error(c);
  c = good;
  c.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(error(c), "email channel \"mail\": ca_file /nonexistent/ca.pem cannot be read");
}

}  // namespace
}  // namespace slayer::notify
