// Recording a run: its row, channels, samples, markers, summary and counts.

#include "recording/database.hpp"

#include <time.h>

#include <array>
#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

#include "powerfit/version.hpp"

namespace powerfit::recording {

std::string iso8601_utc(std::int64_t wall_ns) {
  const time_t seconds = static_cast<time_t>(wall_ns / 1'000'000'000);
  const long micros = static_cast<long>((wall_ns % 1'000'000'000) / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
  return buffer;
}

std::string new_run_uuid() {
  std::random_device device;
  std::array<std::uint8_t, 16> bytes{};
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(device());
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);
  char text[37];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return text;
}

Statement& Database::cached(std::unique_ptr<Statement>& slot, std::string_view sql) {
  if (!slot) slot = std::make_unique<Statement>(db_.get(), sql);
  return *slot;
}

std::int64_t Database::begin_run(const RunStart& start) {
  Statement statement(db_.get(), R"sql(
    INSERT INTO runs (uuid, command, label, start_wall_ns, start_time, interval_s, hostname, kernel,
                      cpu_model, cpu_cores, memory_bytes, gpu_models, gpu_driver, powerfit_version, gpu_uuids,
                      gpu_power_limits_w, scheduler, machine)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18))sql");
  nlohmann::ordered_json scheduler = nlohmann::ordered_json::object();
  for (const auto& [name, value] : start.host.scheduler) scheduler[name] = value;
  statement.bind(1, start.uuid)
      .bind(2, nlohmann::json(start.command).dump())
      .bind(3, start.label)
      .bind(4, start.start_wall_ns)
      .bind(5, iso8601_utc(start.start_wall_ns))
      .bind(6, start.interval_s)
      .bind(7, start.host.hostname)
      .bind(8, start.host.kernel)
      .bind(9, start.host.cpu_model)
      .bind(10, static_cast<std::int64_t>(start.host.cpu_cores))
      .bind(11, static_cast<std::int64_t>(start.host.memory_bytes))
      .bind(12, nlohmann::json(start.host.gpu_models).dump())
      .bind(13, start.host.gpu_driver)
      .bind(14, std::string_view(kVersion))
      .bind(15, nlohmann::json(start.host.gpu_uuids).dump())
      .bind(16, nlohmann::json(start.host.gpu_power_limits_w).dump())
      .bind(17, start.host.scheduler.empty() ? std::optional<std::string>() : std::optional<std::string>(scheduler.dump()))
      .bind(18, start.machine.empty() ? std::optional<std::string>() : std::optional<std::string>(start.machine));
  statement.run();
  return sqlite3_last_insert_rowid(db_.get());
}

std::vector<std::int64_t> Database::add_channels(std::int64_t run_id, const std::vector<ChannelInfo>& channels) {
  Statement statement(db_.get(), R"sql(
    INSERT INTO channels (run_id, name, source, unit, kind, scope, estimated, wrap_at, in_energy_total)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))sql");
  std::vector<std::int64_t> ids;
  try {
    Transaction transaction(db_.get());
    for (const auto& channel : channels) {
      statement.bind(1, run_id)
          .bind(2, channel.name)
          .bind(3, channel.source)
          .bind(4, to_string(channel.unit))
          .bind(5, to_string(channel.kind))
          .bind(6, channel.scope)
          .bind(7, static_cast<std::int64_t>(channel.provenance == Provenance::estimated))
          .bind(8, channel.wrap_at > 0.0 ? std::optional<double>(channel.wrap_at) : std::nullopt)
          .bind(9, static_cast<std::int64_t>(channel.in_energy_total));
      statement.run();
      ids.push_back(sqlite3_last_insert_rowid(db_.get()));
    }
    transaction.commit();
  } catch (...) {
    // A run whose channels cannot be stored (two of one name, say) leaves no row behind.
    Statement remove(db_.get(), "DELETE FROM runs WHERE id = ?1");
    remove.bind(1, run_id).run();
    throw;
  }
  return ids;
}


void Database::insert_sample(std::int64_t run_id, std::int64_t channel_id, std::int64_t time_ns, double value) {
  cached(insert_sample_, "INSERT INTO samples (run_id, channel_id, t_ns, value) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, run_id)
      .bind(2, channel_id)
      .bind(3, time_ns)
      .bind(4, value)
      .run();
}

void Database::insert_marker(std::int64_t run_id, const Marker& marker) {
  cached(insert_marker_, "INSERT INTO markers (run_id, t_ns, name) VALUES (?1, ?2, ?3)")
      .bind(1, run_id)
      .bind(2, marker.time_ns)
      .bind(3, marker.name)
      .run();
}

bool Database::make_room() {
  return sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr) == SQLITE_OK;
}

void Database::finish_run(std::int64_t run_id, std::int64_t end_wall_ns, const RunSummary& summary,
                          const std::vector<std::int64_t>& channel_ids) {
  Transaction transaction(db_.get());
  Statement run(db_.get(), R"sql(
    UPDATE runs SET end_time = ?2, duration_s = ?3, exit_status = ?4, samples = ?5,
      missed_deadlines = ?6, dropped_ticks = ?7, max_lateness_s = ?8, sampler_cpu_s = ?9,
      sampler_overhead_percent = ?10, writer_cpu_s = ?11, child_cpu_s = ?12, process_cpu_s = ?13,
      process_overhead_percent = ?14
    WHERE id = ?1)sql");
  run.bind(1, run_id)
      .bind(2, iso8601_utc(end_wall_ns))
      .bind(3, summary.duration_s)
      .bind(4, static_cast<std::int64_t>(summary.exit_status))
      .bind(5, static_cast<std::int64_t>(summary.samples))
      .bind(6, static_cast<std::int64_t>(summary.missed_deadlines))
      .bind(7, static_cast<std::int64_t>(summary.dropped_ticks))
      .bind(8, summary.max_lateness_s)
      .bind(9, summary.sampler_cpu_s)
      .bind(10, summary.sampler_overhead_percent)
      .bind(11, summary.writer_cpu_s)
      .bind(12, summary.child_cpu_s)
      .bind(13, summary.process_cpu_s)
      .bind(14, summary.process_overhead_percent);
  run.run();
  Statement channel(db_.get(), "UPDATE channels SET failed_at_s = ?2, failure = ?3 WHERE id = ?1");
  Statement source(db_.get(), "UPDATE channels SET source = ?2 WHERE id = ?1");
  Statement totals(db_.get(), R"sql(
    INSERT OR REPLACE INTO channel_summaries (channel_id, samples, total, mean, min, max, energy_j, last)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))sql");
  if (const auto& baseline = summary.baseline) {
    Statement statement(db_.get(), R"sql(
      INSERT OR REPLACE INTO baselines (run_id, duration_s, command_duration_s, measured_power_w, estimated_power_w,
        command_measured_energy_j, command_estimated_energy_j, dynamic_measured_energy_j, dynamic_estimated_energy_j,
        from_run_uuid, settle_s)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULLIF(?10, ''), ?11))sql");
    statement.bind(1, run_id)
        .bind(2, baseline->duration_s)
        .bind(3, baseline->command_duration_s)
        .bind(4, baseline->measured_power_w)
        .bind(5, baseline->estimated_power_w)
        .bind(6, baseline->command_measured_energy_j)
        .bind(7, baseline->command_estimated_energy_j)
        .bind(8, baseline->dynamic_measured_energy_j)
        .bind(9, baseline->dynamic_estimated_energy_j)
        .bind(10, baseline->from_run_uuid)
        .bind(11, baseline->settle_s);
    statement.run();
  }
  for (std::size_t i = 0; i < summary.channels.size() && i < channel_ids.size(); ++i) {
    const auto& s = summary.channels[i];
    // A failed counter whose energy its power gauge counted on is whole: its source says how.
    if (s.incomplete()) {
      channel.bind(1, channel_ids[i]).bind(2, s.failed_at_s).bind(3, *s.failure);
      channel.run();
    } else if (s.counted_from_gauge) {
      source.bind(1, channel_ids[i]).bind(2, s.info.source);
      source.run();
    }
    totals.bind(1, channel_ids[i])
        .bind(2, static_cast<std::int64_t>(s.samples))
        .bind(3, s.total)
        .bind(4, s.mean)
        .bind(5, s.min)
        .bind(6, s.max)
        .bind(7, s.energy_j)
        .bind(8, s.last);
    totals.run();
  }
  transaction.commit();
}

