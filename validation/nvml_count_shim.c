/* Counts and times a process's reads of NVML's total-energy counter: a library that defines
 * nvmlDeviceGetTotalEnergyConsumption, forwards it to the real libnvidia-ml.so.1 (its dependency,
 * where every other NVML function is found), and at exit writes each read's start (ms since the
 * first) to stderr. For a tool that loads NVML by path:
 *   cc -shared -fPIC -O2 validation/nvml_count_shim.c -o /tmp/nvml_count.so -Wl,--no-as-needed -l:libnvidia-ml.so.1 -ldl
 *   POWERFIT_NVML_LIBRARY=/tmp/nvml_count.so powerfit run --sources nvml -- sleep 12 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*energy_fn)(void*, unsigned long long*);
static double starts[100000];
static int reads;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static void report(void) {
  fprintf(stderr, "nvml_count: %d reads of the counter at ms:", reads);
  for (int i = 0; i < reads; ++i) fprintf(stderr, " %.1f", starts[i] - starts[0]);
  fprintf(stderr, "\n");
}

int nvmlDeviceGetTotalEnergyConsumption(void* device, unsigned long long* energy) {
  static energy_fn real;
  if (!real) {
    real = (energy_fn)dlsym(dlopen("libnvidia-ml.so.1", RTLD_NOW), "nvmlDeviceGetTotalEnergyConsumption");
    atexit(report);
  }
  if (reads < 100000) starts[reads++] = now_ms();
  return real(device, energy);
}
