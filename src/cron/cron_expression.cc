#include "cron/cron_expression.h"

#include <array>
#include <bit>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

namespace slayer::cron {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;

// One of the five fields. `max` is also the end of "*/n" and "a/n"; for the day of week it is 7
// (Sunday again), as in croniter, so "1/2" there means 1,3,5,7 = MON,WED,FRI,SUN.
struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* range_text;  // for messages
};

constexpr std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, "0-59"},
    {"hour", 0, 23, "0-23"},
    {"day-of-month", 1, 31, "1-31"},
    {"month", 1, 12, "1-12 or JAN-DEC"},
    {"day-of-week", 0, 7, "0-7 or SUN-SAT"},
}};
constexpr int kMonthField = 3;
constexpr int kWeekdayField = 4;

constexpr std::array<const char*, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                     "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<const char*, 7> kWeekdayNames = {"sun", "mon", "tue", "wed",
                                                      "thu", "fri", "sat"};

// Airflow's presets (airflow.utils.dates.cron_presets) and croniter's aliases, which Airflow
// also accepts because it hands unknown strings to croniter.
struct Preset {
  const char* name;
  const char* expansion;
};
constexpr std::array<Preset, 8> kPresets = {{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@quarterly", "0 0 1 */3 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A piece of the input and its 1-based column in the whole text.
struct Token {
  std::string_view text;
  int column;
};

std::vector<Token> Split(std::string_view text, int base_column, bool (*is_separator)(char)) {
  std::vector<Token> out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = i;
    while (j < text.size() && !is_separator(text[j])) ++j;
    out.push_back({text.substr(i, j - i), base_column + static_cast<int>(i)});
    i = j + 1;
  }
  return out;
}

std::vector<Token> SplitFields(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    size_t j = i;
    while (j < text.size() && !IsSpace(text[j])) ++j;
    if (j > i) out.push_back({text.substr(i, j - i), static_cast<int>(i) + 1});
    i = j;
  }
  return out;
}

// Parses the fields of one expression into bit sets. Errors carry the field and the column.
class FieldParser {
 public:
  FieldParser(std::string_view text, int index) : text_(text), index_(index) {}

  // Adds the values of one field to `bits` (bit i = value i; the day of week folds 7 onto 0).
  Status Parse(Token field, uint64_t& bits) {
    for (const Token& element : Split(field.text, field.column, [](char c) { return c == ','; })) {
      SLAYER_RETURN_IF_ERROR(ParseElement(element, bits));
    }
    return Status::Ok();
  }

 private:
  const FieldSpec& spec() const { return kFields[index_]; }

  Status Error(int column, const std::string& detail) const {
    return InvalidArgumentError("cron '" + std::string(text_) + "': field " +
                                std::to_string(index_ + 1) + " (" + spec().name + ") at column " +
                                std::to_string(column) + ": " + detail);
  }

