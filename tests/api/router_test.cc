#include "api/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "common/log.h"

namespace slayer::api {
namespace {

HttpRequest Request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

HttpHandler Reply(std::string body) {
  return [body](const HttpRequest&) { return HttpResponse::Text(200, body); };
}

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

TEST(RouterTest, RoutesExactPathsByMethod) {
  Router router;
  router.Handle("GET", "/metrics", Reply("metrics"));
  router.Handle("POST", "/-/reload", Reply("reloaded"));
  EXPECT_EQ(router.Dispatch(Request("GET", "/metrics")).body, "metrics");
  EXPECT_EQ(router.Dispatch(Request("POST", "/-/reload")).body, "reloaded");
  EXPECT_EQ(router.Dispatch(Request("GET", "/metrics/")).status, 404);
  EXPECT_EQ(router.Dispatch(Request("GET", "/metric")).status, 404);
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router router;
  router.Handle("GET", "/", Reply("page"));
  HttpResponse r = router.Dispatch(Request("HEAD", "/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "page");  // the server drops the body of a HEAD response
}

TEST(RouterTest, PrefixRoutesTakeTheLongestMatchAfterExactOnes) {
  Router router;
  router.Handle("GET", "/static/*", Reply("static"));
  router.Handle("GET", "/static/js/*", Reply("js"));
  router.Handle("GET", "/static/special", Reply("special"));
  EXPECT_EQ(router.Dispatch(Request("GET", "/static/app.css")).body, "static");
  EXPECT_EQ(router.Dispatch(Request("GET", "/static/js/app.js")).body, "js");
  EXPECT_EQ(router.Dispatch(Request("GET", "/static/special")).body, "special");
  EXPECT_EQ(router.Dispatch(Request("GET", "/static")).status, 404);
}

TEST(RouterTest, LaterRoutesReplaceEarlierOnes) {
  Router router;
  router.Handle("GET", "/x", Reply("old"));
  router.Handle("GET", "/x", Reply("new"));
  EXPECT_EQ(router.Dispatch(Request("GET", "/x")).body, "new");
}

TEST(RouterTest, NotFoundIsJsonUnderApiAndTextElsewhere) {
  Router router;
  HttpResponse api = router.Dispatch(Request("GET", "/api/v1/nope\""));
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.content_type, "application/json");
  EXPECT_EQ(api.body, R"({"error":"not found","path":"/api/v1/nope\""})");
  HttpResponse page = router.Dispatch(Request("GET", "/nope"));
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(page.body, "404 page not found\n");
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  Router router;
  router.Handle("GET", "/api/v1/rules", Reply("rules"));
  router.Handle("POST", "/-/reload", Reply("ok"));
  HttpResponse api = router.Dispatch(Request("DELETE", "/api/v1/rules"));
  EXPECT_EQ(api.status, 405);
  EXPECT_EQ(api.content_type, "application/json");
  EXPECT_EQ(api.body,
            R"({"error":"method not allowed","method":"DELETE","allow":["GET","HEAD","OPTIONS"]})");
  EXPECT_EQ(HeaderOf(api, "Allow"), "GET, HEAD, OPTIONS");
  HttpResponse reload = router.Dispatch(Request("GET", "/-/reload"));
  EXPECT_EQ(reload.status, 405);
  EXPECT_EQ(reload.body, "405 method not allowed\n");
  EXPECT_EQ(HeaderOf(reload, "Allow"), "OPTIONS, POST");
}

TEST(RouterTest, OptionsListsTheMethods) {
  Router router;
  router.Handle("GET", "/api/v1/status", Reply("s"));
  HttpResponse r = router.Dispatch(Request("OPTIONS", "/api/v1/status"));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(HeaderOf(r, "Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(router.Dispatch(Request("OPTIONS", "/api/v1/nope")).status, 404);
}

TEST(RouterTest, AThrowingHandlerYields500) {
  SetLogSink([](std::string_view) {});
  Router router;
  router.Handle("GET", "/api/v1/boom",
                [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  router.Handle("GET", "/boom", [](const HttpRequest&) -> HttpResponse { throw 42; });
  HttpResponse api = router.Dispatch(Request("GET", "/api/v1/boom"));
  EXPECT_EQ(api.status, 500);
  EXPECT_EQ(api.body, R"({"error":"internal error"})");
  EXPECT_EQ(router.Dispatch(Request("GET", "/boom")).status, 500);
  SetLogSink(nullptr);
}

TEST(HttpRequestTest, FindsHeadersCaseInsensitivelyAndTheFirstQueryValue) {
  HttpRequest r;
  r.headers = {{"Accept-Encoding", "gzip"}, {"X-Two", "a"}, {"x-two", "b"}};
  r.query = {{"dag_id", "etl"}, {"state", "missed"}, {"state", "met"}};
  EXPECT_EQ(r.FindHeader("accept-encoding"), "gzip");
  EXPECT_EQ(r.FindHeader("X-TWO"), "a");
  EXPECT_EQ(r.FindHeader("Authorization"), std::nullopt);
  EXPECT_EQ(r.FindQuery("state"), "missed");
  EXPECT_EQ(r.FindQuery("dag_id"), "etl");
  EXPECT_EQ(r.FindQuery("dag"), std::nullopt);
  EXPECT_EQ(JsonError("bad \"since\""), R"({"error":"bad \"since\""})");
}

}  // namespace
}  // namespace slayer::api
