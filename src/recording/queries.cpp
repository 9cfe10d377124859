// Reading runs back: rows, channels, series, markers and the runs scores rest on.

#include "recording/database.hpp"

namespace powerfit::recording {

std::map<std::int64_t, std::vector<std::pair<std::int64_t, double>>> Database::run_series(std::int64_t run_id) {
  Statement statement(db_.get(), kRunSeriesSql);
  statement.bind(1, run_id);
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, double>>> series;
  while (statement.step()) series[statement.int64(0)].emplace_back(statement.int64(1), statement.real(2));
  return series;
}

std::vector<std::pair<std::int64_t, double>> Database::channel_series(std::int64_t channel_id) {
  Statement statement(db_.get(), kChannelSeriesSql);
  statement.bind(1, channel_id);
  std::vector<std::pair<std::int64_t, double>> series;
  while (statement.step()) series.emplace_back(statement.int64(0), statement.real(1));
  return series;
}

bool Database::has_column(const std::string& table, const std::string& column) {
  Statement info(db_.get(), "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2");
  info.bind(1, table).bind(2, column);
  info.step();
  return info.int64(0) > 0;
}

std::map<std::int64_t, std::string> Database::run_schedulers() {
  std::map<std::int64_t, std::string> schedulers;
  if (!has_column("runs", "scheduler")) return schedulers;
  Statement statement(db_.get(), "SELECT id, scheduler FROM runs WHERE scheduler IS NOT NULL");
  while (statement.step()) schedulers[statement.int64(0)] = statement.text(1);
  return schedulers;
}

std::vector<ReportedRun> Database::reported_runs(const std::vector<std::int64_t>& only_runs) {
  // Energy totals come from the channel summaries, measured and estimated apart.
  // Only the runs asked for are read: the energy sums below are a subquery per run.
  std::string only;
  for (std::size_t i = 0; i < only_runs.size(); ++i) only += (i == 0 ? "WHERE r.id IN (?" : ", ?");
  if (!only.empty()) only += ")";
  // Columns a file of an older schema lacks are read as NULL (kOldestReadableVersion).
  const auto runs_column = [&](const std::string& column) { return has_column("runs", column) ? "r." + column : std::string("NULL"); };
  Statement statement(db_.get(), R"sql(
    SELECT r.id AS id, r.uuid AS uuid, r.label AS label, r.command AS command, COALESCE(r.hostname, '') AS hostname,
           r.start_time AS start_time, r.exit_status AS exit_status, w.error AS error, w.inferences AS inferences, w.correct AS correct,
           w.correct_top5 AS correct_top5, COALESCE(w.model, '') AS model, COALESCE(w.device, '') AS device,
           w.batch_size AS batch_size, COALESCE(w.dataset, '') AS dataset, w.parameters AS parameters, w.macs AS macs,
           (SELECT SUM(cs.energy_j) FROM channels c JOIN channel_summaries cs ON cs.channel_id = c.id
             WHERE c.run_id = r.id AND c.in_energy_total = 1 AND c.estimated = 0) AS measured_energy_j,
           (SELECT SUM(cs.energy_j) FROM channels c JOIN channel_summaries cs ON cs.channel_id = c.id
             WHERE c.run_id = r.id AND c.in_energy_total = 1 AND c.estimated = 1) AS estimated_energy_j,
           r.duration_s AS duration_s, w.window_measured_energy_j AS window_measured_energy_j,
           w.window_estimated_energy_j AS window_estimated_energy_j, b.measured_power_w AS baseline_measured_power_w,
           b.estimated_power_w AS baseline_estimated_power_w, b.command_measured_energy_j AS command_measured_energy_j,
           b.command_estimated_energy_j AS command_estimated_energy_j,
           w.window_end_s - w.window_start_s AS window_duration_s, b.command_duration_s AS command_duration_s,
           w.declared_accuracy AS declared_accuracy, COALESCE(w.backend, '') AS backend,
           COALESCE(w.model_sha256, '') AS model_sha256, w.dataset_size AS dataset_size,
           w.latency_p50_s AS latency_p50_s, w.latency_p90_s AS latency_p90_s, w.latency_p99_s AS latency_p99_s,
           w.throughput_per_s AS throughput_per_s, w.warmup_batches AS warmup_batches, w.threads AS threads,
           COALESCE(r.cpu_model, '') AS cpu_model, COALESCE(r.gpu_models, '') AS gpu_models,
           w.window_end_s AS window_end_s, r.end_time IS NULL AS never_closed,
           COALESCE(r.cpu_cores, 0) AS cpu_cores, COALESCE(r.gpu_power_limits_w, '') AS gpu_power_limits_w,
           COALESCE()sql" + runs_column("machine") + ", '') AS machine, COALESCE(" + runs_column("scheduler") + R"sql(, '') AS scheduler
    FROM runs r JOIN workload_reports w ON w.run_id = r.id LEFT JOIN baselines b ON b.run_id = r.id
    )sql" + only + " ORDER BY r.id");
  for (std::size_t i = 0; i < only_runs.size(); ++i) statement.bind(static_cast<int>(i + 1), only_runs[i]);
  // Columns are read by name, never by position.
  const auto text = [&](const char* name) { return statement.text(statement.column(name)); };
  const auto real = [&](const char* name) { return statement.optional_real(statement.column(name)); };
  const auto whole = [&](const char* name) { return statement.optional_int64(statement.column(name)); };
  std::vector<ReportedRun> rows;
  while (statement.step()) {
    ReportedRun row{.run_id = whole("id").value_or(0),
                    .uuid = text("uuid"),
                    .label = text("label"),
                    .command = text("command"),
                    .hostname = text("hostname"),
                    .start_time = text("start_time")};
    if (!statement.is_null(statement.column("error"))) row.error = text("error");
    row.exit_status = whole("exit_status");
    auto& counts = row.counts;
    counts.inferences = whole("inferences").value_or(0);
    counts.correct = whole("correct").value_or(0);
    counts.correct_top5 = whole("correct_top5");
    counts.model = text("model");
    counts.device = text("device");
    counts.batch_size = whole("batch_size");
    counts.dataset = text("dataset");
    counts.parameters = real("parameters");
    counts.macs = real("macs");
    counts.declared_accuracy_percent = real("declared_accuracy");
    counts.backend = text("backend");
    counts.model_sha256 = text("model_sha256");
    counts.dataset_size = whole("dataset_size");
    counts.latency_p50_s = real("latency_p50_s");
    counts.latency_p90_s = real("latency_p90_s");
    counts.latency_p99_s = real("latency_p99_s");
    counts.throughput_per_s = real("throughput_per_s");
    counts.warmup_batches = whole("warmup_batches");
    counts.threads = whole("threads");
    row.measured_energy_j = real("measured_energy_j");
    row.estimated_energy_j = real("estimated_energy_j");
    row.duration_s = real("duration_s");
    row.window_measured_energy_j = real("window_measured_energy_j");
    row.window_estimated_energy_j = real("window_estimated_energy_j");
    row.baseline_measured_power_w = real("baseline_measured_power_w");
    row.baseline_estimated_power_w = real("baseline_estimated_power_w");
    row.command_measured_energy_j = real("command_measured_energy_j");
    row.command_estimated_energy_j = real("command_estimated_energy_j");
    row.window_duration_s = real("window_duration_s");
    row.command_duration_s = real("command_duration_s");
    row.cpu_model = text("cpu_model");
    row.gpu_models = text("gpu_models");
    row.cpu_cores = whole("cpu_cores").value_or(0);
    row.gpu_power_limits_w = text("gpu_power_limits_w");
    row.machine = text("machine");
    row.scheduler = text("scheduler");
    row.window_end_s = real("window_end_s");
    row.never_closed = whole("never_closed").value_or(0) != 0;
    rows.push_back(std::move(row));
  }
  Statement stopped(db_.get(), R"sql(
    SELECT name, failure, COALESCE(failed_at_s, 0), estimated FROM channels
    WHERE run_id = ?1 AND in_energy_total = 1 AND failure IS NOT NULL ORDER BY id)sql");
  for (auto& row : rows) {
    stopped.bind(1, row.run_id);
    while (stopped.step()) row.stopped.push_back({stopped.text(0), stopped.text(1), stopped.real(2), stopped.int64(3) != 0});
    stopped.reset();
  }
  Statement unsampled(db_.get(), R"sql(
    SELECT c.name, c.estimated FROM channels c
    WHERE c.run_id = ?1 AND c.in_energy_total = 1 AND c.failure IS NULL
      AND NOT EXISTS (SELECT 1 FROM window_channel_energy w WHERE w.run_id = c.run_id AND w.channel_id = c.id)
      AND EXISTS (SELECT 1 FROM window_channel_energy w WHERE w.run_id = c.run_id)
    ORDER BY c.id)sql");
  for (auto& row : rows) {
    unsampled.bind(1, row.run_id);
    while (unsampled.step()) row.unsampled_in_window.push_back({unsampled.text(0), unsampled.int64(1) != 0});
    unsampled.reset();
  }
  return rows;
}

std::vector<RunRow> Database::runs() {
  Statement statement(db_.get(), R"sql(
    SELECT id, uuid, command, label, start_time, end_time, duration_s, exit_status, hostname
    FROM runs ORDER BY id)sql");
  std::vector<RunRow> rows;
  while (statement.step()) {
    RunRow row{.id = statement.int64(0),
               .uuid = statement.text(1),
               .command = statement.text(2),
               .label = statement.text(3),
               .start_time = statement.text(4),
               .duration_s = statement.optional_real(6),
               .exit_status = statement.optional_int64(7),
               .hostname = statement.text(8)};
    if (!statement.is_null(5)) row.end_time = statement.text(5);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<ChannelRow> Database::run_channels(std::int64_t run_id) {
  Statement statement(db_.get(), R"sql(
    SELECT c.id, c.name, c.unit, c.kind, c.scope, c.estimated, c.in_energy_total, cs.energy_j, w.energy_j
    FROM channels c LEFT JOIN channel_summaries cs ON cs.channel_id = c.id
    LEFT JOIN window_channel_energy w ON w.channel_id = c.id AND w.run_id = c.run_id
    WHERE c.run_id = ?1 ORDER BY c.id)sql");
  statement.bind(1, run_id);
  std::vector<ChannelRow> rows;
  while (statement.step()) {
    rows.push_back({.id = statement.int64(0),
                    .name = statement.text(1),
                    .unit = statement.text(2),
                    .kind = statement.text(3),
                    .scope = statement.text(4),
                    .estimated = statement.int64(5) != 0,
                    .in_energy_total = statement.int64(6) != 0,
                    .energy_j = statement.optional_real(7),
                    .window_energy_j = statement.optional_real(8)});
  }
  return rows;
}

std::vector<Marker> Database::markers(std::int64_t run_id) {
  Statement statement(db_.get(), "SELECT t_ns, name FROM markers WHERE run_id = ?1 ORDER BY t_ns, rowid");
  statement.bind(1, run_id);
  std::vector<Marker> rows;
  while (statement.step()) rows.push_back({.time_ns = statement.int64(0), .name = statement.text(1)});
  return rows;
}

bool Database::has_run(std::int64_t run_id) {
  Statement statement(db_.get(), "SELECT 1 FROM runs WHERE id = ?1");
  statement.bind(1, run_id);
  return statement.step();
}

void Database::for_each_sample(std::optional<std::int64_t> run_id,
                               const std::function<void(const SampleRow&)>& visit) {
  Statement statement(db_.get(), R"sql(
    SELECT c.run_id, r.start_wall_ns, s.t_ns, c.name, c.unit, c.kind, c.scope, c.estimated, s.value
    FROM samples s JOIN channels c ON c.id = s.channel_id JOIN runs r ON r.id = s.run_id
    WHERE ?1 IS NULL OR s.run_id = ?1
    ORDER BY s.rowid)sql");
  statement.bind(1, run_id);
  SampleRow row;
  while (statement.step()) {
    row.run_id = statement.int64(0);
    row.start_wall_ns = statement.int64(1);
    row.time_ns = statement.int64(2);
    row.channel = statement.text(3);
    row.unit = statement.text(4);
    row.kind = statement.text(5);
    row.scope = statement.text(6);
    row.estimated = statement.int64(7) != 0;
    row.value = statement.real(8);
    visit(row);
  }
}

}  // namespace powerfit::recording
