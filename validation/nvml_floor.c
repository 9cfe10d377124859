/* The least CPU a sampler of GPU 0 can pay for what `powerfit run --sources nvml` reads, with
 * nothing else: no threads, no database, no parsing. Loads libnvidia-ml.so.1, starts NVML, reads
 * the total-energy counter (unless COUNTER is 0), then on every tick of INTERVAL_MS for SECONDS
 * reads what powerfit's tick reads (power, instant power as field 186, utilization, SM clock,
 * temperature; the memory once a second), reads the counter again and shuts NVML down. Prints the
 * ticks taken on stdout; the caller takes the CPU from the process's rusage, as it does for
 * nvidia-smi and powerfit (validation/sampling_cost_gpu.py with FLOOR set).
 *   cc -O2 validation/nvml_floor.c -o /tmp/nvml_floor -ldl && /tmp/nvml_floor 20 100 1 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvml_types.h"

static void* symbol(void* lib, const char* name) {
  void* f = dlsym(lib, name);
  if (!f) {
    fprintf(stderr, "nvml_floor: %s missing\n", name);
    exit(1);
  }
  return f;
}

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? atof(argv[1]) : 20.0;
  const long interval_ns = (argc > 2 ? atol(argv[2]) : 100) * 1000000L;
  const int counter = argc > 3 ? atoi(argv[3]) : 1;
  void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "nvml_floor: no libnvidia-ml.so.1\n");
    return 1;
  }
  int (*init)(void) = symbol(lib, "nvmlInit_v2");
  int (*shutdown)(void) = symbol(lib, "nvmlShutdown");
  int (*handle)(unsigned, dev_t_*) = symbol(lib, "nvmlDeviceGetHandleByIndex_v2");
  int (*energy)(dev_t_, unsigned long long*) = symbol(lib, "nvmlDeviceGetTotalEnergyConsumption");
  int (*power)(dev_t_, unsigned*) = symbol(lib, "nvmlDeviceGetPowerUsage");
  int (*fields)(dev_t_, int, field_t*) = symbol(lib, "nvmlDeviceGetFieldValues");
  int (*util)(dev_t_, util_t*) = symbol(lib, "nvmlDeviceGetUtilizationRates");
  int (*clock)(dev_t_, int, unsigned*) = symbol(lib, "nvmlDeviceGetClockInfo");
  int (*temperature)(dev_t_, int, unsigned*) = symbol(lib, "nvmlDeviceGetTemperature");
  int (*memory)(dev_t_, mem_t*) = symbol(lib, "nvmlDeviceGetMemoryInfo");
  dev_t_ dev;
  if (init() != 0 || handle(0, &dev) != 0) {
    fprintf(stderr, "nvml_floor: NVML did not start\n");
    return 1;
  }
  unsigned long long first = 0, last = 0;
  if (counter) energy(dev, &first);
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  const long ticks = (long)(seconds * 1e9 / interval_ns);
  const long per_second = interval_ns < 1000000000L ? 1000000000L / interval_ns : 1;  // the memory's period in ticks
  unsigned watts = 0, utilization = 0;
  for (long tick = 0; tick < ticks; ++tick) {
    unsigned value;
    util_t u;
    field_t f;
    memset(&f, 0, sizeof f);
    f.fieldId = 186;  // instant power
    power(dev, &watts);
    fields(dev, 1, &f);
    util(dev, &u);
    utilization = u.gpu;
    clock(dev, 1, &value);        // NVML_CLOCK_SM
    temperature(dev, 0, &value);  // NVML_TEMPERATURE_GPU
    if (tick % per_second == 0) {
      mem_t m;
      memory(dev, &m);
    }
    next.tv_nsec += interval_ns;
    while (next.tv_nsec >= 1000000000L) {
      next.tv_nsec -= 1000000000L;
      ++next.tv_sec;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  if (counter) energy(dev, &last);
  shutdown();
  printf("%ld ticks, last power %u mW, utilization %u %%, counter moved %llu mJ\n", ticks, watts, utilization, last - first);
  return 0;
}
