/* Times every NVML call powerfit makes: a library that defines each function powerfit loads,
 * forwards it to the real libnvidia-ml.so.1 (its dependency) and, at exit, writes to stderr for
 * each function its calls, wall time and the calling thread's CPU time (ms), in three parts of
 * the run: the first 0.5 s after nvmlInit, the middle, and the last 0.5 s before exit; and the
 * process's CPU time before nvmlInit. Every function forwarded takes at most six integer or
 * pointer arguments and returns nvmlReturn_t, so each is forwarded as six longs (x86-64 SysV).
 * For a tool that loads NVML by path:
 *   cc -shared -fPIC -O2 validation/nvml_time_shim.c -o /tmp/nvml_time.so -Wl,--no-as-needed -l:libnvidia-ml.so.1 -ldl
 *   POWERFIT_NVML_LIBRARY=/tmp/nvml_time.so powerfit run --sources nvml -- sleep 20 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define FUNCTIONS(X)                                                                                              \
  X(nvmlInit_v2) X(nvmlShutdown) X(nvmlSystemGetDriverVersion) X(nvmlDeviceGetCount_v2)                          \
  X(nvmlDeviceGetHandleByIndex_v2) X(nvmlDeviceGetName) X(nvmlDeviceGetUUID) X(nvmlDeviceGetPowerUsage)           \
  X(nvmlDeviceGetTotalEnergyConsumption) X(nvmlDeviceGetFieldValues) X(nvmlDeviceGetUtilizationRates)             \
  X(nvmlDeviceGetMemoryInfo) X(nvmlDeviceGetClockInfo) X(nvmlDeviceGetTemperature)                                \
  X(nvmlDeviceGetEnforcedPowerLimit) X(nvmlDeviceGetComputeRunningProcesses_v3) X(nvmlDeviceGetPcieThroughput)   \
  X(nvmlDeviceGetProcessUtilization)

#define ID(name) id_##name,
enum { FUNCTIONS(ID) kFunctions };
#define NAME(name) #name,
static const char* names[] = {FUNCTIONS(NAME)};

typedef int (*forward_fn)(long, long, long, long, long, long);
#define MAX_CALLS 200000
static struct call { int id; double start, wall, cpu; } calls[MAX_CALLS];
static int count;
static double init_ms = -1, cpu_before_init_ms;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static void report(void) {
  const double end = ms(CLOCK_MONOTONIC);
  double sum[kFunctions][3][3] = {{{0}}};  // [function][part][calls, wall, cpu]
  for (int i = 0; i < count; ++i) {
    const struct call* c = &calls[i];
    const int part = c->start < init_ms + 500 ? 0 : c->start > end - 500 ? 2 : 1;
    sum[c->id][part][0] += 1;
    sum[c->id][part][1] += c->wall;
    sum[c->id][part][2] += c->cpu;
  }
  fprintf(stderr, "nvml_time: CPU before nvmlInit %.2f ms; run %.0f ms after it\n", cpu_before_init_ms, end - init_ms);
  fprintf(stderr, "nvml_time %-40s %22s %22s %22s\n", "function", "first 0.5 s", "middle", "last 0.5 s");
  fprintf(stderr, "nvml_time %-40s %22s %22s %22s\n", "", "calls wall cpu (ms)", "calls wall cpu", "calls wall cpu");
  double total[3][3] = {{0}};
  for (int f = 0; f < kFunctions; ++f) {
    if (sum[f][0][0] + sum[f][1][0] + sum[f][2][0] == 0) continue;
    fprintf(stderr, "nvml_time %-40s", names[f]);
    for (int p = 0; p < 3; ++p) {
      fprintf(stderr, " %6.0f %7.2f %7.2f", sum[f][p][0], sum[f][p][1], sum[f][p][2]);
      for (int k = 0; k < 3; ++k) total[p][k] += sum[f][p][k];
    }
    fprintf(stderr, "\n");
  }
  fprintf(stderr, "nvml_time %-40s", "total");
  for (int p = 0; p < 3; ++p) fprintf(stderr, " %6.0f %7.2f %7.2f", total[p][0], total[p][1], total[p][2]);
  fprintf(stderr, "\n");
}

static int forward(int id, long a, long b, long c, long d, long e, long f) {
  static forward_fn real[kFunctions];
  if (!real[id]) real[id] = (forward_fn)dlsym(dlopen("libnvidia-ml.so.1", RTLD_NOW), names[id]);
  if (id == id_nvmlInit_v2 && init_ms < 0) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    cpu_before_init_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
                         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-3;
    init_ms = ms(CLOCK_MONOTONIC);
    atexit(report);
  }
  const double start = ms(CLOCK_MONOTONIC), cpu = ms(CLOCK_THREAD_CPUTIME_ID);
  const int rc = real[id](a, b, c, d, e, f);
  const double wall = ms(CLOCK_MONOTONIC) - start, used = ms(CLOCK_THREAD_CPUTIME_ID) - cpu;
  pthread_mutex_lock(&lock);
  if (count < MAX_CALLS) calls[count++] = (struct call){id, start, wall, used};
  pthread_mutex_unlock(&lock);
  return rc;
}

#define DEFINE(name) \
  int name(long a, long b, long c, long d, long e, long f) { return forward(id_##name, a, b, c, d, e, f); }
FUNCTIONS(DEFINE)
