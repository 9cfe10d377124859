#include "sensors/nvml_schedule.hpp"

#include <gtest/gtest.h>

namespace powerfit::sensors {
namespace {

using std::chrono::milliseconds;

TEST(NvmlSchedule, NamedFieldsOverTheDefaultsAndNothingIsTheDefaults) {
  for (const char* nothing : {static_cast<const char*>(nullptr), ""}) {
    const auto schedule = parse_nvml_schedule(nothing);
    ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(schedule));
    EXPECT_EQ(describe(std::get<NvmlSchedule>(schedule)), describe(NvmlSchedule{}));
  }
  const auto parsed = parse_nvml_schedule("energy=1s,watch_for=600ms,watch_every=5s,shift=off,aim=off");
  ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(parsed)) << std::get<std::string>(parsed);
  const auto& schedule = std::get<NvmlSchedule>(parsed);
  EXPECT_EQ(schedule.energy, milliseconds(1000));
  EXPECT_EQ(schedule.watch_for, milliseconds(600));
  EXPECT_EQ(schedule.watch_every, milliseconds(5000));
  EXPECT_EQ(schedule.watch, NvmlSchedule{}.watch);
  EXPECT_EQ(schedule.retry, NvmlSchedule{}.retry);
  EXPECT_FALSE(schedule.aim);
  EXPECT_EQ(describe(schedule),
            "energy=1s,energy_level=30s,first=30s,retry=200ms,watch=10ms,watch_first=2s,watch_for=600ms,watch_every=5s,shift_gap=200ms,after_shift=1s,memory=1s,watch_sharp=2,shift=off,instant_lead=off,aim=off,aim_hold=off,mark=on,watch_counter=on,counter_in_stretches=off");
  const auto unmarked = parse_nvml_schedule("mark=off,watch_counter=off,counter_in_stretches=on");
  ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(unmarked)) << std::get<std::string>(unmarked);
  EXPECT_FALSE(std::get<NvmlSchedule>(unmarked).mark);
  EXPECT_FALSE(std::get<NvmlSchedule>(unmarked).watch_counter);
  EXPECT_TRUE(std::get<NvmlSchedule>(unmarked).counter_in_stretches);
  EXPECT_TRUE(NvmlSchedule{}.mark);
  EXPECT_TRUE(NvmlSchedule{}.watch_counter);
  EXPECT_FALSE(NvmlSchedule{}.counter_in_stretches);
  EXPECT_EQ(NvmlSchedule{}.energy_level, milliseconds(30000));
  const auto level = parse_nvml_schedule("energy_level=2m");
  ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(level)) << std::get<std::string>(level);
  EXPECT_EQ(std::get<NvmlSchedule>(level).energy_level, milliseconds(120000));
  const auto aimed = parse_nvml_schedule("aim=on,aim_hold=on,watch=8ms,shift=12.5%,shift_gap=300ms");
  ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(aimed)) << std::get<std::string>(aimed);
  EXPECT_TRUE(std::get<NvmlSchedule>(aimed).aim);
  EXPECT_TRUE(std::get<NvmlSchedule>(aimed).aim_hold);
  EXPECT_FALSE(NvmlSchedule{}.aim_hold);
  EXPECT_EQ(std::get<NvmlSchedule>(aimed).watch, milliseconds(8));
  EXPECT_DOUBLE_EQ(std::get<NvmlSchedule>(aimed).shift, 0.125);
  EXPECT_EQ(std::get<NvmlSchedule>(aimed).shift_gap, milliseconds(300));
  EXPECT_DOUBLE_EQ(NvmlSchedule{}.instant_lead, 0.0);
  const auto at_refresh = parse_nvml_schedule("instant_lead=50%,instant_lead=off");
  ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(at_refresh)) << std::get<std::string>(at_refresh);
  EXPECT_DOUBLE_EQ(std::get<NvmlSchedule>(at_refresh).instant_lead, 0.0);
  const auto quarter = parse_nvml_schedule("instant_lead=25%");
  ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(quarter)) << std::get<std::string>(quarter);
  EXPECT_DOUBLE_EQ(std::get<NvmlSchedule>(quarter).instant_lead, 0.25);
  EXPECT_EQ(NvmlSchedule{}.watch_sharp, 2);
  const auto short_stretches = parse_nvml_schedule("watch_sharp=3,watch_for=500ms");
  ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(short_stretches)) << std::get<std::string>(short_stretches);
  EXPECT_EQ(std::get<NvmlSchedule>(short_stretches).watch_sharp, 3);
  EXPECT_NE(describe(std::get<NvmlSchedule>(short_stretches)).find(",watch_sharp=3,"), std::string::npos);
  const auto whole_stretches = parse_nvml_schedule("watch_sharp=0");
  ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(whole_stretches)) << std::get<std::string>(whole_stretches);
  EXPECT_EQ(std::get<NvmlSchedule>(whole_stretches).watch_sharp, 0);
  // What describe writes reads back as the same schedule.
  for (const auto& written : {schedule, std::get<NvmlSchedule>(aimed), std::get<NvmlSchedule>(unmarked),
                              std::get<NvmlSchedule>(at_refresh), std::get<NvmlSchedule>(quarter),
                              std::get<NvmlSchedule>(short_stretches)}) {
    const auto again = parse_nvml_schedule(describe(written).c_str());
    ASSERT_TRUE(std::holds_alternative<NvmlSchedule>(again)) << describe(written);
    EXPECT_EQ(describe(std::get<NvmlSchedule>(again)), describe(written));
  }
}

TEST(NvmlSchedule, AProblemNamesTheVariableWhatIsWrongAndTheFix) {
  const std::pair<const char*, const char*> bad[] = {
      {"energy=fast", "energy=fast"},       {"energy=100", "unit"},     {"power=1s", "'power=1s' is not NAME=DURATION"},
      {"energy", "'energy' is not NAME=DURATION"}, {"energy=0ms", "between 1ms and 1h"}, {"watch=2h", "between 1ms and 1h"},
      {"energy=1s,", "'' is not NAME=DURATION"}, {"aim=yes", "aim is on or off"}, {"mark=1", "mark is on or off"},
      {"shift=10", "shift is a percent above 0"}, {"shift=0%", "shift is a percent above 0"},
      {"shift=x%", "shift is a percent above 0"}, {"instant_lead=150%", "instant_lead is a percent above 0 and up to 100%"},
      {"instant_lead=half", "instant_lead is a percent"}, {"watch_sharp=two", "watch_sharp is a whole number from 0 to 100"},
      {"watch_sharp=-1", "watch_sharp is a whole number"}, {"watch_sharp=101", "from 0 to 100"}, {"watch_sharp=", "not ''"},
      {"watch_sharp=2.5", "watch_sharp is a whole number"}};
  for (const auto& [text, fragment] : bad) {
    const auto parsed = parse_nvml_schedule(text);
    ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << text;
    const auto& problem = std::get<std::string>(parsed);
    EXPECT_EQ(problem.rfind(std::string("POWERFIT_NVML_SCHEDULE='") + text + "'", 0), 0u) << problem;
    EXPECT_NE(problem.find(fragment), std::string::npos) << problem;
    EXPECT_NE(problem.find("or unset it"), std::string::npos) << problem;
  }
}

}  // namespace
}  // namespace powerfit::sensors
