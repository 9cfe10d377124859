#include "recording/export.hpp"

#include <charconv>
#include <map>

#include <nlohmann/json.hpp>

namespace powerfit::recording {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// The shortest text that reads back as the same double.
std::string number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace

std::uint64_t export_samples(Database& database, std::optional<std::int64_t> run_id, ExportFormat format,
                             std::ostream& out) {
  std::uint64_t rows = 0;
  if (format == ExportFormat::csv) {
    out << "run_id,time,elapsed_s,channel,unit,kind,scope,estimated,value\n";
  } else {
    out << "[";
  }
  // The scheduler's variables of each run go on its JSON records, under their own names.
  std::map<std::int64_t, nlohmann::ordered_json> schedulers;
  if (format == ExportFormat::json) {
    for (const auto& [id, text] : database.run_schedulers()) {
      schedulers[id] = nlohmann::ordered_json::parse(text, nullptr, false);
    }
  }
  database.for_each_sample(run_id, [&](const SampleRow& row) {
    const std::string time = iso8601_utc(row.start_wall_ns + row.time_ns);
    const double elapsed = static_cast<double>(row.time_ns) * 1e-9;
    if (format == ExportFormat::csv) {
      out << row.run_id << ',' << time << ',' << number(elapsed) << ',' << csv_field(row.channel) << ','
          << csv_field(row.unit) << ',' << row.kind << ',' << csv_field(row.scope) << ','
          << (row.estimated ? "true" : "false") << ',' << number(row.value) << '\n';
    } else {
      nlohmann::ordered_json object = {
          {"run_id", row.run_id}, {"time", time},   {"elapsed_s", elapsed},
          {"channel", row.channel}, {"unit", row.unit}, {"kind", row.kind},
          {"scope", row.scope},   {"estimated", row.estimated}, {"value", row.value}};
      if (const auto found = schedulers.find(row.run_id); found != schedulers.end() && found->second.is_object()) {
        for (const auto& [name, value] : found->second.items()) object[name] = value;
      }
      out << (rows == 0 ? "\n" : ",\n") << object.dump();
    }
    ++rows;
  });
  if (format == ExportFormat::json) out << (rows == 0 ? "]\n" : "\n]\n");
  return rows;
}

}  // namespace powerfit::recording
