#include "notify/mail_encoding.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "fakes/timestamps.h"
#include "notify/mail_reader.h"

namespace slayer::notify {
namespace {

using slayer::testing::DecodeEncodedWords;
using slayer::testing::DecodeQuotedPrintable;
using test::T;

std::vector<std::string> Lines(const std::string& crlf_text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= crlf_text.size()) {
    size_t end = crlf_text.find("\r\n", start);
    if (end == std::string::npos) {
      if (start < crlf_text.size()) lines.push_back(crlf_text.substr(start));
      break;
    }
    lines.push_back(crlf_text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

TEST(QuotedPrintableTest, KeepsPlainAsciiAndUsesCrlf) {
  EXPECT_EQ(EncodeQuotedPrintable("DAG: orders_daily\nRule: r\n"),
            "DAG: orders_daily\r\nRule: r\r\n");
  EXPECT_EQ(EncodeQuotedPrintable("a\r\nb"), "a\r\nb");
}

TEST(QuotedPrintableTest, EncodesEqualsUtf8ControlsAndTrailingSpace) {
  EXPECT_EQ(EncodeQuotedPrintable("team=data"), "team=3Ddata");
  EXPECT_EQ(EncodeQuotedPrintable("caf\xc3\xa9"), "caf=C3=A9");
  EXPECT_EQ(EncodeQuotedPrintable("a\tb \nc"), "a\tb=20\r\nc");
  EXPECT_EQ(EncodeQuotedPrintable("bell\x07"), "bell=07");
  EXPECT_EQ(EncodeQuotedPrintable("From here\n"), "=46rom here\r\n");
}

TEST(QuotedPrintableTest, BreaksLongLinesSoftlyAndRoundTrips) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "w\xc3\xb6rd=" + std::to_string(i) + " ";
  text += "\nshort\n";
  std::string qp = EncodeQuotedPrintable(text);
  for (const std::string& line : Lines(qp)) EXPECT_LE(line.size(), 76u) << line;
  EXPECT_EQ(qp.find("=_"), std::string::npos);
  EXPECT_EQ(DecodeQuotedPrintable(qp), text);
}

TEST(HeaderFieldTest, KeepsShortAsciiValue) {
  EXPECT_EQ(HeaderField("Subject", "[SLAyer] missed: d (rule r)"),
            "Subject: [SLAyer] missed: d (rule r)\r\n");
}

TEST(HeaderFieldTest, FoldsLongAsciiValueAtSpaces) {
  std::string value;
  for (int i = 0; i < 30; ++i) value += "word" + std::to_string(i) + " ";
  value += "end";
  std::string field = HeaderField("Subject", value);
  std::vector<std::string> lines = Lines(field);
  ASSERT_GT(lines.size(), 1u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), 78u) << lines[i];
    if (i > 0) {
      EXPECT_EQ(lines[i][0], ' ');
    }
  }
  // Unfolding (removing the CRLFs) gives the value back.
  std::string unfolded;
  for (const std::string& line : lines) unfolded += line;
  EXPECT_EQ(unfolded, "Subject: " + value);
}

TEST(HeaderFieldTest, EncodesNonAsciiAsEncodedWordsThatRoundTrip) {
  std::string value = "[SLAyer] missed: caf\xc3\xa9_daily run manual__\xe2\x82\xac\xf0\x9f\x94\xa5";
  for (int i = 0; i < 5; ++i) value += " \xc3\xa9t\xc3\xa9";
  std::string field = HeaderField("Subject", value);
  ASSERT_EQ(field.rfind("Subject: =?UTF-8?B?", 0), 0u) << field;
  std::vector<std::string> lines = Lines(field);
  ASSERT_GT(lines.size(), 1u);
  std::string unfolded;
  for (const std::string& line : lines) {
    EXPECT_LE(line.size(), 76u) << line;
    unfolded += line;
  }
  EXPECT_EQ(DecodeEncodedWords(unfolded.substr(9)), value);
}

TEST(HeaderFieldTest, EncodesEachWordOnWholeUtf8Sequences) {
  // Every encoded word decodes to valid UTF-8 by itself: 4-byte sequences are never split.
  std::string value;
  for (int i = 0; i < 40; ++i) value += "\xf0\x9f\x94\xa5";
  std::string field = HeaderField("Subject", value);
  for (std::string line : Lines(field)) {
    size_t start = line.find("=?UTF-8?B?");
    ASSERT_NE(start, std::string::npos) << line;
    std::string word = DecodeEncodedWords(line.substr(start));
    EXPECT_EQ(word.size() % 4, 0u) << line;
  }
}

TEST(HeaderFieldTest, LineBreaksInValueCannotInjectHeaderFields) {
  std::string field = HeaderField("Subject", "hi\r\nBcc: victim@example.com");
  EXPECT_EQ(field.find("\r\nBcc"), std::string::npos) << field;
  EXPECT_EQ(field.find('\n'), field.size() - 1) << "only the final CRLF";
  EXPECT_EQ(DecodeEncodedWords(field.substr(9, field.size() - 11)),
            "hi\r\nBcc: victim@example.com");
}

TEST(HeaderFieldTest, OverlongWordBecomesEncodedWords) {
  std::string value(2000, 'x');
  std::string field = HeaderField("Subject", value);
  for (const std::string& line : Lines(field)) EXPECT_LE(line.size(), 76u);
}

TEST(DisplayNameTest, QuotesAsciiAndEncodesUtf8) {
  EXPECT_EQ(EncodeDisplayName("Data Team"), "\"Data Team\"");
  EXPECT_EQ(EncodeDisplayName("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
  std::string encoded = EncodeDisplayName("\u00dcberwachung");
  EXPECT_EQ(encoded.rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_EQ(DecodeEncodedWords(encoded), "\u00dcberwachung");
}

TEST(Rfc5322DateTest, FormatsUtc) {
  EXPECT_EQ(FormatRfc5322Date(T("2026-01-01T02:12:05.5Z")), "Thu, 01 Jan 2026 02:12:05 +0000");
  EXPECT_EQ(FormatRfc5322Date(T("2024-02-29T23:59:59Z")), "Thu, 29 Feb 2024 23:59:59 +0000");
  EXPECT_EQ(FormatRfc5322Date(T("2023-12-31T00:00:00Z")), "Sun, 31 Dec 2023 00:00:00 +0000");
}

}  // namespace
}  // namespace slayer::notify
