#include "api/basic_auth.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "api/bcrypt_test_util.h"

namespace slayer::api {
namespace {

using testing_util::BasicAuthorization;
using testing_util::BcryptHash;

class FakeClock final : public Clock {
 public:
  Timestamp Now() const override { return Timestamp(); }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point(now_.load());
  }
  void Advance(std::chrono::steady_clock::duration d) { now_ = now_.load() + d; }

 private:
  std::atomic<std::chrono::steady_clock::duration> now_{std::chrono::hours(1)};
};

TEST(ParseBasicAuthorizationTest, DecodesCredentials) {
  std::string user;
  std::string password;
  ASSERT_TRUE(ParseBasicAuthorization("Basic YWxpY2U6czNjcjN0", &user, &password));
  EXPECT_EQ(user, "alice");
  EXPECT_EQ(password, "s3cr3t");
  // The password may hold colons; the scheme is case-insensitive; padding is optional.
  ASSERT_TRUE(ParseBasicAuthorization(BasicAuthorization("bob", "a:b:c"), &user, &password));
  EXPECT_EQ(user, "bob");
  EXPECT_EQ(password, "a:b:c");
  ASSERT_TRUE(ParseBasicAuthorization("basic  dTpw ", &user, &password));
  EXPECT_EQ(user, "u");
  EXPECT_EQ(password, "p");
  ASSERT_TRUE(ParseBasicAuthorization("Basic dTo", &user, &password));  // "u:" unpadded
  EXPECT_EQ(user, "u");
  EXPECT_EQ(password, "");
}

TEST(ParseBasicAuthorizationTest, RejectsOtherValues) {
  std::string user;
  std::string password;
  for (std::string_view value : {"", "Basic", "Basic ", "Bearer YWxpY2U6czNjcjN0",
                                 "BasicYWxpY2U6czNjcjN0", "Basic YWxpY2U",  // no colon
                                 "Basic YWxp!2U6czNjcjN0", "Basic Y"}) {
    EXPECT_FALSE(ParseBasicAuthorization(value, &user, &password)) << value;
  }
}

class BasicAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hash_ = BcryptHash("s3cr3t");
    ASSERT_EQ(hash_.size(), 60u) << "libxcrypt cannot make bcrypt hashes";
  }
  std::string hash_;
  FakeClock clock_;
};

TEST_F(BasicAuthenticatorTest, AcceptsOnlyTheRightPassword) {
  BasicAuthenticator auth({{"alice", hash_}}, clock_);
  EXPECT_TRUE(auth.enabled());
  EXPECT_TRUE(auth.Check(BasicAuthorization("alice", "s3cr3t")));
  EXPECT_FALSE(auth.Check(BasicAuthorization("alice", "s3cr3T")));
  EXPECT_FALSE(auth.Check(BasicAuthorization("alice", "")));
  EXPECT_FALSE(auth.Check(BasicAuthorization("bob", "s3cr3t")));
  EXPECT_FALSE(auth.Check(BasicAuthorization("alice", std::string("s3cr3t\0x", 8))));
  EXPECT_FALSE(auth.Check(""));
  EXPECT_FALSE(auth.Check("Bearer token"));
}

TEST_F(BasicAuthenticatorTest, UnknownUsersStillCostABcryptRun) {
  BasicAuthenticator auth({{"alice", hash_}}, clock_);
  EXPECT_FALSE(auth.Check(BasicAuthorization("mallory", "fakepassword")));
  EXPECT_EQ(auth.BcryptRunsForTest(), 1u);
}

TEST_F(BasicAuthenticatorTest, AcceptsEveryBcryptPrefix) {
  for (std::string_view prefix : {"$2a$", "$2b$", "$2y$"}) {
    std::string hash = BcryptHash("pw", prefix);
    ASSERT_EQ(hash.substr(0, 4), prefix);
    BasicAuthenticator auth({{"u", hash}}, clock_);
    EXPECT_TRUE(auth.Check(BasicAuthorization("u", "pw"))) << prefix;
    EXPECT_FALSE(auth.Check(BasicAuthorization("u", "px"))) << prefix;
  }
}

TEST_F(BasicAuthenticatorTest, AcceptsAFixedKnownHash) {
  // The exporter-toolkit's hash of "fakepassword" (cost 10), made by Go's bcrypt.
  BasicAuthenticator auth({{"u", "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"}},
                          clock_);
  EXPECT_TRUE(auth.Check(BasicAuthorization("u", "fakepassword")));
  EXPECT_FALSE(auth.Check(BasicAuthorization("u", "fakepassworD")));
}

TEST_F(BasicAuthenticatorTest, RemembersSuccessForTheTtlOnly) {
  BasicAuthenticator auth({{"alice", hash_}}, clock_, std::chrono::seconds(60));
  EXPECT_TRUE(auth.Check(BasicAuthorization("alice", "s3cr3t")));
  EXPECT_EQ(auth.BcryptRunsForTest(), 1u);
  clock_.Advance(std::chrono::seconds(59));
  EXPECT_TRUE(auth.Check(BasicAuthorization("alice", "s3cr3t")));
  EXPECT_EQ(auth.BcryptRunsForTest(), 1u);
  // A wrong password is never served from the cache.
  EXPECT_FALSE(auth.Check(BasicAuthorization("alice", "wrong")));
  EXPECT_EQ(auth.BcryptRunsForTest(), 2u);
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_TRUE(auth.Check(BasicAuthorization("alice", "s3cr3t")));
  EXPECT_EQ(auth.BcryptRunsForTest(), 3u);
}

TEST_F(BasicAuthenticatorTest, NoUsersMeansDisabled) {
  BasicAuthenticator auth({}, clock_);
  EXPECT_FALSE(auth.enabled());
}

TEST_F(BasicAuthenticatorTest, IsSafeAcrossThreads) {
  BasicAuthenticator auth({{"alice", hash_}}, clock_);
  std::atomic<int> accepted = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (auth.Check(BasicAuthorization("alice", t % 2 == 0 ? "s3cr3t" : "nope"))) ++accepted;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(accepted, 10);
}

}  // namespace
}  // namespace slayer::api
