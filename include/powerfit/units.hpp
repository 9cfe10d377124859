#pragma once
// The measurement model shared by every layer: what a channel measures, in which unit,
// over which scope, and whether the figure is measured or estimated.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "powerfit/export.hpp"

namespace powerfit {

enum class Unit : std::uint8_t { joule, watt, second, percent, byte, byte_per_second, hertz, celsius };

enum class ChannelKind : std::uint8_t {
  energy_counter,  // monotonically increasing joules, may wrap
  power_gauge,     // instantaneous watts, integrated over time
  utilization,     // percent busy over the last interval
  byte_counter,    // monotonically increasing bytes, may wrap
  counter,         // any other monotonically increasing quantity (CPU seconds)
  gauge,           // any other instantaneous value
};

enum class Provenance : std::uint8_t { measured, estimated };

POWERFIT_EXPORT std::string_view to_string(Unit unit);
POWERFIT_EXPORT std::string_view to_string(ChannelKind kind);
POWERFIT_EXPORT std::string_view to_string(Provenance provenance);
POWERFIT_EXPORT std::optional<Unit> unit_from_string(std::string_view text);
POWERFIT_EXPORT std::optional<ChannelKind> kind_from_string(std::string_view text);

// Counters are recorded as the increase since the start of the run; everything else as read.
constexpr bool is_counter(ChannelKind kind) {
  return kind == ChannelKind::energy_counter || kind == ChannelKind::byte_counter ||
         kind == ChannelKind::counter;
}

struct ChannelInfo {
  std::string name;    // stable, dotted: "cpu.utilization", "disk.vda.write_bytes"
  std::string source;  // the source that produced it: "procfs.cpu"
  Unit unit = Unit::percent;
  ChannelKind kind = ChannelKind::gauge;
  std::string scope = "system";  // "system", "cpu:3", "package:0", "gpu:0", "process-tree", "disk:vda"
  Provenance provenance = Provenance::measured;
  // A counter's modulus: it reads values in [0, wrap_at) and a wrap adds wrap_at; 0 when it
  // never wraps in practice. (The counter rules are in core/counters.hpp.)
  double wrap_at = 0.0;
  // The most a counter can plausibly grow per second, in its unit (for energy, a generous power
  // ceiling of the domain: sensors/ceilings.hpp); a step beyond it is a glitch or a reset, never
  // energy. 0 when no ceiling is known.
  double max_rate = 0.0;
  // For an energy counter: the power gauge of the same consumer (a channel of the same source),
  // which shapes the counter's energy in time between its readings and counts it should the
  // counter fail. Empty when there is none.
  std::string gauge;
  // Whether this channel's energy belongs in the machine's energy total. Set on one channel per
  // physical consumer (a RAPL sum of packages and DRAM, a GPU), never on parts of another
  // (a core subzone inside its package) or on a second view of the same power.
  bool in_energy_total = false;
  // The value is refreshed in the background at its own pace (NVML's energy counter, polled),
  // so consecutive ticks may repeat it: rates are then taken between changes of the value.
  bool refreshed_in_background = false;
};

}  // namespace powerfit
