#pragma once

namespace powerfit {

// Increase of a counter read as `previous` and then `current`. A counter that wraps at `wrap_at`
// (RAPL's max_energy_range_uj, a 32-bit MSR) restarts from zero; one that never wraps
// (wrap_at == 0) and still went down was reset, so all of `current` is new.
constexpr double counter_increase(double previous, double current, double wrap_at) {
  if (current >= previous) return current - previous;
  if (wrap_at > 0.0) return (wrap_at - previous) + current;
  return current;
}

}  // namespace powerfit
