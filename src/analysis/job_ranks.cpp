#include "analysis/job_ranks.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace powerfit::analysis {
namespace {

using recording::ReportedRun;

struct Membership {
  std::string job;
  std::int64_t rank = 0, size = 0;
};

// The job a run is a rank of, where its scheduler's variables say so.
std::optional<Membership> membership_of(const ReportedRun& run) {
  if (run.scheduler.empty()) return std::nullopt;
  const auto variables = nlohmann::json::parse(run.scheduler, nullptr, false);
  if (!variables.is_object()) return std::nullopt;
  const auto value = [&](const char* name) {
    const auto found = variables.find(name);
    return found != variables.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  const auto first_number = [&](std::initializer_list<const char*> names) -> std::optional<std::int64_t> {
    for (const char* name : names) {
      if (auto parsed = text::to_i64(value(name))) return parsed;
    }
    return std::nullopt;
  };
  Membership member;
  for (const char* name : {"SLURM_JOB_ID", "SLURM_STEP_ID", "TORCHELASTIC_RUN_ID"}) {
    if (const auto text = value(name); !text.empty()) member.job += (member.job.empty() ? "" : "/") + text;
  }
  const auto rank = first_number({"RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMIX_RANK"});
  const auto size = first_number({"WORLD_SIZE", "SLURM_NTASKS", "OMPI_COMM_WORLD_SIZE"});
  if (member.job.empty() || !rank || !size || *size < 2 || *rank < 0 || *rank >= *size) return std::nullopt;
  member.rank = *rank;
  member.size = *size;
  return member;
}

// Sums what every rank has; nothing where a rank lacks it (the sum would not be the job's).
template <typename Get>
std::optional<double> sum_of_all(const std::vector<const ReportedRun*>& ranks, Get get) {
  double sum = 0.0;
  for (const auto* run : ranks) {
    const std::optional<double> value = get(*run);
    if (!value) return std::nullopt;
    sum += *value;
  }
  return sum;
}

// Sums what the ranks have; nothing where none has it. For ESTIMATED host channels, which local
// rank 0 alone samples.
template <typename Get>
std::optional<double> sum_of_present(const std::vector<const ReportedRun*>& ranks, Get get) {
  std::optional<double> sum;
  for (const auto* run : ranks) {
    if (const std::optional<double> value = get(*run)) sum = sum.value_or(0.0) + *value;
  }
  return sum;
}

template <typename Get>
std::optional<double> longest(const std::vector<const ReportedRun*>& ranks, Get get) {
  std::optional<double> most;
  for (const auto* run : ranks) {
    const std::optional<double> value = get(*run);
    if (!value) return std::nullopt;
    most = std::max(most.value_or(*value), *value);
  }
  return most;
}

std::string joined_arrays(const std::vector<const ReportedRun*>& ranks, std::string ReportedRun::* field) {
  auto all = nlohmann::json::array();
  for (const auto* run : ranks) {
    const auto items = nlohmann::json::parse((run->*field).empty() ? "[]" : run->*field, nullptr, false);
    if (!items.is_array()) continue;
    for (const auto& item : items) all.push_back(item);
  }
  return all.dump();
}

// One run of the job from its ranks' runs, rank 0 first.
ReportedRun pooled(const std::vector<const ReportedRun*>& ranks) {
  ReportedRun job = *ranks.front();
  job.uuid = ranks.front()->uuid + " (and " + std::to_string(ranks.size() - 1) + " ranks more)";
  std::set<std::string> hosts;
  job.counts.inferences = job.counts.correct = 0;
  for (const auto* run : ranks) {
    hosts.insert(run->hostname);
    job.counts.inferences += run->counts.inferences;
    job.counts.correct += run->counts.correct;
    job.start_time = std::min(job.start_time, run->start_time);
    if (!job.error && run->error) job.error = run->error;
    job.never_closed = job.never_closed || run->never_closed;
    if (run != ranks.front()) job.stopped.insert(job.stopped.end(), run->stopped.begin(), run->stopped.end());
  }
  job.nodes = static_cast<std::int64_t>(hosts.size());
  if (hosts.size() > 1) {
    job.hostname.clear();
    for (const auto& host : hosts) job.hostname += (job.hostname.empty() ? "" : ",") + host;
  }
  job.gpu_models = joined_arrays(ranks, &ReportedRun::gpu_models);
  job.gpu_power_limits_w = joined_arrays(ranks, &ReportedRun::gpu_power_limits_w);

  auto& counts = job.counts;
  bool all_top5 = true, all_windows = true;
  for (const auto* run : ranks) {
    all_top5 = all_top5 && run->counts.correct_top5.has_value();
    all_windows = all_windows && run->counts.inference_window.has_value();
  }
  if (all_top5) {
    counts.correct_top5 = 0;
    for (const auto* run : ranks) *counts.correct_top5 += *run->counts.correct_top5;
  } else {
    counts.correct_top5.reset();
  }
  if (all_windows) {
    for (const auto* run : ranks) {
      counts.inference_window->first = std::min(counts.inference_window->first, run->counts.inference_window->first);
      counts.inference_window->second = std::max(counts.inference_window->second, run->counts.inference_window->second);
    }
  } else {
    counts.inference_window.reset();
  }
  counts.throughput_per_s = sum_of_all(ranks, [](const ReportedRun& r) { return r.counts.throughput_per_s; });
  // The job's batch is as slow as its slowest rank.
  counts.latency_p50_s = longest(ranks, [](const ReportedRun& r) { return r.counts.latency_p50_s; });
  counts.latency_p90_s = longest(ranks, [](const ReportedRun& r) { return r.counts.latency_p90_s; });
  counts.latency_p99_s = longest(ranks, [](const ReportedRun& r) { return r.counts.latency_p99_s; });

  job.measured_energy_j = sum_of_present(ranks, [](const ReportedRun& r) { return r.measured_energy_j; });
  job.estimated_energy_j = sum_of_present(ranks, [](const ReportedRun& r) { return r.estimated_energy_j; });
  job.duration_s = longest(ranks, [](const ReportedRun& r) { return r.duration_s; });
  // The inference window's figures where every rank has a window, else none: a sum missing a rank
  // is not the job's.
  job.window_duration_s = longest(ranks, [](const ReportedRun& r) { return r.window_duration_s; });
  if (job.window_duration_s) {
    job.window_measured_energy_j = sum_of_present(ranks, [](const ReportedRun& r) { return r.window_measured_energy_j; });
    job.window_estimated_energy_j = sum_of_present(ranks, [](const ReportedRun& r) { return r.window_estimated_energy_j; });
    job.window_end_s = longest(ranks, [](const ReportedRun& r) { return r.window_end_s; });
  } else {
    job.window_measured_energy_j = job.window_estimated_energy_j = job.window_end_s = std::nullopt;
  }
  job.command_duration_s = longest(ranks, [](const ReportedRun& r) { return r.command_duration_s; });
  if (job.command_duration_s) {
    job.command_measured_energy_j = sum_of_present(ranks, [](const ReportedRun& r) { return r.command_measured_energy_j; });
    job.command_estimated_energy_j = sum_of_present(ranks, [](const ReportedRun& r) { return r.command_estimated_energy_j; });
    job.baseline_measured_power_w = sum_of_present(ranks, [](const ReportedRun& r) { return r.baseline_measured_power_w; });
    job.baseline_estimated_power_w = sum_of_present(ranks, [](const ReportedRun& r) { return r.baseline_estimated_power_w; });
  } else {
    job.command_measured_energy_j = job.command_estimated_energy_j = std::nullopt;
    job.baseline_measured_power_w = job.baseline_estimated_power_w = std::nullopt;
  }
  return job;
}

}  // namespace

PooledRuns pool_job_ranks(const std::vector<ReportedRun>& runs) {
  using Configuration =
      std::tuple<std::string, std::string, std::string, std::string, std::string, std::int64_t, std::string, std::string>;
  struct Group {
    std::int64_t size = 0;
    std::map<std::int64_t, std::vector<const ReportedRun*>> by_rank;
  };
  PooledRuns result;
  std::map<Configuration, Group> groups;
  for (const auto& run : runs) {
    const auto member = membership_of(run);
    if (!member) {
      result.runs.push_back(run);
      continue;
    }
    auto& group = groups[{member->job, run.machine, run.label, run.counts.model, run.counts.model_sha256, run.counts.batch_size.value_or(0),
                          run.counts.device, run.counts.backend}];
    group.size = std::max(group.size, member->size);
    group.by_rank[member->rank].push_back(&run);
  }
  for (auto& [configuration, group] : groups) {
    std::size_t repeats = 0;
    bool even = true;
    for (auto& [rank, list] : group.by_rank) {
      // A rank's repeats in the order they ran.
      std::stable_sort(list.begin(), list.end(), [](const ReportedRun* a, const ReportedRun* b) { return a->start_time < b->start_time; });
      if (repeats == 0) repeats = list.size();
      even = even && list.size() == repeats;
    }
    if (static_cast<std::int64_t>(group.by_rank.size()) != group.size || !even) {
      // One rank alone is a rank's own figure (its file looked at alone, or each node of a step
      // named a machine of its own with --machine); several but not all is a job half merged.
      if (group.by_rank.size() > 1) {
        result.warnings.push_back("job " + std::get<0>(configuration) + " ('" + std::get<2>(configuration) + "'): " +
                                std::to_string(group.by_rank.size()) + " of " + std::to_string(group.size) +
                                " ranks' runs found" + (even ? "" : ", not as many of each") +
                                  "; scored per rank, not as one job (merge every rank's database first)");
      }
      for (const auto& [rank, list] : group.by_rank) {
        for (const auto* run : list) result.runs.push_back(*run);
      }
      continue;
    }
    for (std::size_t k = 0; k < repeats; ++k) {
      std::vector<const ReportedRun*> ranks;
      for (const auto& [rank, list] : group.by_rank) ranks.push_back(list[k]);
      result.runs.push_back(pooled(ranks));
    }
  }
  return result;
}

}  // namespace powerfit::analysis
