// TLS through the httplib adapter, with certificates made at run time by the openssl CLI (Debian
// package openssl) in a temporary directory: a CA, a server certificate for 127.0.0.1 and
// localhost, a client certificate from the same CA and a self-signed one from nobody.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "api/bcrypt_test_util.h"
#include "api/httplib_server.h"
#include "api/web_config.h"

namespace slayer::api {
namespace {

namespace fs = std::filesystem;

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/slayer-tls-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new std::string(tmpl);
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::ofstream(*dir_ + "/server.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    std::ofstream(*dir_ + "/client.ext") << "extendedKeyUsage=clientAuth\n";
    const std::string script =
        "set -e; cd '" + *dir_ + "'; " + "openssl req -x509 " + key +
        " -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca; " + "openssl req " + key +
        " -keyout server.key -out server.csr -subj /CN=localhost; " +
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "-out server.crt -days 2 -extfile server.ext; " +
        "openssl req " + key + " -keyout client.key -out client.csr -subj /CN=prometheus; " +
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "-out client.crt -days 2 -extfile client.ext; " +
        "openssl req -x509 " + key + " -keyout other.key -out other.crt -days 2 -subj /CN=stranger";
    const std::string command = "sh -c \"" + script + "\" >'" + *dir_ + "/openssl.log' 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << "openssl failed; see " << *dir_ << "/openssl.log";
  }

  static void TearDownTestSuite() {
    if (dir_ != nullptr) fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }

  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }

  static TlsServerConfig ServerTls() {
    TlsServerConfig tls;
    tls.cert_file = Path("server.crt");
    tls.key_file = Path("server.key");
    return tls;
  }

  // A started TLS server answering GET / with "secure".
  static std::unique_ptr<HttpServer> Start(TlsServerConfig tls, WebConfig web = {}) {
    HttpServerOptions options;
    options.listen_address = "127.0.0.1:0";
    web.tls = std::move(tls);
    options.web_config = std::move(web);
    Result<std::unique_ptr<HttpServer>> server = NewHttplibServer(std::move(options));
    EXPECT_TRUE(server) << server.error().message();
    if (!server) return nullptr;
    (*server)->Handle("GET", "/",
                      [](const HttpRequest&) { return HttpResponse::Text(200, "secure"); });
    EXPECT_TRUE((*server)->Start().ok());
    return std::move(*server);
  }

  // A client that verifies the server against the test CA, optionally with a certificate.
  static std::unique_ptr<httplib::SSLClient> Client(int port, const std::string& cert = "") {
    auto client = cert.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port)
                               : std::make_unique<httplib::SSLClient>(
                                     "127.0.0.1", port, Path(cert + ".crt"), Path(cert + ".key"));
    client->set_ca_cert_path(Path("ca.crt"));
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(5, 0);
    return client;
  }

  // The status of GET /, or -1 when the request fails (handshake refused, connection closed).
  static int Status(httplib::SSLClient& client) {
    auto res = client.Get("/");
    return res ? res->status : -1;
  }

  static std::string* dir_;
};

std::string* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, ServesHttpsVerifiedAgainstTheCa) {
  auto server = Start(ServerTls());
  ASSERT_NE(server, nullptr);
  auto res = Client(server->port())->Get("/");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "secure");
}

TEST_F(TlsTest, PlainHttpToTheTlsPortFailsCleanly) {
  auto server = Start(ServerTls());
  ASSERT_NE(server, nullptr);
  httplib::Client plain("127.0.0.1", server->port());
  plain.set_read_timeout(5, 0);
  auto res = plain.Get("/");
  EXPECT_FALSE(res);
  // The server keeps serving TLS.
  EXPECT_EQ(Status(*Client(server->port())), 200);
}

TEST_F(TlsTest, AClientThatDoesNotTrustTheCertificateFails) {
  auto server = Start(ServerTls());
  ASSERT_NE(server, nullptr);
  httplib::SSLClient client("127.0.0.1", server->port());
  client.enable_server_certificate_verification(true);
  client.set_ca_cert_path(Path("other.crt"));
  EXPECT_EQ(Status(client), -1);
}

TEST_F(TlsTest, RequireAndVerifyClientCertWantsACertificateFromTheCa) {
  TlsServerConfig tls = ServerTls();
  tls.client_auth_type = ClientAuthType::kRequireAndVerifyClientCert;
  tls.client_ca_file = Path("ca.crt");
  auto server = Start(tls);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Status(*Client(server->port(), "client")), 200);
  EXPECT_EQ(Status(*Client(server->port())), -1);
  EXPECT_EQ(Status(*Client(server->port(), "other")), -1);
}

