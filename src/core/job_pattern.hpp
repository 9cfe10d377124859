#pragma once
// Slurm's filename patterns in powerfit's own file names (-o, --summary-json, --machine), so that
// `srun -N3 powerfit run -o 'fit-%j-%N.db' -- ...` gives each node its file with no shell wrapper:
// %j job id, %N node name, %t task rank, %a array task id, %A array job id, %n node id, %% a %.
// Outside Slurm %N is the hostname and the others 0. Any other % is kept as written.

#include <functional>
#include <string>
#include <string_view>

namespace powerfit {

// `variable` returns an environment variable's value, or null where it is not set.
std::string expand_job_pattern(std::string_view text, const std::function<const char*(const char*)>& variable,
                               const std::string& hostname);

// The same with this process's environment and host name.
std::string expand_job_pattern(std::string_view text);

}  // namespace powerfit
