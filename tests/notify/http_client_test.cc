#include "notify/http_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "notify/http_receiver.h"

namespace slayer::notify {
namespace {

using namespace std::chrono_literals;
using slayer::testing::HttpReceiver;
using Outcome = DeliveryResult::Outcome;

HttpClientOptions Options(Duration timeout = std::chrono::seconds(5)) {
  HttpClientOptions options;
  options.target = "webhook channel 'hook'";
  options.timeout = timeout;
  return options;
}

HttpRequest Request(const std::string& url, std::string body = R"({"a":1})") {
  HttpRequest request;
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}, {"X-Extra", "yes"}};
  request.body = std::move(body);
  return request;
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(receiver_.Start()); }
  HttpReceiver receiver_;
};

TEST_F(HttpClientTest, PostsTheBodyWithTheHeaders) {
  HttpClient client(Options());
  receiver_.SetDefaultResponse({.status = 202, .body = R"({"status":"success"})"});
  auto response = client.Post(Request(receiver_.url() + "/hook/path?x=1"));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, R"({"status":"success"})");
  ASSERT_EQ(receiver_.request_count(), 1u);
  HttpReceiver::Request got = receiver_.requests()[0];
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, "/hook/path");
  EXPECT_EQ(got.query, "x=1");
  EXPECT_EQ(got.body, R"({"a":1})");
  EXPECT_EQ(got.Header("content-type"), "application/json");
  EXPECT_EQ(got.Header("X-Extra"), "yes");
  EXPECT_EQ(got.Header("User-Agent"), "slayer");
  EXPECT_EQ(got.Header("Content-Length"), "7");
}

TEST_F(HttpClientTest, ReusesTheClientAndSendsLargeBodiesAtOnce) {
  HttpClient client(Options());
  std::string big(200 * 1024, 'x');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    auto response = client.Post(Request(receiver_.url(), big));
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->status, 200);
  }
  // libcurl would wait a second for "100 Continue" on each large body unless told not to.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
  ASSERT_EQ(receiver_.request_count(), 3u);
  EXPECT_EQ(receiver_.requests()[2].body, big);
  EXPECT_FALSE(receiver_.requests()[2].HasHeader("Expect"));
}

TEST_F(HttpClientTest, LineBreaksInHeaderValuesCannotAddHeaders) {
  HttpClient client(Options());
  HttpRequest request = Request(receiver_.url());
  request.headers.emplace_back("Idempotency-Key", "a\r\nX-Injected: 1");
  ASSERT_TRUE(client.Post(request));
  ASSERT_EQ(receiver_.request_count(), 1u);
  EXPECT_FALSE(receiver_.requests()[0].HasHeader("X-Injected"));
  EXPECT_EQ(receiver_.requests()[0].Header("Idempotency-Key"), "a  X-Injected: 1");
}

TEST_F(HttpClientTest, KeepsOnlyTheStartOfAHugeAnswer) {
  HttpClient client(Options());
  receiver_.SetDefaultResponse(
      {.status = 200, .body = std::string(kMaxResponseBodyBytes * 3, 'y')});
  auto response = client.Post(Request(receiver_.url()));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->body.size(), kMaxResponseBodyBytes);
}

TEST_F(HttpClientTest, ClassifiesStatuses) {
  HttpClient client(Options());
  struct Case {
    int status;
    Outcome outcome;
  };
  for (Case c :
       {Case{200, Outcome::kDelivered}, Case{202, Outcome::kDelivered},
        Case{204, Outcome::kDelivered}, Case{500, Outcome::kRetry}, Case{502, Outcome::kRetry},
        Case{503, Outcome::kRetry}, Case{408, Outcome::kRetry}, Case{429, Outcome::kRetry},
        Case{400, Outcome::kRejected}, Case{401, Outcome::kRejected}, Case{403, Outcome::kRejected},
        Case{404, Outcome::kRejected}, Case{410, Outcome::kRejected},
        Case{301, Outcome::kRejected}}) {
    // (A 204 with a body would garble the kept-alive connection.)
    receiver_.SetDefaultResponse({.status = c.status, .body = c.status == 204 ? "" : "answer"});
    DeliveryResult result = client.Deliver(Request(receiver_.url()));
    EXPECT_EQ(result.outcome, c.outcome) << c.status;
    if (c.outcome == Outcome::kDelivered) {
      EXPECT_EQ(result.error, "") << c.status;
    } else {
      EXPECT_EQ(result.error,
                "webhook channel 'hook': HTTP " + std::to_string(c.status) + ": answer");
    }
  }
}

