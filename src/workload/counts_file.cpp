#include "workload/counts_file.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/counts_check.hpp"

namespace powerfit::workload {
namespace {

using json = nlohmann::json;

std::optional<std::int64_t> count(const json& object, const char* key, std::string& problem) {
  if (!object.contains(key)) return std::nullopt;
  const auto& value = object[key];
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
    problem = std::string("\"") + key + "\" must be a whole number >= 0";
    return std::nullopt;
  }
  return value.get<std::int64_t>();
}

std::optional<double> positive(const json& object, const char* key, std::string& problem) {
  if (!object.contains(key)) return std::nullopt;
  if (!object[key].is_number() || object[key].get<double>() <= 0) {
    problem = std::string("\"") + key + "\" must be a number > 0";
    return std::nullopt;
  }
  return object[key].get<double>();
}

std::string text(const json& object, const char* key) {
  return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : std::string();
}

}  // namespace

std::variant<WorkloadCounts, CountsError> parse_counts(const std::string& json_text) {
  json object;
  try {
    object = json::parse(json_text);
  } catch (const json::exception& error) {  // a syntax error, or a number beyond a double (1e400)
    return CountsError{std::string("not valid JSON: ") + error.what()};
  }
  if (!object.is_object()) return CountsError{"not a JSON object"};
  std::string problem;
  WorkloadCounts report{.raw = object.dump()};
  const auto inferences = count(object, "inferences", problem);
  const auto correct = count(object, "correct", problem);
  report.correct_top5 = count(object, "correct_top5", problem);
  report.batch_size = count(object, "batch_size", problem);
  report.parameters = positive(object, "parameters", problem);
  report.macs = positive(object, "macs", problem);
  if (object.contains("inference_window")) {
    const auto& window = object["inference_window"];
    if (!window.is_array() || window.size() != 2 || !window[0].is_number() || !window[1].is_number()) {
      problem = "\"inference_window\" must be [start, end] in UNIX seconds, start before end";
    } else {
      report.inference_window = std::make_pair(window[0].get<double>(), window[1].get<double>());
    }
  }
  if (!problem.empty()) return CountsError{problem};
  if (!inferences || !correct) return CountsError{"\"inferences\" and \"correct\" are required"};
  report.inferences = *inferences;
  report.correct = *correct;
  if (auto problem_with_counts = counts_problem(report); !problem_with_counts.empty()) return CountsError{problem_with_counts};
  report.model = text(object, "model");
  report.device = text(object, "device");
  report.dataset = text(object, "dataset");
  return report;
}

std::optional<std::variant<WorkloadCounts, CountsError>> read_counts_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (content.str().find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  return parse_counts(content.str());
}

}  // namespace powerfit::workload