void Database::save_workload_report(std::int64_t run_id, const WorkloadCounts& report) {
  Statement statement(db_.get(), R"sql(
    INSERT OR REPLACE INTO workload_reports (run_id, inferences, correct, correct_top5, model, device, batch_size,
                                             dataset, parameters, macs, raw, declared_accuracy, backend,
                                             model_sha256, dataset_size, latency_p50_s, latency_p90_s,
                                             latency_p99_s, throughput_per_s, warmup_batches, threads)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21))sql");
  statement.bind(1, run_id)
      .bind(2, report.inferences)
      .bind(3, report.correct)
      .bind(4, report.correct_top5)
      .bind(5, report.model)
      .bind(6, report.device)
      .bind(7, report.batch_size)
      .bind(8, report.dataset)
      .bind(9, report.parameters)
      .bind(10, report.macs)
      .bind(11, report.raw)
      .bind(12, report.declared_accuracy_percent)
      .bind(13, report.backend)
      .bind(14, report.model_sha256)
      .bind(15, report.dataset_size)
      .bind(16, report.latency_p50_s)
      .bind(17, report.latency_p90_s)
      .bind(18, report.latency_p99_s)
      .bind(19, report.throughput_per_s)
      .bind(20, report.warmup_batches)
      .bind(21, report.threads);
  statement.run();
}

void Database::save_window_energy(std::int64_t run_id, double start_s, double end_s, std::optional<double> measured_j,
                                  std::optional<double> estimated_j) {
  Statement statement(db_.get(), R"sql(
    UPDATE workload_reports SET window_start_s = ?2, window_end_s = ?3, window_measured_energy_j = ?4,
                                window_estimated_energy_j = ?5
    WHERE run_id = ?1)sql");
  statement.bind(1, run_id).bind(2, start_s).bind(3, end_s).bind(4, measured_j).bind(5, estimated_j);
  statement.run();
}

void Database::save_window_channel_energy(std::int64_t run_id, std::int64_t channel_id, double joules) {
  Statement statement(db_.get(), R"sql(
    INSERT OR REPLACE INTO window_channel_energy (run_id, channel_id, energy_j) VALUES (?1, ?2, ?3))sql");
  statement.bind(1, run_id).bind(2, channel_id).bind(3, joules);
  statement.run();
}

void Database::save_workload_report_error(std::int64_t run_id, const std::string& error) {
  // Keeps any counts already saved: a run can be reported and still unscorable.
  Statement statement(db_.get(), R"sql(
    INSERT INTO workload_reports (run_id, error) VALUES (?1, ?2)
    ON CONFLICT (run_id) DO UPDATE SET error = excluded.error)sql");
  statement.bind(1, run_id).bind(2, error);
  statement.run();
}
}  // namespace powerfit::recording
