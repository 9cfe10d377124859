#include "powerfit/units.hpp"

#include <array>
#include <utility>

namespace powerfit {
namespace {

constexpr std::array<std::pair<Unit, std::string_view>, 8> kUnitNames{{
    {Unit::joule, "J"},
    {Unit::watt, "W"},
    {Unit::second, "s"},
    {Unit::percent, "%"},
    {Unit::byte, "B"},
    {Unit::byte_per_second, "B/s"},
    {Unit::hertz, "Hz"},
    {Unit::celsius, "°C"},
}};

constexpr std::array<std::pair<ChannelKind, std::string_view>, 6> kKindNames{{
    {ChannelKind::energy_counter, "energy_counter"},
    {ChannelKind::power_gauge, "power_gauge"},
    {ChannelKind::utilization, "utilization"},
    {ChannelKind::byte_counter, "byte_counter"},
    {ChannelKind::counter, "counter"},
    {ChannelKind::gauge, "gauge"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return name;
  }
  return "?";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view text) {
  for (const auto& [candidate, name] : table) {
    if (name == text) return candidate;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Unit unit) { return name_of(kUnitNames, unit); }
std::string_view to_string(ChannelKind kind) { return name_of(kKindNames, kind); }
std::string_view to_string(Provenance provenance) {
  return provenance == Provenance::measured ? "measured" : "estimated";
}
std::optional<Unit> unit_from_string(std::string_view text) { return value_of(kUnitNames, text); }
std::optional<ChannelKind> kind_from_string(std::string_view text) {
  return value_of(kKindNames, text);
}

}  // namespace powerfit