TEST_F(HttpClientTest, ShowsAShortExcerptOfTheAnswerOnOneLine) {
  HttpClient client(Options());
  std::string answer = "{\n  \"error\":   \"bad\tthing\"\n}";
  receiver_.SetDefaultResponse({.status = 400, .body = answer});
  EXPECT_EQ(client.Deliver(Request(receiver_.url())).error,
            "webhook channel 'hook': HTTP 400: { \"error\": \"bad thing\" }");

  // 300 characters, two bytes each: cut at 200 characters, never inside one.
  std::string long_answer;
  for (int i = 0; i < 300; ++i) long_answer += "\xc3\xa9";  // é
  receiver_.SetDefaultResponse({.status = 500, .body = long_answer});
  std::string error = client.Deliver(Request(receiver_.url())).error;
  std::string expected_excerpt;
  for (int i = 0; i < 200; ++i) expected_excerpt += "\xc3\xa9";
  EXPECT_EQ(error, "webhook channel 'hook': HTTP 500: " + expected_excerpt + "...");

  receiver_.SetDefaultResponse({.status = 503, .body = ""});
  EXPECT_EQ(client.Deliver(Request(receiver_.url())).error, "webhook channel 'hook': HTTP 503");
}

TEST_F(HttpClientTest, ConnectionRefusedIsRetried) {
  std::string url = receiver_.url();
  receiver_.Stop();
  HttpClient client(Options());
  auto response = client.Post(Request(url));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), StatusCode::kUnavailable);
  DeliveryResult result = client.Deliver(Request(url));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_TRUE(result.error.starts_with("webhook channel 'hook': cannot connect (")) << result.error;
}

TEST_F(HttpClientTest, ATimeoutIsRetried) {
  receiver_.SetDefaultResponse({.status = 200, .delay = 10s});
  HttpClient client(Options(std::chrono::milliseconds(300)));
  auto start = std::chrono::steady_clock::now();
  DeliveryResult result = client.Deliver(Request(receiver_.url()));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_TRUE(result.error.starts_with("webhook channel 'hook': no answer within 300ms ("))
      << result.error;
  EXPECT_EQ(receiver_.request_count(), 1u);  // it arrived; the answer did not
}

TEST_F(HttpClientTest, ReceiverComingBackOnItsPortIsReachedAgain) {
  HttpClient client(Options());
  int port = receiver_.port();
  receiver_.Stop();
  EXPECT_EQ(client.Deliver(Request(receiver_.url())).outcome, Outcome::kRetry);
  ASSERT_TRUE(receiver_.Start(port));
  EXPECT_EQ(client.Deliver(Request(receiver_.url())).outcome, Outcome::kDelivered);
}

TEST(HttpClientErrorsTest, AnUnresolvableHostIsRetried) {
  HttpClient client(Options(std::chrono::seconds(5)));
  DeliveryResult result = client.Deliver(Request("http://slayer-test.invalid/hook"));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_TRUE(result.error.starts_with("webhook channel 'hook': cannot resolve the host name ("))
      << result.error;
}

TEST(HttpClientErrorsTest, AnUnusableUrlIsRejected) {
  HttpClient client(Options());
  DeliveryResult result = client.Deliver(Request("ftp://127.0.0.1/hook"));
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_EQ(result.error, "webhook channel 'hook': unusable URL (not http:// or https://)");
  result = client.Deliver(Request("http://exa mple.com/hook"));
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_TRUE(result.error.starts_with("webhook channel 'hook': unusable URL (")) << result.error;
}

