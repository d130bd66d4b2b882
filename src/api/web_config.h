// WebConfig: the --web.config.file, in the format of the Prometheus exporter-toolkit: TLS,
// client certificates, extra response headers and basic auth users. A value type, loaded once at
// start. The format, and which toolkit keys slayer rejects, is in docs/web-config.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace slayer::api {

// tls_server_config.client_auth_type; the names are Go's tls.ClientAuthType.
enum class ClientAuthType {
  kNoClientCert,                // no certificate asked for
  kRequestClientCert,           // asked for, not required, not verified
  kRequireAnyClientCert,        // required, not verified
  kVerifyClientCertIfGiven,     // not required; verified against client_ca_file when sent
  kRequireAndVerifyClientCert,  // required and verified against client_ca_file
};

// tls_server_config.min_version / max_version: "TLS10", "TLS11", "TLS12", "TLS13".
enum class TlsVersion { kTls10, kTls11, kTls12, kTls13 };

struct TlsServerConfig {
  // PEM certificate (chain) and private key; relative paths are resolved against the directory of
  // the web config file. Both required.
  std::string cert_file;
  std::string key_file;
  // PEM CA certificates that client certificates are verified against. Required by the two
  // Verify* client auth types, refused with kNoClientCert.
  std::string client_ca_file;
  ClientAuthType client_auth_type = ClientAuthType::kNoClientCert;
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kTls13;
  // TLS 1.2 and older cipher suites by IANA name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), in
  // OpenSSL's spelling once loaded ("ECDHE-RSA-AES128-GCM-SHA256"). Empty: OpenSSL's defaults.
  // TLS 1.3 suites are not configurable (as in Go); their names are accepted and ignored.
  std::vector<std::string> cipher_suites;
  // Key exchange groups in OpenSSL's spelling ("P-256", "X25519"), read from the Go names
  // (CurveP256, CurveP384, CurveP521, X25519). Empty: OpenSSL's defaults.
  std::vector<std::string> curve_preferences;
  bool prefer_server_cipher_suites = true;
};

struct WebConfig {
  // Absent: plain HTTP.
  std::optional<TlsServerConfig> tls;
  // http_server_config.headers: added to every response. Only the names the toolkit allows.
  std::vector<std::pair<std::string, std::string>> headers;
  // basic_auth_users: user name -> bcrypt hash ($2a$, $2b$ or $2y$). Empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;
};

// Reads and validates the file at `path`. An empty path yields the default WebConfig (plain HTTP,
// no auth). Errors are kInvalidArgument with one "path:line:col: message" line per problem
// (kNotFound when the file cannot be read). The certificate files are not read here but when the
// server is created.
Result<WebConfig> LoadWebConfig(const std::string& path);

// Parses `text` as if read from `file_name`; relative certificate paths are resolved against
// `base_dir` (unchanged when empty).
Result<WebConfig> ParseWebConfig(std::string_view text, std::string_view file_name,
                                 std::string_view base_dir);

}  // namespace slayer::api
