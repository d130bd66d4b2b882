#include "api/httplib_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "api/bcrypt_test_util.h"
#include "api/gzip_test_util.h"
#include "common/log.h"

namespace slayer::api {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<HttpServer> NewServer(HttpServerOptions options = {}) {
  if (options.listen_address == ":9469") options.listen_address = "127.0.0.1:0";
  Result<std::unique_ptr<HttpServer>> server = NewHttplibServer(std::move(options));
  EXPECT_TRUE(server) << server.error().message();
  return server ? std::move(*server) : nullptr;
}

HttpHandler Reply(std::string body, std::string content_type = "text/plain; charset=utf-8") {
  return [body, content_type](const HttpRequest&) {
    HttpResponse r = HttpResponse::Text(200, body);
    r.content_type = content_type;
    return r;
  };
}

// A client that shows the bytes as sent: no automatic decompression or URL encoding.
std::unique_ptr<httplib::Client> RawClient(int port, const std::string& host = "127.0.0.1") {
  auto client = std::make_unique<httplib::Client>(host, port);
  client->set_decompress(false);
  client->set_url_encode(false);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(5, 0);
  return client;
}

// True when a TCP connection to 127.0.0.1:port is accepted.
bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

TEST(HttplibServerTest, ServesAHandlerOnAnEphemeralPort) {
  auto server = NewServer();
  ASSERT_NE(server, nullptr);
  server->Handle("GET", "/-/healthy", Reply("OK\n"));
  ASSERT_TRUE(server->Start().ok());
  ASSERT_GT(server->port(), 0);
  auto res = RawClient(server->port())->Get("/-/healthy");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "OK\n");
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res->get_header_value("Content-Length"), "3");
  server->Stop();
}

TEST(HttplibServerTest, AnswersUnknownPathsAndWrongMethods) {
  auto server = NewServer();
  server->Handle("GET", "/api/v1/rules", Reply("[]", "application/json"));
  server->Handle("POST", "/-/reload", Reply("reloaded\n"));
  ASSERT_TRUE(server->Start().ok());
  auto client = RawClient(server->port());

  auto api404 = client->Get("/api/v1/nope");
  ASSERT_TRUE(api404);
  EXPECT_EQ(api404->status, 404);
  EXPECT_EQ(api404->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(api404->body, R"({"error":"not found","path":"/api/v1/nope"})");

  auto page404 = client->Get("/nope");
  ASSERT_TRUE(page404);
  EXPECT_EQ(page404->status, 404);
  EXPECT_EQ(page404->body, "404 page not found\n");

  auto api405 = client->Delete("/api/v1/rules");
  ASSERT_TRUE(api405);
  EXPECT_EQ(api405->status, 405);
  EXPECT_EQ(api405->get_header_value("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(api405->body,
            R"({"error":"method not allowed","method":"DELETE","allow":["GET","HEAD","OPTIONS"]})");

  auto reload405 = client->Get("/-/reload");
  ASSERT_TRUE(reload405);
  EXPECT_EQ(reload405->status, 405);
  EXPECT_EQ(reload405->get_header_value("Allow"), "OPTIONS, POST");

  auto reload = client->Post("/-/reload", "", "text/plain");
  ASSERT_TRUE(reload);
  EXPECT_EQ(reload->status, 200);
  EXPECT_EQ(reload->body, "reloaded\n");

  auto options = client->Options("/api/v1/rules");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 204);
  EXPECT_EQ(options->get_header_value("Allow"), "GET, HEAD, OPTIONS");
}

TEST(HttplibServerTest, DecodesThePathAndQueryParameters) {
  auto server = NewServer();
  server->Handle("GET", "/api/v1/incidents", [](const HttpRequest& r) {
    std::string out = r.method + " " + r.path + "\n";
    for (const auto& [k, v] : r.query) out += k + "=[" + v + "]\n";
    return HttpResponse::Text(200, out);
  });
  server->Handle("GET", "/a b", Reply("spaced"));
  ASSERT_TRUE(server->Start().ok());
  auto client = RawClient(server->port());
  auto res = client->Get(
      "/api/v1/incidents?since=30d&dag_id=etl%20daily&rule=a%2Bb&state=missed&state=met"
      "&note=x+y&check=%E2%9C%93&empty=");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body,
            "GET /api/v1/incidents\n"
            "check=[\u2713]\n"
            "dag_id=[etl daily]\n"
            "empty=[]\n"
            "note=[x y]\n"
            "rule=[a+b]\n"
            "since=[30d]\n"
            "state=[missed]\n"
            "state=[met]\n");
  auto spaced = client->Get("/a%20b");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->body, "spaced");
}

