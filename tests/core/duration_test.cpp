#include "core/duration.hpp"

#include <gtest/gtest.h>

namespace powerfit {
namespace {

using namespace std::chrono_literals;

Nanoseconds parsed(std::string_view text) {
  auto result = parse_duration(text);
  EXPECT_TRUE(std::holds_alternative<Nanoseconds>(result)) << text;
  return std::holds_alternative<Nanoseconds>(result) ? std::get<Nanoseconds>(result) : Nanoseconds{-1};
}

std::string error_of(std::variant<Nanoseconds, DurationError> result) {
  return std::holds_alternative<DurationError>(result) ? std::get<DurationError>(result).message : "";
}

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(parsed("250ms"), 250ms);
  EXPECT_EQ(parsed("2s"), 2s);
  EXPECT_EQ(parsed("1.5s"), 1500ms);
  EXPECT_EQ(parsed("100us"), 100us);
  EXPECT_EQ(parsed("10ns"), 10ns);
  EXPECT_EQ(parsed("2m"), 120s);
  EXPECT_EQ(parsed("1h"), 3600s);
  EXPECT_EQ(parsed("0"), 0ns);
}

TEST(Duration, RejectsBadText) {
  EXPECT_NE(error_of(parse_duration("abc")).find("invalid duration 'abc'"), std::string::npos);
  EXPECT_NE(error_of(parse_duration("-5ms")).find("negative"), std::string::npos);
  EXPECT_NE(error_of(parse_duration("100")).find("no unit"), std::string::npos);
  EXPECT_NE(error_of(parse_duration("5parsecs")).find("unknown unit"), std::string::npos);
  EXPECT_NE(error_of(parse_duration("")).find("empty"), std::string::npos);
  EXPECT_NE(error_of(parse_duration("1.2.3s")).find("invalid"), std::string::npos);
}

TEST(Interval, AcceptsOneMillisecondToOneMinute) {
  EXPECT_EQ(std::get<Nanoseconds>(parse_interval("1ms")), 1ms);
  EXPECT_EQ(std::get<Nanoseconds>(parse_interval("60s")), 60s);
  EXPECT_EQ(std::get<Nanoseconds>(parse_interval("100ms")), 100ms);
}

TEST(Interval, RejectsOutOfRangeWithTheRangeInTheMessage) {
  for (const char* text : {"0", "500us", "61s", "2h"}) {
    const auto message = error_of(parse_interval(text));
    EXPECT_NE(message.find("between 1ms and 60s"), std::string::npos) << text << ": " << message;
  }
  EXPECT_NE(error_of(parse_interval("-5ms")).find("negative"), std::string::npos);
  EXPECT_NE(error_of(parse_interval("abc")).find("invalid"), std::string::npos);
}

TEST(Duration, FormatsTheShortestExactUnit) {
  EXPECT_EQ(format_duration(100ms), "100ms");
  EXPECT_EQ(format_duration(2s), "2s");
  EXPECT_EQ(format_duration(1500us), "1500us");
  EXPECT_EQ(format_duration(7ns), "7ns");
}

}  // namespace
}  // namespace powerfit
