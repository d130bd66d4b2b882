#include "api/web_config.h"

#include <gtest/gtest.h>

namespace slayer::api {
namespace {

const std::string kTestdata = SLAYER_API_TESTDATA;

// The error text of parsing `yaml` as "web.yml", or "<ok>".
std::string ErrorOf(std::string_view yaml) {
  Result<WebConfig> c = ParseWebConfig(yaml, "web.yml", "/etc/slayer");
  if (c) return "<ok>";
  EXPECT_EQ(c.error().code(), StatusCode::kInvalidArgument);
  return c.error().message();
}

TEST(WebConfigTest, LoadsEverySupportedKey) {
  Result<WebConfig> c = LoadWebConfig(kTestdata + "/web_config.good.yml");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_TRUE(c->tls.has_value());
  const TlsServerConfig& tls = *c->tls;
  // Relative paths are relative to the config file.
  EXPECT_EQ(tls.cert_file, kTestdata + "/tls/server.crt");
  EXPECT_EQ(tls.key_file, "/etc/slayer/server.key");
  EXPECT_EQ(tls.client_ca_file, kTestdata + "/tls/ca.crt");
  EXPECT_EQ(tls.client_auth_type, ClientAuthType::kRequireAndVerifyClientCert);
  EXPECT_EQ(tls.min_version, TlsVersion::kTls13);
  EXPECT_EQ(tls.max_version, TlsVersion::kTls13);
  EXPECT_EQ(tls.cipher_suites, std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256"});
  EXPECT_EQ(tls.curve_preferences, (std::vector<std::string>{"X25519", "P-256"}));
  EXPECT_FALSE(tls.prefer_server_cipher_suites);
  EXPECT_EQ(c->headers, (std::vector<std::pair<std::string, std::string>>{
                            {"X-Frame-Options", "deny"},
                            {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"}}));
  EXPECT_EQ(c->basic_auth_users,
            (std::map<std::string, std::string>{
                {"prometheus", "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"},
                {"alice", "$2b$04$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234"}}));
}

TEST(WebConfigTest, DefaultsArePlainHttpWithoutAuth) {
  for (std::string_view yaml : {"", "# nothing\n", "tls_server_config:\n",
                                "tls_server_config: {}\nhttp_server_config: {}\n",
                                "tls_server_config: {min_version: TLS12}\n"}) {
    Result<WebConfig> c = ParseWebConfig(yaml, "web.yml", "");
    ASSERT_TRUE(c) << yaml << ": " << c.error().message();
    EXPECT_FALSE(c->tls.has_value()) << yaml;
    EXPECT_TRUE(c->headers.empty());
    EXPECT_TRUE(c->basic_auth_users.empty());
  }
  Result<WebConfig> none = LoadWebConfig("");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->tls.has_value());
}

TEST(WebConfigTest, TlsDefaultsFollowTheToolkit) {
  Result<WebConfig> c =
      ParseWebConfig("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n", "w", "");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_TRUE(c->tls.has_value());
  EXPECT_EQ(c->tls->cert_file, "a.crt");  // no base dir: unchanged
  EXPECT_EQ(c->tls->client_auth_type, ClientAuthType::kNoClientCert);
  EXPECT_EQ(c->tls->min_version, TlsVersion::kTls12);
  EXPECT_EQ(c->tls->max_version, TlsVersion::kTls13);
  EXPECT_TRUE(c->tls->prefer_server_cipher_suites);
  EXPECT_TRUE(c->tls->cipher_suites.empty());
}

TEST(WebConfigTest, ReportsEveryProblemWithItsPosition) {
  const std::string path = kTestdata + "/web_config.bad.yml";
  Result<WebConfig> c = LoadWebConfig(path);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kInvalidArgument);
  const std::string p = path + ":";
  EXPECT_EQ(c.error().message(),
            p + "2:3: unknown key 'certfile' in tls_server_config (did you mean 'cert_file'?)\n" +
                p + "3:13: 'key_file' in tls_server_config must be text, got a list\n" + p +
                "4:21: 'client_auth_type' in tls_server_config: unknown value "
                "'RequireClientCertificate' (accepted: NoClientCert, RequestClientCert, "
                "RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert)\n" +
                p +
                "5:16: 'min_version' in tls_server_config: unknown TLS version 'TLS14' "
                "(accepted: TLS10, TLS11, TLS12, TLS13)\n" +
                p +
                "6:19: 'cipher_suites' in tls_server_config: unknown cipher suite "
                "'TLS_NO_SUCH_CIPHER' (use IANA names such as "
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)\n" +
                p +
                "7:23: 'curve_preferences' in tls_server_config: unknown curve 'P256' "
                "(accepted: CurveP256, CurveP384, CurveP521, X25519)\n" +
                p +
                "8:32: 'prefer_server_cipher_suites' in tls_server_config must be true or "
                "false, got 'maybe'\n" +
                p +
                "9:3: 'cert' (inline PEM) in tls_server_config is not supported by slayer; use "
                "'cert_file'\n" +
                p +
                "11:3: 'client_allowed_sans' in tls_server_config is not supported by slayer; "
                "verify client certificates with 'client_ca_file' and 'client_auth_type'\n" +
                p +
                "13:10: 'http2: true' in http_server_config is not supported by slayer (it "
                "serves HTTP/1.1 only); remove the key or set it to false\n" +
                p +
                "15:22: header 'X-Frame-Options' in http_server_config.headers: invalid value "
                "'allow' (accepted: deny, sameorigin)\n" +
                p +
                "16:5: header 'Server' in http_server_config.headers can not be configured "
                "(accepted: Content-Security-Policy, Strict-Transport-Security, "
                "X-Content-Type-Options, X-Frame-Options, X-XSS-Protection)\n" +
                p +
                "18:10: the password hash of user 'alice' in basic_auth_users is not a bcrypt "
                "hash ($2a$, $2b$ or $2y$, cost 04 to 31; make one with: htpasswd -nBC 10 \"\" | "
                "tr -d ':\\n')\n" +
                p +
                "19:8: the password hash of user 'bob' in basic_auth_users must be text, got a "
                "map\n" +
                p + "20:1: 'rate_limit' is not supported by slayer\n" + p +
                "22:1: unknown key 'tls_server_config_extra' in the web config (did you mean "
                "'tls_server_config'?)");
  // The offending hash text never appears in a message.
  EXPECT_EQ(c.error().message().find("plaintext"), std::string::npos);
}

TEST(WebConfigTest, ChecksHowTlsPartsFitTogether) {
  EXPECT_EQ(ErrorOf("tls_server_config:\n  key_file: k\n"),
            "web.yml:1:1: tls_server_config needs 'cert_file'");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: c\n"),
            "web.yml:1:1: tls_server_config needs 'key_file'");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  client_auth_type: RequestClientCert\n"),
            "web.yml:1:1: tls_server_config needs 'cert_file'\n"
            "web.yml:1:1: tls_server_config needs 'key_file'");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: c\n  key_file: k\n"
                    "  client_auth_type: VerifyClientCertIfGiven\n"),
            "web.yml:1:1: tls_server_config: client_auth_type VerifyClientCertIfGiven needs "
            "'client_ca_file'");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: c\n  key_file: k\n"
                    "  client_ca_file: ca\n"),
            "web.yml:1:1: tls_server_config: 'client_ca_file' is set but client_auth_type is "
            "NoClientCert (choose one that asks for a certificate)");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: c\n  key_file: k\n"
                    "  min_version: TLS13\n  max_version: TLS12\n"),
            "web.yml:4:16: 'min_version' TLS13 in tls_server_config is above 'max_version' TLS12");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: c\n  key_file: k\n"
                    "  client_auth_type: RequireClientCert\n"),
            "<ok>");  // the toolkit's older spelling of RequireAnyClientCert
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: c\n  cert_file: d\n  key_file: k\n"),
            "web.yml:3:3: duplicate key 'cert_file' in tls_server_config");
}