  // element := ('*' | value ['-' value]) ['/' step]
  Status ParseElement(Token element, uint64_t& bits) {
    std::string_view s = element.text;
    if (s.empty()) return Error(element.column, "empty list element");
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '#') {
        return Error(element.column + static_cast<int>(i),
                     "'#' (nth weekday of the month) is not supported");
      }
      if (s[i] == '?') {
        return Error(element.column + static_cast<int>(i), "'?' is not supported; use '*'");
      }
    }

    std::string_view base = s;
    std::optional<Token> step_token;
    if (size_t slash = s.find('/'); slash != std::string_view::npos) {
      base = s.substr(0, slash);
      step_token = Token{s.substr(slash + 1), element.column + static_cast<int>(slash) + 1};
    }
    int step = 1;
    if (step_token) {
      if (step_token->text.empty()) return Error(step_token->column, "missing step after '/'");
      for (char c : step_token->text) {
        if (!IsDigit(c)) {
          return Error(step_token->column,
                       "step '" + std::string(step_token->text) + "' is not a number");
        }
      }
      if (step_token->text.size() > 6) {
        return Error(step_token->column, "step " + std::string(step_token->text) + " is too large");
      }
      step = std::stoi(std::string(step_token->text));
      if (step == 0) return Error(step_token->column, "step must be at least 1");
    }
    if (base.empty()) return Error(element.column, "missing value before '/'");

    int low = 0;
    int high = 0;
    if (base == "*") {
      low = spec().min;
      // A bare '*' on the day of week is 0-6; with a step it runs to 7 like croniter's "0-7/n".
      high = (index_ == kWeekdayField && !step_token) ? 6 : spec().max;
    } else {
      size_t dash = base.find('-');
      if (dash == 0) return Error(element.column, "negative numbers are not allowed");
      Token first{base.substr(0, dash), element.column};
      SLAYER_RETURN_IF_ERROR(ParseValue(first, low));
      if (dash == std::string_view::npos) {
        // "a/n" means a-max/n (croniter).
        high = step_token ? spec().max : low;
      } else {
        Token second{base.substr(dash + 1), element.column + static_cast<int>(dash) + 1};
        if (second.text.empty()) return Error(second.column, "missing end of range");
        if (second.text.find('-') != std::string_view::npos) {
          return Error(second.column, "a range has one '-'");
        }
        SLAYER_RETURN_IF_ERROR(ParseValue(second, high));
        // "FRI-SUN" is 5-7: Sunday as 0 closes a weekday range as 7.
        if (index_ == kWeekdayField && high == 0 && low > 0) high = 7;
        if (low > high) {
          return Error(element.column,
                       "range " + std::string(base) + " is reversed; ranges do not wrap around");
        }
      }
    }
    for (int v = low; v <= high; v += step) {
      int bit = (index_ == kWeekdayField && v == 7) ? 0 : v;
      bits |= uint64_t{1} << bit;
    }
    return Status::Ok();
  }

  Status ParseValue(Token token, int& value) const {
    std::string_view s = token.text;
    if (s.empty()) return Error(token.column, "missing value");
    bool digits = true;
    for (char c : s) digits = digits && IsDigit(c);
    if (digits) {
      if (s.size() > 6) {
        return Error(token.column, std::string(s) + " is out of range " + spec().range_text);
      }
      value = std::stoi(std::string(s));
    } else {
      const std::string lower = Lower(s);
      value = -1;
      if (index_ == kMonthField) {
        for (size_t i = 0; i < kMonthNames.size(); ++i) {
          if (lower == kMonthNames[i]) value = static_cast<int>(i) + 1;
        }
      } else if (index_ == kWeekdayField) {
        for (size_t i = 0; i < kWeekdayNames.size(); ++i) {
          if (lower == kWeekdayNames[i]) value = static_cast<int>(i);
        }
      }
      if (value < 0) return Error(token.column, UnknownValueMessage(s, lower));
    }
    if (value < spec().min || value > spec().max) {
      return Error(token.column, std::to_string(value) + " is out of range " + spec().range_text);
    }
    return Status::Ok();
  }

  std::string UnknownValueMessage(std::string_view s, const std::string& lower) const {
    if (lower == "l" || (lower.size() > 1 && lower.back() == 'l' && IsDigit(lower[0]))) {
      return "'L' (last day or weekday of the month) is not supported";
    }
    if (lower == "h" || lower.rfind("h(", 0) == 0) {
      return "'H' (hashed value) is not supported";
    }
    if (lower == "w" || (lower.size() > 1 && lower.back() == 'w' && IsDigit(lower[0]))) {
      return "'W' (nearest weekday) is not supported";
    }
    return "'" + std::string(s) + "' is not a valid " + spec().name + " (" + spec().range_text +
           ")";
  }

  std::string_view text_;
  int index_;
};

// Bits 1..n set.
constexpr uint32_t FirstDays(unsigned n) { return ((uint32_t{1} << n) - 1) << 1; }

// `bits` restricted to positions >= from (0 when from is past the top).
constexpr uint64_t BitsFrom(uint64_t bits, int from) {
  return from >= 64 ? 0 : bits & (~uint64_t{0} << from);
}
// `bits` restricted to positions <= to (0 when to < 0).
constexpr uint64_t BitsUpTo(uint64_t bits, int to) {
  return to < 0 ? 0 : to >= 63 ? bits : bits & ((uint64_t{2} << to) - 1);
}
constexpr int LowestBit(uint64_t bits) { return std::countr_zero(bits); }
constexpr int HighestBit(uint64_t bits) { return 63 - std::countl_zero(bits); }

