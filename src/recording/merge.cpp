#include "recording/merge.hpp"

#include "core/output_file.hpp"
#include "recording/readable.hpp"

namespace powerfit::recording {

namespace fs = std::filesystem;

std::vector<MergedSource> merge_databases(const fs::path& target, const std::vector<fs::path>& sources) {
  for (const auto& source : sources) {
    if (same_file(source, target)) {
      throw RecordingError("'" + source.string() + "' is both an input and the output; write the merge to a new file with -o");
    }
  }
  // Every input is opened (and an older one migrated aside) before the output is touched.
  std::vector<ReadableDatabase> inputs;
  for (const auto& source : sources) inputs.emplace_back(source);
  auto database = Database::open(target, Database::Mode::read_write);
  std::vector<MergedSource> merged;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    std::size_t never_closed = 0;
    for (const auto& run : inputs[i].database().runs()) never_closed += run.end_time ? 0 : 1;
    merged.push_back({sources[i], database.merge_from(inputs[i].readable_path()), never_closed});
  }
  return merged;
}

}  // namespace powerfit::recording
