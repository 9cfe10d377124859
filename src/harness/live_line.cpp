#include "harness/live_line.hpp"
#include "core/clock.hpp"
#include "core/thread_name.hpp"

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace powerfit::harness {
namespace {

std::string joules(double value) {
  char buffer[48];
  if (value >= 1e6) {
    std::snprintf(buffer, sizeof buffer, "%.2f MJ", value * 1e-6);
  } else if (value >= 1e3) {
    std::snprintf(buffer, sizeof buffer, "%.2f kJ", value * 1e-3);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f J", value);
  }
  return buffer;
}

}  // namespace

LiveLineOptions resolve_live(std::optional<bool> flag, bool quiet) {
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  if (flag) return {.enabled = *flag, .terminal = terminal, .delay_s = 0.0};
  return {.enabled = terminal && !quiet, .terminal = terminal, .delay_s = 3.0};
}

std::string live_line(const Session::LiveReading& reading) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "powerfit: %.0f s", reading.elapsed_s);
  std::string line = buffer;
  for (const auto& source : reading.sources) {
    std::snprintf(buffer, sizeof buffer, " | %s %.1f W", source.name.c_str(), source.watts);
    line += buffer;
    if (source.estimated) line += " ESTIMATED";
  }
  if (reading.sources.empty()) line += " | no power yet";
  std::string energy;
  if (reading.measured_energy_j) energy += joules(*reading.measured_energy_j) + " measured";
  if (reading.estimated_energy_j) energy += (energy.empty() ? "" : ", ") + joules(*reading.estimated_energy_j) + " ESTIMATED";
  if (!energy.empty()) line += " | " + energy;
  return line;
}

LiveLine::LiveLine(Reader read, const LiveLineOptions& options, std::ostream& out)
    : read_(std::move(read)), options_(options), out_(out) {
  if (options_.enabled) thread_ = std::thread([this] {
    name_this_thread("pf-live");
    run();
  });
}

LiveLine::~LiveLine() {
  stop_ = true;
  sleeper_.wake();
  if (thread_.joinable()) thread_.join();
  if (drawn_ && options_.terminal) out_ << "\r\033[K" << std::flush;
}

void LiveLine::run() {
  const std::int64_t start = monotonic_now_ns();
  for (std::int64_t second = 1;; ++second) {
    if (sleeper_.sleep_until(start + second * 1'000'000'000) || stop_) return;  // cut short by the destructor alone
    const auto reading = read_();
    if (reading.elapsed_s < options_.delay_s || reading.elapsed_s <= 0.0) continue;
    if (options_.terminal) {
      out_ << '\r' << live_line(reading) << "\033[K" << std::flush;
    } else {
      out_ << live_line(reading) << '\n' << std::flush;
    }
    drawn_ = true;
  }
}

}  // namespace powerfit::harness