TEST(HttplibServerTest, PassesBodyHeadersAndRemoteAddress) {
  auto server = NewServer();
  server->Handle("POST", "/echo", [](const HttpRequest& r) {
    return HttpResponse::Text(201, r.body + "|" +
                                       std::string(r.FindHeader("x-test").value_or("-")) + "|" +
                                       std::string(r.FindHeader("REMOTE_ADDR").value_or("-")) +
                                       "|" + r.remote_address.substr(0, 10));
  });
  ASSERT_TRUE(server->Start().ok());
  auto res = RawClient(server->port())->Post("/echo", {{"X-Test", "yes"}}, "payload", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "payload|yes|-|127.0.0.1:");
}

TEST(HttplibServerTest, RefusesOversizedBodies) {
  HttpServerOptions options;
  options.max_request_body_bytes = 16;
  auto server = NewServer(options);
  server->Handle("POST", "/echo", Reply("ok"));
  ASSERT_TRUE(server->Start().ok());
  auto res = RawClient(server->port())->Post("/echo", std::string(100, 'x'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

std::string BigText() {
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += "airflow_task_instances{airflow_instance=\"prod\",state=\"running\",pool=\"p" +
            std::to_string(i) + "\"} 1\n";
  }
  return text;
}

TEST(HttplibServerTest, GzipsLargeBodiesWhenTheClientAcceptsIt) {
  const std::string big = BigText();
  auto server = NewServer();
  server->Handle("GET", "/metrics", Reply(big, "text/plain; version=0.0.4; charset=utf-8"));
  server->Handle("GET", "/api/v1/big", Reply("[\"" + big + "\"]", "application/json"));
  server->Handle("GET", "/small", Reply("tiny"));
  ASSERT_TRUE(server->Start().ok());
  auto client = RawClient(server->port());

  // What Prometheus sends.
  auto gz = client->Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->status, 200);
  EXPECT_EQ(gz->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(gz->get_header_value("Vary"), "Accept-Encoding");
  EXPECT_EQ(gz->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_LT(gz->body.size(), big.size() / 5);
  EXPECT_EQ(testing_util::Gunzip(gz->body), big);

  auto json = client->Get("/api/v1/big", {{"Accept-Encoding", "br;q=1.0, gzip;q=0.8"}});
  ASSERT_TRUE(json);
  EXPECT_EQ(json->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(testing_util::Gunzip(json->body), "[\"" + big + "\"]");

  for (std::string_view accept : {"", "identity", "br", "gzip;q=0"}) {
    httplib::Headers headers;
    if (!accept.empty()) headers.emplace("Accept-Encoding", accept);
    auto plain = client->Get("/metrics", headers);
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->has_header("Content-Encoding")) << accept;
    EXPECT_EQ(plain->get_header_value("Vary"), "Accept-Encoding") << accept;
    EXPECT_EQ(plain->body, big) << accept;
  }

  auto small = client->Get("/small", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(small);
  EXPECT_FALSE(small->has_header("Content-Encoding"));
  EXPECT_FALSE(small->has_header("Vary"));
  EXPECT_EQ(small->body, "tiny");
}

TEST(HttplibServerTest, AnswersHeadWithoutABody) {
  auto server = NewServer();
  server->Handle("GET", "/page", Reply("hello world"));
  ASSERT_TRUE(server->Start().ok());
  auto res = RawClient(server->port())->Head("/page");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Length"), "11");
  EXPECT_EQ(res->body, "");
}

TEST(HttplibServerTest, IgnoresRangeRequests) {
  auto server = NewServer();
  server->Handle("GET", "/page", Reply("hello world"));
  ASSERT_TRUE(server->Start().ok());
  auto res = RawClient(server->port())->Get("/page", {{"Range", "bytes=0-3"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello world");
}

TEST(HttplibServerTest, ServesRequestsConcurrentlyOnItsThreads) {
  constexpr int kThreads = 4;
  HttpServerOptions options;
  options.threads = kThreads;
  auto server = NewServer(options);
  // Each request waits until kThreads requests are inside handlers at once: this passes only when
  // the pool runs them in parallel.
  std::mutex mu;
  std::condition_variable cv;
  int inside = 0;
  server->Handle("GET", "/together", [&](const HttpRequest&) {
    std::unique_lock lock(mu);
    ++inside;
    cv.notify_all();
    bool all = cv.wait_for(lock, 10s, [&] { return inside >= kThreads; });
    return HttpResponse::Text(all ? 200 : 500, "together");
  });
  std::atomic<int> count = 0;
  server->Handle("GET", "/count", [&](const HttpRequest&) {
    return HttpResponse::Text(200, std::to_string(++count));
  });
  ASSERT_TRUE(server->Start().ok());

  std::vector<std::future<int>> together;
  for (int i = 0; i < kThreads; ++i) {
    together.push_back(std::async(std::launch::async, [&] {
      auto res = RawClient(server->port())->Get("/together");
      return res ? res->status : -1;
    }));
  }
  for (auto& f : together) EXPECT_EQ(f.get(), 200);

  std::vector<std::future<int>> many;
  for (int i = 0; i < 8; ++i) {
    many.push_back(std::async(std::launch::async, [&] {
      int ok = 0;
      auto client = RawClient(server->port());
      for (int j = 0; j < 8; ++j) {
        auto res = client->Get("/count");
        if (res && res->status == 200) ++ok;
      }
      return ok;
    }));
  }
  int ok = 0;
  for (auto& f : many) ok += f.get();
  EXPECT_EQ(ok, 64);
  EXPECT_EQ(count, 64);
}

TEST(HttplibServerTest, StopLetsTheRequestInFlightFinish) {
  auto server = NewServer();
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> handler_done = false;
  const std::string body(100000, 'z');
  server->Handle("GET", "/slow", [&](const HttpRequest&) {
    entered.set_value();
    released.wait();
    handler_done = true;
    return HttpResponse::Text(200, body);
  });
  ASSERT_TRUE(server->Start().ok());
  const int port = server->port();

  auto request = std::async(std::launch::async, [&] { return RawClient(port)->Get("/slow"); });
  entered.get_future().wait();
  std::atomic<bool> done_when_stopped = false;
  std::thread stopper([&] {
    server->Stop();
    done_when_stopped = handler_done.load();
  });
  // Stop() closes the listening socket first; once new connections are refused, it is waiting
  // for the request in flight.
  while (CanConnect(port)) std::this_thread::sleep_for(1ms);
  release.set_value();
  stopper.join();
  EXPECT_TRUE(done_when_stopped);

  httplib::Result res = request.get();
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, body);
  EXPECT_FALSE(RawClient(port)->Get("/slow"));
}

TEST(HttplibServerTest, StopIsIdempotentAndStartHappensOnce) {
  auto never_started = NewServer();
  never_started->Stop();
  never_started->Stop();
  EXPECT_EQ(never_started->Start().code(), StatusCode::kFailedPrecondition);

  auto server = NewServer();
  ASSERT_TRUE(server->Start().ok());
  Status again = server->Start();
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.message(), "http server already started");
  server->Stop();
  server->Stop();
  EXPECT_EQ(server->Start().code(), StatusCode::kFailedPrecondition);

  // The destructor stops a running server.
  auto dropped = NewServer();
  ASSERT_TRUE(dropped->Start().ok());
  const int port = dropped->port();
  dropped.reset();
  EXPECT_FALSE(CanConnect(port));
}

TEST(HttplibServerTest, APortInUseIsAnError) {
  auto first = NewServer();
  ASSERT_TRUE(first->Start().ok());
  HttpServerOptions options;
  options.listen_address = "127.0.0.1:" + std::to_string(first->port());
  auto second = NewServer(options);
  Status st = second->Start();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.message(),
            "cannot listen on " + options.listen_address + ": Address already in use");
}

TEST(HttplibServerTest, RejectsABadListenAddress) {
  HttpServerOptions options;
  options.listen_address = "9469";
  Result<std::unique_ptr<HttpServer>> server = NewHttplibServer(options);
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().message(),
            "listen address \"9469\": missing port; expected host:port, e.g. \":9469\" or "
            "\"127.0.0.1:9469\"");
}

TEST(HttplibServerTest, ColonPortListensOnEveryInterface) {
  HttpServerOptions options;
  options.listen_address = ":0";
  auto server = NewServer(options);
  server->Handle("GET", "/", [](const HttpRequest& r) {
    return HttpResponse::Text(200, r.remote_address.substr(0, r.remote_address.rfind(':')));
  });
  ASSERT_TRUE(server->Start().ok());
  auto v4 = RawClient(server->port(), "127.0.0.1")->Get("/");
  ASSERT_TRUE(v4) << httplib::to_string(v4.error());
  EXPECT_EQ(v4->body, "127.0.0.1");  // not "[::ffff:127.0.0.1]"
  if (access("/proc/net/if_inet6", F_OK) == 0) {
    auto v6 = RawClient(server->port(), "::1")->Get("/");
    ASSERT_TRUE(v6) << httplib::to_string(v6.error());
    EXPECT_EQ(v6->body, "[::1]");
  }
}

TEST(HttplibServerTest, LocalhostPortZeroWorks) {
  HttpServerOptions options;
  options.listen_address = "localhost:0";
  auto server = NewServer(options);
  server->Handle("GET", "/", Reply("hi"));
  ASSERT_TRUE(server->Start().ok());
  auto res = RawClient(server->port(), "localhost")->Get("/");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->body, "hi");
}

TEST(HttplibServerTest, AddsTheConfiguredHeadersToEveryResponse) {
  HttpServerOptions options;
  options.web_config.headers = {{"X-Frame-Options", "deny"},
                                {"Strict-Transport-Security", "max-age=60"}};
  auto server = NewServer(options);
  server->Handle("GET", "/", Reply("hi"));
  ASSERT_TRUE(server->Start().ok());
  auto client = RawClient(server->port());
  for (const char* path : {"/", "/missing"}) {
    auto res = client->Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("X-Frame-Options"), "deny") << path;
    EXPECT_EQ(res->get_header_value("Strict-Transport-Security"), "max-age=60") << path;
  }
}

TEST(HttplibServerTest, RequiresBasicAuthWhenUsersAreConfigured) {
  HttpServerOptions options;
  const std::string hash = testing_util::BcryptHash("s3cr3t");
  ASSERT_EQ(hash.size(), 60u);
  options.web_config.basic_auth_users = {{"prometheus", hash}};
  auto server = NewServer(options);
  server->Handle("GET", "/metrics", Reply("up 1\n"));
  ASSERT_TRUE(server->Start().ok());
  auto client = RawClient(server->port());

  auto ok = client->Get(
      "/metrics", {{"Authorization", testing_util::BasicAuthorization("prometheus", "s3cr3t")}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "up 1\n");

  auto wrong = client->Get(
      "/metrics", {{"Authorization", testing_util::BasicAuthorization("prometheus", "guess")}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->get_header_value("WWW-Authenticate"), "Basic realm=\"slayer\"");
  EXPECT_EQ(wrong->body, "401 Unauthorized\n");

  auto none = client->Get("/metrics");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Basic realm=\"slayer\"");

  // Authentication comes before routing: unknown paths do not leak either.
  auto unknown = client->Get("/api/v1/nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
}

TEST(HttplibServerTest, WritesAnAccessLogLineAtDebug) {
  std::mutex mu;
  std::vector<std::string> lines;
  SetLogSink([&](std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  });
  SetLogLevel(LogLevel::kDebug);
  {
    auto server = NewServer();
    server->Handle("GET", "/x", Reply("hi"));
    ASSERT_TRUE(server->Start().ok());
    ASSERT_TRUE(RawClient(server->port())->Get("/x?secret=1"));
  }
  SetLogLevel(LogLevel::kInfo);
  SetLogSink(nullptr);
  std::string access;
  for (const std::string& line : lines) {
    if (line.find("msg=\"http request\"") != std::string::npos) access = line;
  }
  EXPECT_NE(access.find(" level=debug msg=\"http request\" method=GET path=/x status=200 "
                        "response_bytes=2 duration_seconds="),
            std::string::npos)
      << access;
  EXPECT_NE(access.find(" remote_address=127.0.0.1:"), std::string::npos) << access;
  EXPECT_EQ(access.find("secret"), std::string::npos) << access;
}

TEST(HttplibServerTest, StopWaitsForAnIdleKeepAliveConnectionAtMostTheTimeout) {
  HttpServerOptions options;
  options.keep_alive_timeout = 1s;
  auto server = NewServer(options);
  server->Handle("GET", "/", Reply("hi"));
  ASSERT_TRUE(server->Start().ok());
  httplib::Client client("127.0.0.1", server->port());
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/"));
  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

}  // namespace
}  // namespace slayer::api
