#include "core/job_pattern.hpp"

#include <gtest/gtest.h>

#include <map>

namespace powerfit {
namespace {

TEST(JobPattern, SlurmsLettersFromItsVariables) {
  const std::map<std::string, std::string> slurm{{"SLURM_JOB_ID", "4242"},      {"SLURMD_NODENAME", "n2"},
                                                 {"SLURM_PROCID", "5"},         {"SLURM_ARRAY_TASK_ID", "3"},
                                                 {"SLURM_ARRAY_JOB_ID", "4240"}, {"SLURM_NODEID", "1"}};
  const auto variable = [&](const char* name) -> const char* {
    const auto found = slurm.find(name);
    return found == slurm.end() ? nullptr : found->second.c_str();
  };
  EXPECT_EQ(expand_job_pattern("fit-%j-%N.db", variable, "vm"), "fit-4242-n2.db");
  EXPECT_EQ(expand_job_pattern("%A_%a/t%t-n%n.json", variable, "vm"), "4240_3/t5-n1.json");
  EXPECT_EQ(expand_job_pattern("100%%-%q%", variable, "vm"), "100%-%q%");  // %% and unknown letters
}

TEST(JobPattern, OutsideSlurmTheHostnameAndZero) {
  const auto none = [](const char*) -> const char* { return nullptr; };
  EXPECT_EQ(expand_job_pattern("fit-%j-%N-%t.db", none, "vm"), "fit-0-vm-0.db");
  EXPECT_EQ(expand_job_pattern("plain.db", none, "vm"), "plain.db");
}

}  // namespace
}  // namespace powerfit