struct Civil {
  int year;
  int month;  // 1..12
  int day;    // 1..31
  int hour;
  int minute;
};

Civil ToCivil(LocalMinutes t) {
  const sys_days day = floor<days>(t);
  const std::chrono::year_month_day ymd{day};
  const minutes in_day = t - day;
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(in_day.count() / 60),
          static_cast<int>(in_day.count() % 60)};
}

LocalMinutes FromCivil(const Civil& c) {
  const sys_days day{std::chrono::year{c.year} / c.month / c.day};
  return LocalMinutes{day} + hours{c.hour} + minutes{c.minute};
}

unsigned DaysInMonth(int year, int month) {
  return static_cast<unsigned>((std::chrono::year{year} / month / std::chrono::last).day());
}

}  // namespace

Result<CronExpression> CronExpression::Parse(std::string_view text) {
  const std::string prefix = "cron '" + std::string(text) + "': ";
  std::vector<Token> fields = SplitFields(text);
  if (fields.empty()) return InvalidArgumentError(prefix + "empty expression");

  std::string expanded;  // keeps the preset's expansion alive while `fields` points into it
  if (fields[0].text[0] == '@') {
    if (fields.size() != 1) {
      return InvalidArgumentError(prefix + "a preset such as '" + std::string(fields[0].text) +
                                  "' stands alone");
    }
    const std::string name = Lower(fields[0].text);
    if (name == "@once" || name == "@continuous") {
      return InvalidArgumentError(prefix + "'" + name +
                                  "' is an Airflow schedule without cron ticks, not a cron "
                                  "expression");
    }
    for (const Preset& preset : kPresets) {
      if (name == preset.name) expanded = preset.expansion;
    }
    if (expanded.empty()) {
      return InvalidArgumentError(prefix + "unknown preset '" + std::string(fields[0].text) +
                                  "' (known: @yearly @annually @quarterly @monthly @weekly "
                                  "@daily @midnight @hourly)");
    }
    // Presets are well formed; errors below cannot name a column of `text`.
    fields = SplitFields(expanded);
  }
  if (fields.size() != 5) {
    std::string detail = std::to_string(fields.size()) + " fields given; ";
    detail += fields.size() > 5 ? "only 5 fields are supported (minute hour day-of-month month "
                                  "day-of-week): no seconds or year field"
                                : "expected 5 (minute hour day-of-month month day-of-week)";
    return InvalidArgumentError(prefix + detail);
  }

  std::array<uint64_t, 5> bits{};
  for (int i = 0; i < 5; ++i) {
    FieldParser parser(text, i);
    SLAYER_RETURN_IF_ERROR(parser.Parse(fields[i], bits[i]));
  }

  CronExpression cron;
  cron.text_ = std::string(text);
  cron.minutes_ = bits[0];
  cron.hours_ = static_cast<uint32_t>(bits[1]);
  cron.days_ = static_cast<uint32_t>(bits[2]);
  cron.months_ = static_cast<uint16_t>(bits[3]);
  cron.weekdays_ = static_cast<uint8_t>(bits[4]);
  // croniter replaces a field that lists every value by '*' before applying the OR rule, so
  // "1-31" and "*/1" count as '*' while "*/2" restricts.
  cron.day_star_ = cron.days_ == FirstDays(31);
  cron.weekday_star_ = cron.weekdays_ == 0x7F;
  return cron;
}

namespace {

// The days (bit d = day d) of a month that match, by cron's rule for the two day fields:
// both '*' -> every day; one restricted -> that one; both restricted -> either (OR).
uint32_t MatchingDays(uint32_t days, uint8_t weekdays, bool day_star, bool weekday_star, int year,
                      int month) {
  const unsigned length = DaysInMonth(year, month);
  const uint32_t valid = FirstDays(length);
  if (day_star && weekday_star) return valid;
  uint32_t by_weekday = 0;
  if (!weekday_star) {
    const sys_days first{std::chrono::year{year} / month / 1};
    const unsigned first_weekday = std::chrono::weekday{first}.c_encoding();
    for (unsigned d = 1; d <= length; ++d) {
      if ((weekdays >> ((first_weekday + d - 1) % 7)) & 1) by_weekday |= uint32_t{1} << d;
    }
  }
  if (day_star) return by_weekday;
  if (weekday_star) return days & valid;
  return (days & valid) | by_weekday;
}

}  // namespace

