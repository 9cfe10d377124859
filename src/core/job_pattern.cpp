#include "core/job_pattern.hpp"

#include <unistd.h>

#include <cstdlib>

namespace powerfit {

std::string expand_job_pattern(std::string_view text, const std::function<const char*(const char*)>& variable,
                               const std::string& hostname) {
  const auto value = [&](const char* name, const std::string& otherwise) {
    const char* set = variable(name);
    return set != nullptr && *set != '\0' ? std::string(set) : otherwise;
  };
  std::string expanded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%' || i + 1 == text.size()) {
      expanded += text[i];
      continue;
    }
    switch (text[++i]) {
      case 'j': expanded += value("SLURM_JOB_ID", "0"); break;
      case 'N': expanded += value("SLURMD_NODENAME", hostname); break;
      case 't': expanded += value("SLURM_PROCID", "0"); break;
      case 'a': expanded += value("SLURM_ARRAY_TASK_ID", "0"); break;
      case 'A': expanded += value("SLURM_ARRAY_JOB_ID", "0"); break;
      case 'n': expanded += value("SLURM_NODEID", "0"); break;
      case '%': expanded += '%'; break;
      default: expanded += '%'; expanded += text[i]; break;
    }
  }
  return expanded;
}

std::string expand_job_pattern(std::string_view text) {
  if (text.find('%') == std::string_view::npos) return std::string(text);
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return expand_job_pattern(text, [](const char* variable) { return std::getenv(variable); }, name);
}

}  // namespace powerfit
