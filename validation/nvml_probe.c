/* What each NVML read powerfit could use costs, and what a field value's timestamp says: loads
 * libnvidia-ml.so.1, times 40 calls of each read (median CPU of the calling thread and wall, µs),
 * then reads the energy counter as field 83 (NVML_FI_DEV_TOTAL_ENERGY_CONSUMPTION) every 2 ms
 * for 2 s and prints each change of its value with the field's own timestamp and the time of
 * the query, to tell whether that timestamp dates the counter's refresh or the query.
 *   cc -O2 validation/nvml_probe.c -o /tmp/nvml_probe -ldl && /tmp/nvml_probe */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nvml_types.h"

static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1e6 + t.tv_nsec * 1e-3; }
static int cmp(const void* a, const void* b) { double x = *(const double*)a, y = *(const double*)b; return (x > y) - (x < y); }
static double median(double* v, int n) { qsort(v, n, sizeof *v, cmp); return v[n / 2]; }

static void* lib;
static dev_t_ dev;

static void timed(const char* what, int (*call)(void), int n) {
  double cpu[64], wall[64];
  int rc = 0;
  for (int i = 0; i < n; ++i) {
    const double c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    rc = call();
    wall[i] = now(CLOCK_MONOTONIC) - w0;
    cpu[i] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
    usleep(3000);
  }
  printf("%-44s cpu %8.1f µs  wall %8.1f µs  rc %d\n", what, median(cpu, n), median(wall, n), rc);
}

static int (*energy_fn)(dev_t_, unsigned long long*);
static int (*power_fn)(dev_t_, unsigned*);
static int (*fields_fn)(dev_t_, int, field_t*);
static int (*util_fn)(dev_t_, util_t*);
static int (*mem_fn)(dev_t_, mem_t*);
static unsigned long long last_energy;
static field_t f[2];
static int energy(void) { return energy_fn(dev, &last_energy); }
static int power(void) { unsigned p; return power_fn(dev, &p); }
static int one_field(unsigned id) { memset(f, 0, sizeof f); f[0].fieldId = id; int rc = fields_fn(dev, 1, f); return rc ? rc : f[0].ret; }
static int field83(void) { return one_field(83); }
static int field191(void) { return one_field(191); }
static int field186(void) { return one_field(186); }
static int field185(void) { return one_field(185); }
static int fields83_186(void) { memset(f, 0, sizeof f); f[0].fieldId = 83; f[1].fieldId = 186; int rc = fields_fn(dev, 2, f); return rc ? rc : f[0].ret; }
static int util(void) { util_t u; return util_fn(dev, &u); }
static int mem(void) { mem_t m; return mem_fn(dev, &m); }

int main(void) {
  lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
  if (!lib) { fprintf(stderr, "no libnvidia-ml.so.1\n"); return 1; }
  int (*nvmlInit_v2)(void) = (int (*)(void))dlsym(lib, "nvmlInit_v2");
  int (*nvmlDeviceGetHandleByIndex_v2)(unsigned, dev_t_*) = (int (*)(unsigned, dev_t_*))dlsym(lib, "nvmlDeviceGetHandleByIndex_v2");
  energy_fn = dlsym(lib, "nvmlDeviceGetTotalEnergyConsumption");
  power_fn = dlsym(lib, "nvmlDeviceGetPowerUsage");
  fields_fn = dlsym(lib, "nvmlDeviceGetFieldValues");
  util_fn = dlsym(lib, "nvmlDeviceGetUtilizationRates");
  mem_fn = dlsym(lib, "nvmlDeviceGetMemoryInfo");
  double c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
  int rc = nvmlInit_v2();
  printf("%-44s cpu %8.1f µs  wall %8.1f µs  rc %d\n", "nvmlInit_v2", now(CLOCK_THREAD_CPUTIME_ID) - c0, now(CLOCK_MONOTONIC) - w0, rc);
  c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
  rc = nvmlDeviceGetHandleByIndex_v2(0, &dev);
  printf("%-44s cpu %8.1f µs  wall %8.1f µs  rc %d\n", "nvmlDeviceGetHandleByIndex_v2 (first)", now(CLOCK_THREAD_CPUTIME_ID) - c0, now(CLOCK_MONOTONIC) - w0, rc);
  const int n = 40;
  timed("nvmlDeviceGetTotalEnergyConsumption", energy, n);
  timed("nvmlDeviceGetFieldValues {83 energy}", field83, n);
  printf("   field 83: value %llu mJ (counter %llu), type %d, latency %lld µs\n", f[0].value.ull, last_energy, f[0].valueType, f[0].latencyUsec);
  timed("nvmlDeviceGetFieldValues {191 energy}", field191, n);
  printf("   field 191: value %llu mJ, type %d\n", f[0].value.ull, f[0].valueType);
  timed("nvmlDeviceGetFieldValues {83, 186}", fields83_186, n);
  timed("nvmlDeviceGetPowerUsage", power, n);
  timed("nvmlDeviceGetFieldValues {186 instant}", field186, n);
  timed("nvmlDeviceGetFieldValues {185 average}", field185, n);
  timed("nvmlDeviceGetUtilizationRates", util, n);
  timed("nvmlDeviceGetMemoryInfo", mem, n);

  printf("field 83 every 2 ms for 2 s: each change of value (query time, field timestamp, both ms from the start; change mJ; latency µs)\n");
  const double start = now(CLOCK_REALTIME);
  unsigned long long value = 0;
  long long stamp = 0;
  int queries = 0, stamp_changes_without_value = 0;
  for (double t = 0; t < 2e6; t = now(CLOCK_REALTIME) - start) {
    one_field(83);
    ++queries;
    if (f[0].value.ull != value) {
      printf("  query %8.2f  stamp %8.2f  change %6lld  latency %lld\n", t * 1e-3, (f[0].timestamp - start) * 1e-3,
             value ? (long long)(f[0].value.ull - value) : 0LL, f[0].latencyUsec);
      value = f[0].value.ull;
    } else if (f[0].timestamp != stamp) {
      ++stamp_changes_without_value;
    }
    stamp = f[0].timestamp;
    usleep(2000);
  }
  printf("%d queries; the timestamp changed %d times without the value changing\n", queries, stamp_changes_without_value);
  return 0;
}
