#include "sensors/cpu_estimate.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "core/text.hpp"

namespace powerfit::sensors {
namespace {

// Published thermal design power and logical CPUs of some server and desktop processors.
struct KnownCpu {
  const char* model_fragment;
  double tdp_w;
  unsigned logical_cpus;
};
constexpr KnownCpu kKnownCpus[] = {
    {"AMD EPYC 9654", 360, 192},       {"AMD EPYC 9554", 360, 128},      {"AMD EPYC 7763", 280, 128},
    {"AMD EPYC 7742", 225, 128},       {"AMD EPYC 7B13", 280, 128},      {"AMD EPYC 7R13", 280, 96},
    {"Xeon(R) Platinum 8480", 350, 112}, {"Xeon(R) Platinum 8380", 270, 80}, {"Xeon(R) Platinum 8275CL", 240, 48},
    {"Xeon(R) Gold 6248", 150, 40},    {"Xeon(R) Gold 6130", 125, 32},   {"Ryzen 9 7950X", 170, 32},
    {"Ryzen 9 5950X", 105, 32},        {"Core(TM) i9-13900K", 125, 32},  {"Core(TM) i7-12700", 65, 20},
};

std::string format_watts(double watts) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f W", watts);
  return buffer;
}

}  // namespace

CpuPowerModel choose_cpu_power_model(const std::string& cpu_model, unsigned logical_cpus,
                                     std::optional<double> tdp_override) {
  CpuPowerModel model;
  if (tdp_override) {
    model.tdp_w = *tdp_override;
    model.basis = "--cpu-tdp " + format_watts(*tdp_override);
    return model;
  }
  for (const auto& known : kKnownCpus) {
    if (cpu_model.find(known.model_fragment) == std::string::npos) continue;
    // A VM sees a share of the chip: scale its TDP by the logical CPUs visible here.
    const unsigned visible = std::min(logical_cpus, known.logical_cpus);
    model.tdp_w = known.tdp_w * visible / known.logical_cpus;
    model.basis = std::string(known.model_fragment) + " TDP " + format_watts(known.tdp_w) + " × " +
                  std::to_string(visible) + "/" + std::to_string(known.logical_cpus) + " logical CPUs";
    return model;
  }
  model.tdp_w = kFallbackWattsPerLogicalCpu * logical_cpus;
  model.basis = "CPU model '" + cpu_model + "' not in the table: " + format_watts(kFallbackWattsPerLogicalCpu) +
                " per logical CPU × " + std::to_string(logical_cpus) + " (give --cpu-tdp W for a better estimate)";
  return model;
}

Availability CpuEstimateSource::open() {
  const auto path = roots_.proc / "stat";
  if (const auto status = stat_->open(path); status != ReadStatus::ok) {
    return {false, explain_open_failure(path, status)};
  }
  add_channel({.name = "cpu.power.estimated",
               .unit = Unit::watt,
               .kind = ChannelKind::power_gauge,
               .scope = "system",
               .provenance = Provenance::estimated,
               .in_energy_total = true});
  char idle[16];
  std::snprintf(idle, sizeof idle, "%.0f%%", model_.idle_fraction * 100);
  return {true, "ESTIMATED from CPU utilization: " + format_watts(model_.tdp_w) + " at full load, " + idle +
                    " of it at idle (" + model_.basis + ")"};
}

void CpuEstimateSource::read(std::span<Reading> out) {
  out[0] = {0.0, ReadStatus::missing};
  std::string_view content;
  if (const auto status = stat_->read(taken_, content); status != ReadStatus::ok) {
    out[0].status = status;
    return;
  }
  std::string_view line = text::next_line(content);
  if (text::next_token(line) != "cpu") {
    out[0].status = ReadStatus::io_error;
    return;
  }
  const auto jiffies = parse_cpu_jiffies(line);
  if (!jiffies) {
    out[0].status = ReadStatus::io_error;
    return;
  }
  const auto previous = std::exchange(previous_, jiffies);
  if (!previous) return;
  const auto percent = utilization_between(*previous, *jiffies);
  if (!percent) return;
  const double load = *percent / 100.0;
  out[0] = {model_.tdp_w * (model_.idle_fraction + (1.0 - model_.idle_fraction) * load), ReadStatus::ok};
}

}  // namespace powerfit::sensors
