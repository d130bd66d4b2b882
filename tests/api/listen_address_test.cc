#include "api/listen_address.h"

#include <gtest/gtest.h>

namespace slayer::api {
namespace {

TEST(ParseListenAddressTest, ReadsTheExporterForms) {
  struct Case {
    std::string_view text;
    std::string host;
    int port;
  };
  for (const Case& c : {Case{":9469", "", 9469}, Case{"0.0.0.0:9469", "0.0.0.0", 9469},
                        Case{"127.0.0.1:9469", "127.0.0.1", 9469}, Case{"[::1]:9469", "::1", 9469},
                        Case{"[::]:80", "::", 80}, Case{"localhost:0", "localhost", 0},
                        Case{"slayer.example.com:65535", "slayer.example.com", 65535}}) {
    Result<ListenAddress> a = ParseListenAddress(c.text);
    ASSERT_TRUE(a) << c.text << ": " << a.error().message();
    EXPECT_EQ(a->host, c.host) << c.text;
    EXPECT_EQ(a->port, c.port) << c.text;
    EXPECT_EQ(a->ToString(), c.text == "[::]:80" ? "[::]:80" : std::string(c.text));
  }
}

TEST(ParseListenAddressTest, ErrorsNameTheAddress) {
  struct Case {
    std::string_view text;
    std::string_view why;
  };
  for (const Case& c : {
           Case{"", "empty"},
           Case{"9469", "missing port"},
           Case{"localhost", "missing port"},
           Case{"127.0.0.1:", "missing port"},
           Case{"::1:9469", "too many colons (write an IPv6 address in brackets: \"[::1]:9469\")"},
           Case{"[::1", "missing ']'"},
           Case{"[::1]", "missing port"},
           Case{"[::1]9469", "unexpected text after ']'"},
           Case{"[]:9469", "empty host between '[' and ']'"},
           Case{"[localhost]:9469", "brackets are for IPv6 addresses only"},
           Case{":http", "port \"http\" is not a number from 0 to 65535"},
           Case{":65536", "port \"65536\" is not a number from 0 to 65535"},
           Case{":-1", "port \"-1\" is not a number from 0 to 65535"},
           Case{":94 69", "port \"94 69\" is not a number from 0 to 65535"},
           Case{"a]b:1", "unexpected '[' or ']'"},
           Case{"bad host:1", "invalid host"},
       }) {
    Result<ListenAddress> a = ParseListenAddress(c.text);
    ASSERT_FALSE(a) << c.text;
    EXPECT_EQ(a.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(a.error().message(),
              "listen address \"" + std::string(c.text) + "\": " + std::string(c.why) +
                  "; expected host:port, e.g. \":9469\" or \"127.0.0.1:9469\"");
  }
}

}  // namespace
}  // namespace slayer::api
