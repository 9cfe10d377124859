// Which GPUs and host channels a session counts in a job of several processes.

#include "session/gpu_binding.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

namespace powerfit::session {
namespace {

struct Job {
  std::map<std::string, std::string> variables;
  std::optional<std::vector<std::string>> cuda;  // what libcuda says, where it is there
  GpuBinding bind(const std::optional<std::vector<std::string>>& chosen = std::nullopt, bool sources = false) const {
    return bind_gpus(
        chosen, sources,
        [this](const char* name) {
          const auto found = variables.find(name);
          return found == variables.end() ? nullptr : found->second.c_str();
        },
        [this] { return cuda; });
  }
};

using Gpus = std::optional<std::vector<std::string>>;

TEST(GpuBinding, OneProcessCountsEveryGpuAndTheHost) {
  const auto binding = Job{}.bind();
  EXPECT_EQ(binding.gpus, Gpus());
  EXPECT_TRUE(binding.host_channels);
  EXPECT_TRUE(binding.why.empty());
}

TEST(GpuBinding, TorchrunRankTakesItsGpuAndLeavesTheHostToRankZero) {
  // Two GPUs at 250 W and 100 W, one rank each: every rank counted both, 700 W in all.
  const auto rank1 = Job{{{"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"}}}.bind();
  EXPECT_EQ(rank1.gpus, Gpus({"1"}));
  EXPECT_FALSE(rank1.host_channels);
  EXPECT_NE(rank1.why.find("local rank 1 of 2 (LOCAL_RANK)"), std::string::npos) << rank1.why;
  const auto rank0 = Job{{{"LOCAL_RANK", "0"}, {"LOCAL_WORLD_SIZE", "2"}}}.bind();
  EXPECT_EQ(rank0.gpus, Gpus({"0"}));
  EXPECT_TRUE(rank0.host_channels);
}

TEST(GpuBinding, ARankBoundByCudaVisibleDevicesTakesThatGpuByIndexOrUuid) {
  // srun --gpus-per-task: each task sees one GPU.
  const auto by_index = Job{{{"SLURM_LOCALID", "3"}, {"SLURM_NTASKS_PER_NODE", "4"}, {"CUDA_VISIBLE_DEVICES", "6"},
                             {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}}}.bind();
  EXPECT_EQ(by_index.gpus, Gpus({"6"}));
  EXPECT_EQ(by_index.why.find("PCI order"), std::string::npos) << by_index.why;  // told to be PCI order
  const auto by_uuid = Job{{{"OMPI_COMM_WORLD_LOCAL_RANK", "1"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"},
                            {"CUDA_VISIBLE_DEVICES", "GPU-fake-5"}}}.bind();
  EXPECT_EQ(by_uuid.gpus, Gpus({"GPU-fake-5"}));
  // All GPUs visible to every rank (torchrun's way): rank i uses the i-th, cuda:LOCAL_RANK.
  const auto ith = Job{{{"LOCAL_RANK", "2"}, {"LOCAL_WORLD_SIZE", "4"}, {"CUDA_VISIBLE_DEVICES", "4,5,6,7"}}}.bind();
  EXPECT_EQ(ith.gpus, Gpus({"6"}));
  EXPECT_NE(ith.why.find("PCI order"), std::string::npos) << ith.why;  // numbers, and CUDA's order unknown
  // Slurm's tasks per node as it writes them: "4(x2)".
  const auto slurm = Job{{{"SLURM_LOCALID", "0"}, {"SLURM_STEP_TASKS_PER_NODE", "4(x2)"}}}.bind();
  EXPECT_EQ(slurm.gpus, Gpus({"0"}));
}

TEST(GpuBinding, CudasOrderIsMatchedByUuid) {
  // CUDA's default order is fastest first, not PCI order: what libcuda says wins.
  const auto binding = Job{{{"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"}, {"CUDA_VISIBLE_DEVICES", "0,1"}},
                           std::vector<std::string>{"GPU-fake-1", "GPU-fake-0"}}.bind();
  EXPECT_EQ(binding.gpus, Gpus({"GPU-fake-0"}));
  EXPECT_EQ(binding.why.find("PCI order"), std::string::npos) << binding.why;
}

TEST(GpuBinding, OneProcessLimitedByCudaVisibleDevicesCountsThoseAlone) {
  const auto binding = Job{{{"CUDA_VISIBLE_DEVICES", "1,3"}}}.bind();
  EXPECT_EQ(binding.gpus, Gpus({"1", "3"}));
  EXPECT_TRUE(binding.host_channels);
  const auto none = Job{{{"CUDA_VISIBLE_DEVICES", ""}}}.bind();
  EXPECT_EQ(none.gpus, Gpus(std::vector<std::string>{}));
}

TEST(GpuBinding, AChoiceOverridesTheLayoutAndNamedSourcesKeepTheHost) {
  const Job job{{{"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"}, {"CUDA_VISIBLE_DEVICES", "1"}}};
  const auto chosen = job.bind(std::vector<std::string>{"0", "1"});
  EXPECT_EQ(chosen.gpus, Gpus({"0", "1"}));
  EXPECT_NE(chosen.why.find("as chosen"), std::string::npos) << chosen.why;
  EXPECT_TRUE(job.bind(std::nullopt, true).host_channels);
}

TEST(GpuBinding, ARankBeyondTheGpusItSeesTakesNone) {
  const auto binding = Job{{{"LOCAL_RANK", "3"}, {"LOCAL_WORLD_SIZE", "4"}, {"CUDA_VISIBLE_DEVICES", "0,1"}}}.bind();
  EXPECT_EQ(binding.gpus, Gpus(std::vector<std::string>{}));
  EXPECT_NE(binding.why.find("takes none"), std::string::npos) << binding.why;
}

// The driver's own view, through the real dlopen path, with the test suite's stand-in libcuda.
class FakeCuda : public ::testing::Test {
 protected:
  static constexpr const char* kVariables[] = {"POWERFIT_CUDA_LIBRARY", "FAKE_CUDA_UUIDS", "FAKE_CUDA_INIT_ERROR",
                                               "FAKE_CUDA_UUID_ERROR", "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                                               "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER"};
  void SetUp() override {
    for (const char* name : kVariables) ::unsetenv(name);
    ::setenv("POWERFIT_CUDA_LIBRARY", FAKE_CUDA_LIBRARY, 1);
  }
  void TearDown() override {
    for (const char* name : kVariables) ::unsetenv(name);
  }
};

constexpr const char* kFirst = "GPU-11111111-2222-3333-4444-555555555555";
constexpr const char* kSecond = "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeff";

TEST_F(FakeCuda, TheVisibleGpusComeInCudasOrderWrittenAsNvmlWritesUuids) {
  ::setenv("FAKE_CUDA_UUIDS", (std::string(kSecond) + "," + kFirst).c_str(), 1);
  EXPECT_EQ(cuda_visible_uuids(), Gpus({kSecond, kFirst}));
}

TEST_F(FakeCuda, ARankIsBoundToTheGpuThatCudaNumbersAsItsOwn) {
  // CUDA lists the second PCI device first: rank 1's cuda:1 is the first by PCI order.
  ::setenv("FAKE_CUDA_UUIDS", (std::string(kSecond) + "," + kFirst).c_str(), 1);
  ::setenv("LOCAL_RANK", "1", 1);
  ::setenv("LOCAL_WORLD_SIZE", "2", 1);
  ::setenv("CUDA_VISIBLE_DEVICES", "0,1", 1);
  const auto binding = bind_gpus(std::nullopt, false);
  EXPECT_EQ(binding.gpus, Gpus({kFirst}));
  EXPECT_FALSE(binding.host_channels);
  EXPECT_EQ(binding.why.find("PCI order"), std::string::npos) << binding.why;
}

TEST_F(FakeCuda, ADriverThatFailsOrIsMissingLeavesPciOrderAndSaysSo) {
  ::setenv("FAKE_CUDA_UUIDS", kFirst, 1);
  ::setenv("FAKE_CUDA_INIT_ERROR", "100", 1);  // CUDA_ERROR_NO_DEVICE
  EXPECT_EQ(cuda_visible_uuids(), std::nullopt);
  ::unsetenv("FAKE_CUDA_INIT_ERROR");
  ::setenv("FAKE_CUDA_UUID_ERROR", "999", 1);
  EXPECT_EQ(cuda_visible_uuids(), std::nullopt);
  ::setenv("POWERFIT_CUDA_LIBRARY", "/nonexistent/libcuda.so.1", 1);
  EXPECT_EQ(cuda_visible_uuids(), std::nullopt);
  ::setenv("LOCAL_RANK", "1", 1);
  ::setenv("LOCAL_WORLD_SIZE", "2", 1);
  ::setenv("CUDA_VISIBLE_DEVICES", "0,1", 1);
  const auto binding = bind_gpus(std::nullopt, false);
  EXPECT_EQ(binding.gpus, Gpus({"1"}));
  EXPECT_NE(binding.why.find("PCI order"), std::string::npos) << binding.why;
}

}  // namespace
}  // namespace powerfit::session
