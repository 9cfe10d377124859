#include <algorithm>
#include <chrono>
#include <thread>

#include "core/clock.hpp"
#include "core/joined.hpp"
#include "sensors/ceilings.hpp"
#include "sensors/rapl.hpp"

namespace powerfit::sensors {
namespace {

struct Candidate {
  RaplMethod* method;
  std::size_t index;
  RaplDomain domain;
};

// Does an earlier choice already read this candidate's energy? Only another method's reading of
// the same domain is a duplicate (a package's dies are parts of the package); one method never
// lists a domain twice.
bool same_energy(const auto& chosen, const Candidate& candidate) {
  const auto& a = chosen.domain;
  const auto& b = candidate.domain;
  if (chosen.method == candidate.method) return false;
  if (a.kind != b.kind) return false;
  if (a.kind == "psys") return true;
  return a.package == b.package && (a.die == b.die || a.die < 0 || b.die < 0);
}

double ceiling_w(const RaplDomain& domain) {
  if (domain.kind == "dram") return ceilings::kDramW;
  if (domain.kind == "psys") return ceilings::kPlatformW;
  return ceilings::kCpuPackageW;
}

}  // namespace

RaplSource::RaplSource(std::vector<std::unique_ptr<RaplMethod>> methods, std::function<void()> settle)
    : methods_(std::move(methods)), settle_(std::move(settle)) {
  if (!settle_) settle_ = [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); };
}

Availability RaplSource::open() {
  std::vector<Candidate> candidates;
  std::vector<EnergyReading> first;
  std::vector<std::string> problems;
  for (auto& method : methods_) {
    std::string problem;
    const auto domains = method->discover(problem);
    if (domains.empty()) problems.push_back(problem);
    for (std::size_t i = 0; i < domains.size(); ++i) {
      candidates.push_back({method.get(), i, domains[i]});
      first.push_back(method->read(i));
    }
  }
  if (!candidates.empty()) settle_();

  // A counter that does not move is unusable, not a zero-watt domain: some hypervisors expose
  // an energy-psys event that stays at zero while the machine works.
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    const auto& candidate = candidates[c];
    const std::string where = candidate.domain.key + " (" + std::string(candidate.method->name()) + ")";
    const auto second = candidate.method->read(candidate.index);
    if (first[c].status != ReadStatus::ok || second.status != ReadStatus::ok) {
      notes_.push_back(where + ": unusable, " + std::string(describe(second.status)));
      continue;
    }
    if (second.joules == first[c].joules) {
      notes_.push_back(where + ": unusable, the counter did not advance (stuck at " +
                       std::to_string(second.joules) + " J)");
      continue;
    }
    if (std::any_of(chosen_.begin(), chosen_.end(), [&](const Chosen& chosen) { return same_energy(chosen, candidate); })) {
      continue;  // an earlier method already reads this domain
    }
    const double ceiling = ceiling_w(candidate.domain);
    const auto channel = add_channel({.name = "rapl." + candidate.domain.key + ".energy",
                                      .unit = Unit::joule,
                                      .kind = ChannelKind::energy_counter,
                                      .scope = candidate.domain.kind == "psys"
                                                   ? "system"
                                                   : "package:" + std::to_string(candidate.domain.package),
                                      .wrap_at = candidate.domain.wrap_j,
                                      .max_rate = ceiling});
    channels_[channel].source = "rapl." + std::string(candidate.method->name());
    chosen_.push_back({candidate.method, candidate.index, candidate.domain, channel, false,
                       CounterTracker({.wrap_at = candidate.domain.wrap_j, .max_rate = ceiling})});
    notes_.push_back(candidate.domain.key + ": " + std::string(candidate.method->name()));
  }
  if (chosen_.empty()) {
    std::string detail;
    for (const auto& text : problems) detail += (detail.empty() ? "" : "; ") + text;
    for (const auto& text : notes_) detail += (detail.empty() ? "" : "; ") + text;
    return {false, detail.empty() ? "no RAPL domain found" : detail};
  }

  const bool has_package = std::any_of(chosen_.begin(), chosen_.end(), [](const Chosen& c) { return c.domain.kind == "package"; });
  for (auto& chosen : chosen_) {
    chosen.in_total = has_package ? (chosen.domain.kind == "package" || chosen.domain.kind == "dram")
                                  : chosen.domain.kind == "psys";
  }
  if (std::any_of(chosen_.begin(), chosen_.end(), [](const Chosen& c) { return c.in_total; })) {
    total_channel_ = add_channel({.name = "rapl.energy",
                                  .unit = Unit::joule,
                                  .kind = ChannelKind::energy_counter,
                                  .scope = "system",
                                  .max_rate = ceilings::kRaplSumW,
                                  .in_energy_total = true});
  }
  return {true, joined(notes_) + (has_package ? "; rapl.energy = packages + DRAM" : "; rapl.energy = psys")};
}

void RaplSource::read(std::span<Reading> out) {
  const double now_s = static_cast<double>(monotonic_now_ns()) * 1e-9;
  double total_j = 0.0;
  ReadStatus total_status = ReadStatus::ok;
  for (auto& chosen : chosen_) {
    const auto reading = chosen.method->read(chosen.index);
    out[chosen.channel] = {reading.joules, reading.status};
    if (!chosen.in_total) continue;
    // The sum is made of each domain's trusted increase: a glitch in one never reaches it.
    if (reading.status == ReadStatus::ok) chosen.counter.observe(now_s, reading.joules);
    // A domain that cannot be read leaves a hole in the sum: the sum's reading fails with it, so
    // that a failure that lasts fails the sum and makes the run's total PARTIAL from then on.
    if (is_failure(reading.status) && total_status == ReadStatus::ok) total_status = reading.status;
    total_j += chosen.counter.increase();
  }
  if (total_channel_ != static_cast<std::size_t>(-1)) out[total_channel_] = {total_j, total_status};
}

std::unique_ptr<RaplSource> make_rapl_source(const Roots& roots, std::function<void()> settle) {
  std::vector<std::unique_ptr<RaplMethod>> methods;
  methods.push_back(make_powercap_method(roots));
  methods.push_back(make_powercap_mmio_method(roots));
  methods.push_back(make_perf_event_method(roots, PerfEventCalls::kernel()));
  methods.push_back(make_msr_method(roots));
  return std::make_unique<RaplSource>(std::move(methods), std::move(settle));
}

}  // namespace powerfit::sensors