TEST(WebConfigTest, RejectsWrongShapesAndBadYaml) {
  EXPECT_EQ(ErrorOf("users: {}\n"),
            "web.yml:1:1: unknown key 'users' in the web config (accepted: tls_server_config, "
            "http_server_config, basic_auth_users)");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  ca_file: x\n"),
            "web.yml:2:3: unknown key 'ca_file' in tls_server_config (accepted: cert_file, "
            "key_file, client_ca_file, client_auth_type, min_version, max_version, cipher_suites, "
            "curve_preferences, prefer_server_cipher_suites)");
  EXPECT_EQ(ErrorOf("just text\n"), "web.yml:1:1: the web config must be a map, got text");
  EXPECT_EQ(ErrorOf("tls_server_config: [a]\n"),
            "web.yml:1:20: tls_server_config must be a map, got a list");
  EXPECT_EQ(ErrorOf("basic_auth_users: x\n"),
            "web.yml:1:19: basic_auth_users must be a map, got text");
  EXPECT_EQ(ErrorOf("http_server_config:\n  headers: [X-Frame-Options]\n"),
            "web.yml:2:12: http_server_config.headers must be a map, got a list");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: [\n"),
            "web.yml:3:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(ErrorOf("http_server_config:\n  headers:\n    X-Frame-Options: [deny]\n"),
            "web.yml:3:22: 'X-Frame-Options' in http_server_config.headers must be text, got a "
            "list");
}

TEST(WebConfigTest, AcceptsEveryBcryptVariant) {
  for (std::string_view prefix : {"$2a$", "$2b$", "$2y$"}) {
    std::string yaml = "basic_auth_users:\n  u: " + std::string(prefix) +
                       "12$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n";
    EXPECT_EQ(ErrorOf(yaml), "<ok>") << prefix;
  }
  const std::string bad_message =
      "web.yml:1:23: the password hash of user 'u' in basic_auth_users is not a bcrypt hash "
      "($2a$, $2b$ or $2y$, cost 04 to 31; make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')";
  for (std::string_view hash : {
           "$2x$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi",  // unknown variant
           "$2y$03$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi",  // cost too low
           "$2y$32$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi",  // cost too high
           "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeS",   // short
           "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeS!",  // bad character
           "$6$salt$hash",                                                  // sha512-crypt
       }) {
    EXPECT_EQ(ErrorOf("basic_auth_users: {u: \"" + std::string(hash) + "\"}\n"), bad_message)
        << hash;
  }
}

TEST(WebConfigTest, MissingFileIsNotFound) {
  Result<WebConfig> c = LoadWebConfig(kTestdata + "/no_such_file.yml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.error().message(),
            "cannot read web config " + kTestdata + "/no_such_file.yml: No such file or directory");
}

}  // namespace
}  // namespace slayer::api