bool CronExpression::Matches(LocalMinutes t) const {
  const Civil c = ToCivil(t);
  return ((months_ >> c.month) & 1) &&
         ((MatchingDays(days_, weekdays_, day_star_, weekday_star_, c.year, c.month) >> c.day) &
          1) &&
         ((hours_ >> c.hour) & 1) && ((minutes_ >> c.minute) & 1);
}

// Both searches move field by field, coarsest first: a month that does not match is skipped
// whole, then a day, then an hour; only the minute is found inside a matching hour. Each step
// lands on a bit of a small mask, so a search costs a few dozen steps per year searched.
std::optional<LocalMinutes> CronExpression::Next(LocalMinutes after) const {
  Civil c = ToCivil(after + minutes{1});
  const int last_year = c.year + kSearchYears;
  auto next_month = [&c] {
    if (++c.month > 12) {
      c.month = 1;
      ++c.year;
    }
    c.day = 1;
    c.hour = 0;
    c.minute = 0;
  };
  while (c.year <= last_year) {
    if (!((months_ >> c.month) & 1)) {
      next_month();
      continue;
    }
    const uint64_t day_bits =
        BitsFrom(MatchingDays(days_, weekdays_, day_star_, weekday_star_, c.year, c.month), c.day);
    if (day_bits == 0) {
      next_month();
      continue;
    }
    if (const int day = LowestBit(day_bits); day != c.day) {
      c.day = day;
      c.hour = 0;
      c.minute = 0;
    }
    const uint64_t hour_bits = BitsFrom(hours_, c.hour);
    if (hour_bits == 0) {
      ++c.day;  // past the month's end, the day mask comes out empty
      c.hour = 0;
      c.minute = 0;
      continue;
    }
    if (const int hour = LowestBit(hour_bits); hour != c.hour) {
      c.hour = hour;
      c.minute = 0;
    }
    const uint64_t minute_bits = BitsFrom(minutes_, c.minute);
    if (minute_bits == 0) {
      ++c.hour;  // hour 24 has no bit, so the next round moves to the next day
      c.minute = 0;
      continue;
    }
    c.minute = LowestBit(minute_bits);
    return FromCivil(c);
  }
  return std::nullopt;
}

std::optional<LocalMinutes> CronExpression::Prev(LocalMinutes before) const {
  Civil c = ToCivil(before - minutes{1});
  const int first_year = c.year - kSearchYears;
  auto prev_month = [&c] {
    if (--c.month < 1) {
      c.month = 12;
      --c.year;
    }
    c.day = 31;  // the day mask only holds the month's real days
    c.hour = 23;
    c.minute = 59;
  };
  while (c.year >= first_year) {
    if (!((months_ >> c.month) & 1)) {
      prev_month();
      continue;
    }
    const uint64_t day_bits =
        BitsUpTo(MatchingDays(days_, weekdays_, day_star_, weekday_star_, c.year, c.month), c.day);
    if (day_bits == 0) {
      prev_month();
      continue;
    }
    if (const int day = HighestBit(day_bits); day != c.day) {
      c.day = day;
      c.hour = 23;
      c.minute = 59;
    }
    const uint64_t hour_bits = BitsUpTo(hours_, c.hour);
    if (hour_bits == 0) {
      --c.day;  // day 0 has no bit, so the next round moves to the previous month
      c.hour = 23;
      c.minute = 59;
      continue;
    }
    if (const int hour = HighestBit(hour_bits); hour != c.hour) {
      c.hour = hour;
      c.minute = 59;
    }
    const uint64_t minute_bits = BitsUpTo(minutes_, c.minute);
    if (minute_bits == 0) {
      --c.hour;
      c.minute = 59;
      continue;
    }
    c.minute = HighestBit(minute_bits);
    return FromCivil(c);
  }
  return std::nullopt;
}

}  // namespace slayer::cron
