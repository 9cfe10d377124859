#pragma once
// The power no domain of its kind can plausibly draw: the ceiling against which a counter's step
// is judged (core/counters.hpp), so that a glitch or a reset is never taken for energy. Each is
// generous, about twice the largest part of its kind sold today, because a ceiling set too low
// would discard real energy while one set high still catches glitches by orders of magnitude
// (a false wrap of a RAPL counter implies some 262 kJ; a reading of 0 on NVML's counter, the
// card's whole lifetime energy).

namespace powerfit::sensors::ceilings {

inline constexpr double kCpuPackageW = 1000.0;  // a RAPL package (or package die), core or uncore
inline constexpr double kDramW = 500.0;         // a RAPL DRAM domain
inline constexpr double kPlatformW = 3000.0;    // RAPL psys: the whole platform
inline constexpr double kRaplSumW = 8 * kCpuPackageW + 8 * kDramW;  // rapl.energy: packages + DRAM
// A GPU with a known power limit cannot draw twice that limit; without one, the largest
// accelerator boards today draw about 1.2 kW.
inline constexpr double kGpuLimitFactor = 2.0;
inline constexpr double kGpuW = 2500.0;

}  // namespace powerfit::sensors::ceilings
