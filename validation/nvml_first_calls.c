/* What NVML's reads cost the first time a process makes them, and whether that first cost is the
 * call's own, shared with other calls, or the calling thread's: after dlopen, nvmlInit_v2 and the
 * first device's handle, makes the reads named on the command line in that order and prints the
 * CPU time of each (the calling thread's, µs). A read written `t:NAME` is made on a new thread
 * (one thread per run of consecutive `t:` reads; a bare `|` ends one run), so that a thread's
 * first call shows apart from the process's. Reads: E (nvmlDeviceGetTotalEnergyConsumption), F83, F186, F185 (one field
 * through nvmlDeviceGetFieldValues: the counter, the instant power, the average power), F83+186
 * (the counter and the instant power in one call), P (nvmlDeviceGetPowerUsage), U (utilization),
 * C (SM clock), T (temperature), M (memory), L (enforced power limit), R (running compute
 * processes). Run each order in fresh processes: validation/nvml_first_calls.sh does.
 *   cc -O2 validation/nvml_first_calls.c -o /tmp/first -ldl -lpthread && /tmp/first E P F186 U C T */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvml_types.h"

typedef struct { unsigned pid; unsigned long long used; unsigned gi, ci; } process_t;

static dev_t_ dev;
static int (*energy_fn)(dev_t_, unsigned long long*);
static int (*power_fn)(dev_t_, unsigned*);
static int (*fields_fn)(dev_t_, int, field_t*);
static int (*util_fn)(dev_t_, util_t*);
static int (*mem_fn)(dev_t_, mem_t*);
static int (*clock_fn)(dev_t_, int, unsigned*);
static int (*temp_fn)(dev_t_, int, unsigned*);
static int (*limit_fn)(dev_t_, unsigned*);
static int (*procs_fn)(dev_t_, unsigned*, process_t*);

static double cpu_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

static int fields(unsigned a, unsigned b) {
  field_t f[2];
  memset(f, 0, sizeof f);
  f[0].fieldId = a;
  f[1].fieldId = b;
  const int rc = fields_fn(dev, b ? 2 : 1, f);
  return rc ? rc : f[0].ret;
}

/* Makes one read; returns its NVML code, or -1 for a name it does not know. */
static int read_one(const char* name) {
  unsigned u = 0;
  unsigned long long ull = 0;
  util_t util;
  mem_t mem;
  static process_t procs[64];
  if (!strcmp(name, "E")) return energy_fn(dev, &ull);
  if (!strcmp(name, "F83")) return fields(83, 0);
  if (!strcmp(name, "F186")) return fields(186, 0);
  if (!strcmp(name, "F185")) return fields(185, 0);
  if (!strcmp(name, "F83+186")) return fields(83, 186);
  if (!strcmp(name, "P")) return power_fn(dev, &u);
  if (!strcmp(name, "U")) return util_fn(dev, &util);
  if (!strcmp(name, "C")) return clock_fn(dev, 1 /* NVML_CLOCK_SM */, &u);
  if (!strcmp(name, "T")) return temp_fn(dev, 0 /* NVML_TEMPERATURE_GPU */, &u);
  if (!strcmp(name, "M")) return mem_fn(dev, &mem);
  if (!strcmp(name, "L")) return limit_fn(dev, &u);
  if (!strcmp(name, "R")) { u = 64; return procs_fn(dev, &u, procs); }
  return -1;
}

static void timed(const char* label, const char* name) {
  const double c0 = cpu_us();
  const int rc = read_one(name);
  printf("%s %.1f %d\n", label, cpu_us() - c0, rc);
}

struct batch { char** names; int count; };

static void* run_batch(void* arg) {
  const struct batch* b = arg;
  for (int i = 0; i < b->count; ++i) timed(b->names[i], b->names[i] + 2);
  return NULL;
}

int main(int argc, char** argv) {
  double c0 = cpu_us();
  void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
  if (!lib) { fprintf(stderr, "no libnvidia-ml.so.1\n"); return 1; }
  int (*init)(void) = (int (*)(void))dlsym(lib, "nvmlInit_v2");
  int (*handle)(unsigned, dev_t_*) = (int (*)(unsigned, dev_t_*))dlsym(lib, "nvmlDeviceGetHandleByIndex_v2");
  energy_fn = dlsym(lib, "nvmlDeviceGetTotalEnergyConsumption");
  power_fn = dlsym(lib, "nvmlDeviceGetPowerUsage");
  fields_fn = dlsym(lib, "nvmlDeviceGetFieldValues");
  util_fn = dlsym(lib, "nvmlDeviceGetUtilizationRates");
  mem_fn = dlsym(lib, "nvmlDeviceGetMemoryInfo");
  clock_fn = dlsym(lib, "nvmlDeviceGetClockInfo");
  temp_fn = dlsym(lib, "nvmlDeviceGetTemperature");
  limit_fn = dlsym(lib, "nvmlDeviceGetEnforcedPowerLimit");
  procs_fn = dlsym(lib, "nvmlDeviceGetComputeRunningProcesses_v3");
  printf("dlopen %.1f 0\n", cpu_us() - c0);
  c0 = cpu_us();
  int rc = init();
  printf("init %.1f %d\n", cpu_us() - c0, rc);
  c0 = cpu_us();
  rc = handle(0, &dev);
  printf("handle %.1f %d\n", cpu_us() - c0, rc);
  for (int i = 1; i < argc;) {
    if (!strcmp(argv[i], "|")) {
      ++i;
      continue;
    }
    if (strncmp(argv[i], "t:", 2) != 0) {
      timed(argv[i], argv[i]);
      ++i;
      continue;
    }
    struct batch b = {argv + i, 0};
    while (i < argc && !strncmp(argv[i], "t:", 2)) ++b.count, ++i;
    pthread_t thread;
    pthread_create(&thread, NULL, run_batch, &b);
    pthread_join(thread, NULL);
  }
  return 0;
}
