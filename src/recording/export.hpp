#pragma once
// Tidy exports of recorded samples: one row per sample and channel, SI units, ISO 8601 times.

#include <cstdint>
#include <optional>
#include <ostream>

#include "recording/database.hpp"

namespace powerfit::recording {

enum class ExportFormat { csv, json };

// Returns the number of rows written.
std::uint64_t export_samples(Database& database, std::optional<std::int64_t> run_id, ExportFormat format,
                             std::ostream& out);

}  // namespace powerfit::recording