TEST(HttpClientErrorsTest, SecretsNeverAppearInErrors) {
  const std::string secret_path = "/services/T000/B000/SLACK-9kQ2mZ";
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  std::string url = receiver.url() + secret_path;
  HttpClientOptions options = Options(std::chrono::milliseconds(300));
  options.target = "slack channel 'ops'";
  options.secrets = {url, secret_path, "PD-ROUTING-3vN8wL"};
  HttpClient client(options);
  // A receiver that echoes what it got.
  receiver.SetDefaultResponse(
      {.status = 400, .body = "bad request to " + url + " with key PD-ROUTING-3vN8wL"});
  DeliveryResult rejected = client.Deliver(Request(url));
  EXPECT_EQ(rejected.outcome, Outcome::kRejected);
  EXPECT_EQ(rejected.error, "slack channel 'ops': HTTP 400: bad request to *** with key ***");

  receiver.SetDefaultResponse({.status = 200, .delay = 5s});
  DeliveryResult timeout = client.Deliver(Request(url));
  receiver.Stop();
  DeliveryResult refused = client.Deliver(Request(url));
  for (const DeliveryResult& r : {timeout, refused}) {
    EXPECT_EQ(r.outcome, Outcome::kRetry);
    EXPECT_EQ(r.error.find("SLACK-9kQ2mZ"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find("/services/"), std::string::npos) << r.error;
    EXPECT_TRUE(r.error.starts_with("slack channel 'ops': ")) << r.error;
  }
}

TEST(HttpClientErrorsTest, OptionsForAChannelHoldEverySecret) {
  config::Channel channel;
  channel.name = "ops";
  channel.type = config::ChannelType::kSlack;
  channel.timeout = std::chrono::seconds(3);
  channel.ca_file = "/etc/ssl/ca.pem";
  channel.webhook_url = {"https://hooks.slack.com/services/T000/B000/SLACK-9kQ2mZ", "inline"};
  channel.headers = {{"Authorization", "Bearer HDR-TOKEN-2wE6bN"}};
  HttpClientOptions options = HttpOptionsFor(channel);
  EXPECT_EQ(options.target, "slack channel 'ops'");
  EXPECT_EQ(options.timeout, std::chrono::seconds(3));
  EXPECT_EQ(options.ca_file, "/etc/ssl/ca.pem");
  EXPECT_EQ(options.secrets, (std::vector<std::string>{
                                 "https://hooks.slack.com/services/T000/B000/SLACK-9kQ2mZ",
                                 "/services/T000/B000/SLACK-9kQ2mZ", "Bearer HDR-TOKEN-2wE6bN"}));
}

TEST(ClassifyHttpResultTest, MapsResultsToOutcomes) {
  EXPECT_TRUE(ClassifyHttpResult(HttpResponse{204, ""}, "t").delivered());
  EXPECT_EQ(ClassifyHttpResult(HttpResponse{429, "slow down"}, "t").error,
            "t: HTTP 429: slow down");
  EXPECT_EQ(
      ClassifyHttpResult(Result<HttpResponse>(DeadlineExceededError("t: no answer")), "t").outcome,
      Outcome::kRetry);
  EXPECT_EQ(ClassifyHttpResult(Result<HttpResponse>(UnavailableError("t: refused")), "t").error,
            "t: refused");
  EXPECT_EQ(
      ClassifyHttpResult(Result<HttpResponse>(InvalidArgumentError("t: bad url")), "t").outcome,
      Outcome::kRejected);
}

TEST(RedactSecretsTest, ReplacesEveryOccurrence) {
  EXPECT_EQ(RedactSecrets("k1 and k1 and k2", {"k1", "", "k2"}), "*** and *** and ***");
  EXPECT_EQ(RedactSecrets("nothing", {}), "nothing");
  EXPECT_EQ(RedactSecrets("aaaa", {"aa"}), "******");
}

// https with a CA of the test's own, made by the openssl CLI in a temporary directory.
class HttpClientTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/slayer-notify-tls-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new std::string(tmpl);
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::ofstream(*dir_ + "/server.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    const std::string script =
        "set -e; cd '" + *dir_ + "'; openssl req -x509 " + key +
        " -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca; openssl req " + key +
        " -keyout server.key -out server.csr -subj /CN=localhost; openssl x509 -req -in "
        "server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 "
        "-extfile server.ext";
    const std::string command = "sh -c \"" + script + "\" >'" + *dir_ + "/openssl.log' 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << "openssl failed; see " << *dir_ << "/openssl.log";
  }
  static void TearDownTestSuite() {
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }
  static std::string* dir_;
};
std::string* HttpClientTlsTest::dir_ = nullptr;

TEST_F(HttpClientTlsTest, TrustsTheCaFile) {
  HttpReceiver receiver;
  receiver.UseTls(Path("server.crt"), Path("server.key"));
  ASSERT_TRUE(receiver.Start());
  ASSERT_TRUE(receiver.url().starts_with("https://"));

  HttpClient untrusting(Options());
  DeliveryResult result = untrusting.Deliver(Request(receiver.url()));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_TRUE(
      result.error.starts_with("webhook channel 'hook': TLS failed (SSL certificate problem"))
      << result.error;

  HttpClientOptions options = Options();
  options.ca_file = Path("ca.crt");
  HttpClient trusting(options);
  result = trusting.Deliver(Request(receiver.url()));
  EXPECT_TRUE(result.delivered()) << result.error;
  EXPECT_EQ(receiver.request_count(), 1u);
}

}  // namespace
}  // namespace slayer::notify

namespace slayer::testing {
namespace {

TEST(HttpReceiverTest, WaitsForRequestsAndAnswersInQueueOrder) {
  HttpReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  EXPECT_FALSE(receiver.WaitForRequests(1, std::chrono::milliseconds(20)));
  receiver.QueueResponse({.status = 500, .body = "first"});
  receiver.SetDefaultResponse({.status = 201, .body = "later"});
  std::thread sender([&] {
    notify::HttpClientOptions options;
    options.target = "test";
    notify::HttpClient client(options);
    for (int i = 0; i < 3; ++i) {
      notify::HttpRequest request;
      request.url = receiver.url() + "/n/" + std::to_string(i);
      auto response = client.Post(request);
      ASSERT_TRUE(response) << response.error().message();
      EXPECT_EQ(response->status, i == 0 ? 500 : 201);
      EXPECT_EQ(response->body, i == 0 ? "first" : "later");
    }
  });
  EXPECT_TRUE(receiver.WaitForRequests(3, std::chrono::seconds(10)));
  sender.join();
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].path, "/n/2");
  receiver.ClearRequests();
  EXPECT_EQ(receiver.request_count(), 0u);
}

}  // namespace
}  // namespace slayer::testing
