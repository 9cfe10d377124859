#include "powerfit/units.hpp"

#include <gtest/gtest.h>

namespace powerfit {
namespace {

TEST(Units, NamesRoundTrip) {
  for (auto unit : {Unit::joule, Unit::watt, Unit::second, Unit::percent, Unit::byte, Unit::byte_per_second,
                    Unit::hertz, Unit::celsius}) {
    EXPECT_EQ(unit_from_string(to_string(unit)), unit);
  }
  for (auto kind : {ChannelKind::energy_counter, ChannelKind::power_gauge, ChannelKind::utilization,
                    ChannelKind::byte_counter, ChannelKind::counter, ChannelKind::gauge}) {
    EXPECT_EQ(kind_from_string(to_string(kind)), kind);
  }
  EXPECT_EQ(to_string(Unit::joule), "J");
  EXPECT_EQ(to_string(Provenance::estimated), "estimated");
  EXPECT_FALSE(unit_from_string("furlong"));
}

TEST(Units, CountersAreTheMonotonicKinds) {
  EXPECT_TRUE(is_counter(ChannelKind::energy_counter));
  EXPECT_TRUE(is_counter(ChannelKind::byte_counter));
  EXPECT_TRUE(is_counter(ChannelKind::counter));
  EXPECT_FALSE(is_counter(ChannelKind::power_gauge));
  EXPECT_FALSE(is_counter(ChannelKind::utilization));
  EXPECT_FALSE(is_counter(ChannelKind::gauge));
}

}  // namespace
}  // namespace powerfit