TEST_F(TlsTest, VerifyClientCertIfGivenChecksOnlyWhatIsSent) {
  TlsServerConfig tls = ServerTls();
  tls.client_auth_type = ClientAuthType::kVerifyClientCertIfGiven;
  tls.client_ca_file = Path("ca.crt");
  auto server = Start(tls);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Status(*Client(server->port(), "client")), 200);
  EXPECT_EQ(Status(*Client(server->port())), 200);
  EXPECT_EQ(Status(*Client(server->port(), "other")), -1);
}

TEST_F(TlsTest, RequireAnyClientCertTakesAnyCertificate) {
  TlsServerConfig tls = ServerTls();
  tls.client_auth_type = ClientAuthType::kRequireAnyClientCert;
  auto server = Start(tls);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Status(*Client(server->port(), "other")), 200);
  EXPECT_EQ(Status(*Client(server->port())), -1);
}

TEST_F(TlsTest, MinVersionRefusesOlderClients) {
  TlsServerConfig tls = ServerTls();
  tls.min_version = TlsVersion::kTls13;
  auto server = Start(tls);
  ASSERT_NE(server, nullptr);
  auto old_client = Client(server->port());
  SSL_CTX_set_max_proto_version(old_client->ssl_context(), TLS1_2_VERSION);
  EXPECT_EQ(Status(*old_client), -1);
  EXPECT_EQ(Status(*Client(server->port())), 200);
}

TEST_F(TlsTest, CipherSuitesAndCurvesApply) {
  TlsServerConfig tls = ServerTls();
  tls.max_version = TlsVersion::kTls12;
  tls.cipher_suites = {"ECDHE-ECDSA-AES256-GCM-SHA384"};
  tls.curve_preferences = {"P-256"};
  auto server = Start(tls);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Status(*Client(server->port())), 200);
  auto other_cipher = Client(server->port());
  SSL_CTX_set_cipher_list(other_cipher->ssl_context(), "ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_EQ(Status(*other_cipher), -1);
}

TEST_F(TlsTest, BadCertificateFilesFailAtCreation) {
  HttpServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.web_config.tls = ServerTls();
  options.web_config.tls->cert_file = Path("missing.crt");
  Result<std::unique_ptr<HttpServer>> missing = NewHttplibServer(options);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(missing.error().message().starts_with("tls_server_config: cannot load cert_file " +
                                                    Path("missing.crt") + ": "))
      << missing.error().message();

  options.web_config.tls = ServerTls();
  options.web_config.tls->key_file = Path("client.key");
  Result<std::unique_ptr<HttpServer>> mismatch = NewHttplibServer(options);
  ASSERT_FALSE(mismatch);
  EXPECT_TRUE(mismatch.error().message().starts_with("tls_server_config: cannot load key_file " +
                                                     Path("client.key") + ": "))
      << mismatch.error().message();

  options.web_config.tls = ServerTls();
  options.web_config.tls->client_auth_type = ClientAuthType::kRequireAndVerifyClientCert;
  options.web_config.tls->client_ca_file = Path("server.key");
  Result<std::unique_ptr<HttpServer>> bad_ca = NewHttplibServer(options);
  ASSERT_FALSE(bad_ca);
  EXPECT_TRUE(bad_ca.error().message().starts_with(
      "tls_server_config: cannot load client_ca_file " + Path("server.key") + ": "))
      << bad_ca.error().message();
}

TEST_F(TlsTest, AWebConfigFileWithTlsAndBasicAuth) {
  const std::string hash = testing_util::BcryptHash("s3cr3t");
  // Relative paths are relative to the web config file.
  std::ofstream(Path("web.yml")) << "tls_server_config:\n"
                                    "  cert_file: server.crt\n"
                                    "  key_file: server.key\n"
                                    "basic_auth_users:\n"
                                    "  prometheus: "
                                 << hash << "\n";
  Result<WebConfig> web = LoadWebConfig(Path("web.yml"));
  ASSERT_TRUE(web) << web.error().message();
  ASSERT_TRUE(web->tls.has_value());
  auto server = Start(*web->tls, *web);
  ASSERT_NE(server, nullptr);
  auto client = Client(server->port());
  auto denied = client->Get("/");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  auto ok = client->Get(
      "/", {{"Authorization", testing_util::BasicAuthorization("prometheus", "s3cr3t")}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "secure");
}

}  // namespace
}  // namespace slayer::api
