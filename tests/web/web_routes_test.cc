#include "api/web_routes.h"

#include <gtest/gtest.h>

#include <string>

#include "api/gzip_test_util.h"
#include "api/router.h"
#include "web/assets.h"

namespace slayer::api {
namespace {

// The routes registered on a Router, called without a network.
class RouterServer : public HttpServer {
 public:
  void Handle(std::string method, std::string path, HttpHandler handler) override {
    router_.Handle(std::move(method), std::move(path), std::move(handler));
  }
  Status Start() override { return Status::Ok(); }
  void Stop() override {}
  int port() const override { return 0; }

  HttpResponse Get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {},
                   std::string method = "GET") const {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.headers = std::move(headers);
    return router_.Dispatch(r);
  }

 private:
  Router router_;
};

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "<none>";
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

class WebRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { RegisterWebRoutes(server_, "/metrics"); }
  RouterServer server_;
};

TEST_F(WebRoutesTest, ServesThePageWithTheMetricsLinkRelative) {
  HttpResponse r = server_.Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(Contains(r.body, "<a href=\"metrics\">Metrics</a>")) << r.body;
  EXPECT_FALSE(Contains(r.body, web::kTelemetryPathPlaceholder));
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
  EXPECT_TRUE(Contains(HeaderOf(r, "Content-Security-Policy"), "default-src 'self'"));
  EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(r, "Content-Encoding"), "<none>");
  EXPECT_TRUE(Contains(r.body, "id=\"violations\""));
}

TEST(WebRoutesTelemetryTest, LinksACustomTelemetryPathEscaped) {
  RouterServer server;
  RegisterWebRoutes(server, "/prom/m\"etrics");
  HttpResponse r = server.Get("/");
  EXPECT_TRUE(Contains(r.body, "<a href=\"prom/m&quot;etrics\">Metrics</a>")) << r.body;
}

TEST_F(WebRoutesTest, RevalidatesThePageWithItsEtag) {
  HttpResponse first = server_.Get("/");
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_NE(etag, "<none>");
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  for (std::string tags : {etag, "W/" + etag, "\"nope\", " + etag, std::string("*")}) {
    HttpResponse again = server_.Get("/", {{"If-None-Match", tags}});
    EXPECT_EQ(again.status, 304) << tags;
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(HeaderOf(again, "ETag"), etag);
    EXPECT_EQ(HeaderOf(again, "Cache-Control"), "no-cache");
  }
  EXPECT_EQ(server_.Get("/", {{"If-None-Match", "\"other\""}}).status, 200);
}

TEST_F(WebRoutesTest, GzipsForClientsThatAcceptIt) {
  HttpResponse plain = server_.Get("/");
  HttpResponse gz = server_.Get("/", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(HeaderOf(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderOf(gz, "Vary"), "Accept-Encoding");
  EXPECT_EQ(HeaderOf(plain, "Vary"), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), plain.body.size());
  EXPECT_EQ(testing_util::Gunzip(gz.body), plain.body);
  // Each encoding has its own tag, and either validates the page.
  const std::string gz_etag = HeaderOf(gz, "ETag");
  EXPECT_NE(gz_etag, HeaderOf(plain, "ETag"));
  EXPECT_EQ(server_.Get("/", {{"If-None-Match", gz_etag}}).status, 304);
  EXPECT_EQ(server_.Get("/", {{"Accept-Encoding", "gzip;q=0"}}).body, plain.body);
}

TEST_F(WebRoutesTest, ServesEveryStaticFileForAYear) {
  for (const web::Asset& asset : web::Assets().subspan(1)) {
    SCOPED_TRACE(std::string(asset.path));
    HttpResponse r = server_.Get("/" + std::string(asset.path));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, asset.content_type);
    EXPECT_EQ(r.body, asset.body);
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(HeaderOf(r, "Content-Security-Policy"), "<none>");
    HttpResponse gz = server_.Get("/" + std::string(asset.path), {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(testing_util::Gunzip(gz.body), asset.body);
    EXPECT_EQ(
        server_.Get("/" + std::string(asset.path), {{"If-None-Match", HeaderOf(r, "ETag")}}).status,
        304);
  }
}

TEST_F(WebRoutesTest, AnswersUnknownFilesWith404) {
  EXPECT_EQ(server_.Get("/static/app.js").status, 404);
  EXPECT_EQ(server_.Get("/static/").status, 404);
  EXPECT_EQ(server_.Get("/static/index.html").status, 404);
  EXPECT_EQ(server_.Get("/index.html").status, 404);
}

TEST_F(WebRoutesTest, AnswersHead) {
  HttpResponse r = server_.Get("/", {}, "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
}

}  // namespace
}  // namespace slayer::api
