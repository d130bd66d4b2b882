#include "web/assets.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cstdio>
#include <regex>
#include <set>
#include <string>

namespace slayer::web {
namespace {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  std::string hex;
  char buf[3];
  for (unsigned char b : digest) {
    std::snprintf(buf, sizeof(buf), "%02x", b);
    hex += buf;
  }
  return hex;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

TEST(AssetsTest, ThePageComesFirstAndIsNotImmutable) {
  ASSERT_FALSE(Assets().empty());
  EXPECT_EQ(&Page(), &Assets()[0]);
  EXPECT_EQ(Page().path, "index.html");
  EXPECT_EQ(Page().content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(Page().immutable);
  EXPECT_TRUE(Page().body.starts_with("<!doctype html>")) << Page().body.substr(0, 80);
}

TEST(AssetsTest, EveryOtherFileIsNamedByItsContentHashAndLinkedFromThePage) {
  const std::regex name(R"(static/([a-z0-9.-]+)\.([0-9a-f]{12})\.(js|css|txt))");
  std::set<std::string> stems;
  for (const Asset& asset : Assets().subspan(1)) {
    SCOPED_TRACE(std::string(asset.path));
    std::cmatch m;
    const std::string path(asset.path);
    ASSERT_TRUE(std::regex_match(path.c_str(), m, name));
    EXPECT_EQ(m[2].str(), Sha256Hex(asset.body).substr(0, 12));
    EXPECT_TRUE(asset.immutable);
    EXPECT_FALSE(asset.body.empty());
    EXPECT_TRUE(Contains(Page().body, "\"" + path + "\""));
    EXPECT_EQ(FindAsset(asset.path), &asset);
    stems.insert(m[1].str() + "." + m[3].str());
  }
  EXPECT_EQ(stems,
            (std::set<std::string>{"app.js", "style.css", "chart.umd.min.js",
                                   "chartjs-chart-matrix.min.js", "third-party-licenses.txt"}));
  EXPECT_EQ(FindAsset("static/app.js"), nullptr);
  EXPECT_EQ(FindAsset("/index.html"), nullptr);
}

TEST(AssetsTest, ContentTypesFollowTheExtension) {
  for (const Asset& asset : Assets()) {
    SCOPED_TRACE(std::string(asset.path));
    if (asset.path.ends_with(".js")) {
      EXPECT_EQ(asset.content_type, "text/javascript; charset=utf-8");
    } else if (asset.path.ends_with(".css")) {
      EXPECT_EQ(asset.content_type, "text/css; charset=utf-8");
    } else if (asset.path.ends_with(".txt")) {
      EXPECT_EQ(asset.content_type, "text/plain; charset=utf-8");
    } else {
      EXPECT_EQ(asset.path, "index.html");
    }
  }
}

// The page may sit below a path prefix and must load nothing from elsewhere.
TEST(AssetsTest, ThePageUsesRelativeUrlsOnly) {
  for (std::string_view bad : {"src=\"/", "href=\"/", "http://", "https://", "//cdn"}) {
    EXPECT_FALSE(Contains(Page().body, bad)) << bad;
  }
  EXPECT_TRUE(Contains(Page().body, kTelemetryPathPlaceholder));
  const Asset* app = nullptr;
  for (const Asset& asset : Assets()) {
    if (asset.path.starts_with("static/app.")) app = &asset;
  }
  ASSERT_NE(app, nullptr);
  for (std::string_view bad :
       {"fetch('/", "fetch(\"/", "fetch(`/", "'/api/", "\"/api/", "`/api/"}) {
    EXPECT_FALSE(Contains(app->body, bad)) << bad;
  }
  EXPECT_TRUE(Contains(app->body, "'api/v1/violations'"));
}

TEST(AssetsTest, LibrariesCarryTheirLicenseAndNoSourceMapLink) {
  for (const Asset& asset : Assets()) {
    SCOPED_TRACE(std::string(asset.path));
    EXPECT_FALSE(Contains(asset.body, "sourceMappingURL="));
    if (asset.path.starts_with("static/chart")) {
      EXPECT_TRUE(Contains(asset.body.substr(0, 300), "MIT")) << asset.body.substr(0, 300);
    }
    if (asset.path.starts_with("static/third-party-licenses.")) {
      EXPECT_TRUE(Contains(asset.body, "==== chart.js 4."));
      EXPECT_TRUE(Contains(asset.body, "==== chartjs-chart-matrix "));
      EXPECT_TRUE(Contains(asset.body, "==== @kurkle/color "));
      EXPECT_TRUE(Contains(asset.body, "Permission is hereby granted"));
    }
  }
}

}  // namespace
}  // namespace slayer::web
