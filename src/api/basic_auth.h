// BasicAuthenticator: checks HTTP basic credentials against the bcrypt hashes of the web config's
// basic_auth_users. bcrypt is slow by design (tens of milliseconds at cost 10), so a successful
// check is remembered for a short time, keyed by a SHA-256 of user, hash and password (the
// password itself is not kept), and bcrypt runs one at a time. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace slayer::api {

class BasicAuthenticator {
 public:
  // `users`: user name -> bcrypt hash ($2a$, $2b$, $2y$), as WebConfig::basic_auth_users.
  // `clock` must outlive the authenticator.
  BasicAuthenticator(std::map<std::string, std::string> users, const Clock& clock,
                     std::chrono::seconds cache_ttl = std::chrono::seconds(60));

  BasicAuthenticator(const BasicAuthenticator&) = delete;
  BasicAuthenticator& operator=(const BasicAuthenticator&) = delete;

  // False when there are no users: every request is let through.
  bool enabled() const { return !users_.empty(); }

  // True when `authorization`, an Authorization header value ("Basic <base64 of user:password>"),
  // names a configured user with the right password. An unknown user costs the same bcrypt run
  // as a known one, and hashes are compared in constant time.
  bool Check(std::string_view authorization);

  // How many times bcrypt ran: lets tests see the cache work.
  uint64_t BcryptRunsForTest() const;

 private:
  // The cache holds at most this many successful checks; expired ones go first.
  static constexpr size_t kMaxCached = 64;

  bool Verify(const std::string& password, const std::string& hash);

  const std::map<std::string, std::string> users_;
  const Clock& clock_;
  const std::chrono::seconds cache_ttl_;

  mutable std::mutex mu_;
  // SHA-256(user, hash, password) -> when the entry expires (monotonic).
  std::map<std::string, std::chrono::steady_clock::time_point> cache_;  // GUARDED_BY(mu_)
  uint64_t bcrypt_runs_ = 0;                                            // GUARDED_BY(mu_)

  std::mutex bcrypt_mu_;  // one bcrypt at a time: it is CPU-bound and the pool is small
};

// Decodes "Basic <base64>" into user and password; false when the value is not basic
// credentials (wrong scheme, bad base64, no ':').
bool ParseBasicAuthorization(std::string_view authorization, std::string* user,
                             std::string* password);

}  // namespace slayer::api
