#include "api/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <memory>

namespace slayer::api {
namespace {

// A bcrypt hash of a password nobody knows ("fakepassword", as in the exporter-toolkit): unknown
// users are checked against it, so that timing does not tell which user names exist.
constexpr char kDummyHash[] = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64; padding optional. False on any other character.
bool DecodeBase64(std::string_view in, std::string* out) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  out->clear();
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    int v = Base64Value(c);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out->push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return count < 6;  // a lone trailing sextet cannot come from whole bytes
}

std::string CacheKey(const std::string& user, const std::string& hash,
                     const std::string& password) {
  std::string input;
  input.reserve(user.size() + hash.size() + password.size() + 2);
  input.append(user).push_back('\0');
  input.append(hash).push_back('\0');
  input.append(password);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    return std::string();
  }
  OPENSSL_cleanse(input.data(), input.size());
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace

bool ParseBasicAuthorization(std::string_view authorization, std::string* user,
                             std::string* password) {
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  constexpr std::string_view kScheme = "basic";
  if (authorization.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  }
  authorization.remove_prefix(kScheme.size());
  if (authorization.front() != ' ') return false;
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  while (!authorization.empty() && authorization.back() == ' ') authorization.remove_suffix(1);
  std::string decoded;
  if (!DecodeBase64(authorization, &decoded)) return false;
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  *user = decoded.substr(0, colon);
  *password = decoded.substr(colon + 1);
  OPENSSL_cleanse(decoded.data(), decoded.size());
  return true;
}

BasicAuthenticator::BasicAuthenticator(std::map<std::string, std::string> users, const Clock& clock,
                                       std::chrono::seconds cache_ttl)
    : users_(std::move(users)), clock_(clock), cache_ttl_(cache_ttl) {}

bool BasicAuthenticator::Check(std::string_view authorization) {
  std::string user;
  std::string password;
  if (!ParseBasicAuthorization(authorization, &user, &password)) return false;
  // crypt reads a C string: a NUL would cut the password short.
  if (password.find('\0') != std::string::npos) return false;

  auto it = users_.find(user);
  const bool known = it != users_.end();
  const std::string hash = known ? it->second : std::string(kDummyHash);
  const std::string key = CacheKey(user, hash, password);
  const auto now = clock_.Monotonic();
  if (known && !key.empty()) {
    std::lock_guard lock(mu_);
    auto cached = cache_.find(key);
    if (cached != cache_.end()) {
      if (cached->second > now) return true;
      cache_.erase(cached);
    }
  }

  bool ok = Verify(password, hash) && known;
  OPENSSL_cleanse(password.data(), password.size());
  if (!ok || key.empty()) return ok;

  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCached) {
    std::erase_if(cache_, [&](const auto& entry) { return entry.second <= now; });
  }
  if (cache_.size() >= kMaxCached) {
    auto oldest = cache_.begin();
    for (auto e = cache_.begin(); e != cache_.end(); ++e) {
      if (e->second < oldest->second) oldest = e;
    }
    cache_.erase(oldest);
  }
  cache_[key] = now + cache_ttl_;
  return true;
}

bool BasicAuthenticator::Verify(const std::string& password, const std::string& hash) {
  // crypt_data is large (tens of KiB): keep it off the small worker stacks.
  auto data = std::make_unique<crypt_data>();
  bool ok = false;
  {
    std::lock_guard lock(bcrypt_mu_);
    const char* out = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
    // crypt_rn returns NULL on failure; some builds return a string starting with '*' instead.
    if (out != nullptr && out[0] != '*') {
      std::string_view result(out);
      ok = result.size() == hash.size() &&
           CRYPTO_memcmp(result.data(), hash.data(), hash.size()) == 0;
    }
  }
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  {
    std::lock_guard lock(mu_);
    ++bcrypt_runs_;
  }
  return ok;
}

uint64_t BasicAuthenticator::BcryptRunsForTest() const {
  std::lock_guard lock(mu_);
  return bcrypt_runs_;
}

}  // namespace slayer::api
