/* Counts and times a process's reads of NVML's total-energy counter: a library that defines
 * nvmlDeviceGetTotalEnergyConsumption, forwards it to the real libnvidia-ml.so.1 (its dependency,
 * where every other NVML function is found), and at exit writes each read's start (ms since the
 * first) to stderr; with NVML_COUNT_VALUES set, also each read's length (ms), the value's change
 * since the read before (mJ) and NVML's return code. It also counts the power's reads
 * (nvmlDeviceGetPowerUsage) in each second from the first: a tick's and the watches' together;
 * with NVML_COUNT_POWER set, also each of those reads: its start (ms since the first), the value
 * (mW) and the thread that made it (validation/watch_pairs.py reads them).
 * For a tool that loads NVML by path:
 *   cc -shared -fPIC -O2 validation/nvml_count_shim.c -o /tmp/nvml_count.so -Wl,--no-as-needed -l:libnvidia-ml.so.1 -ldl
 *   POWERFIT_NVML_LIBRARY=/tmp/nvml_count.so powerfit run --sources nvml -- sleep 12 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef int (*energy_fn)(void*, unsigned long long*);
#define MAX_READS 100000
static double starts[MAX_READS], ends[MAX_READS];
static unsigned long long values[MAX_READS];
static int codes[MAX_READS];
static int reads;
typedef int (*power_fn)(void*, unsigned int*);
#define MAX_SECONDS 3600
static int power_reads[MAX_SECONDS];
static double power_first = -1.0;
static int power_last_second = -1;
#define MAX_POWER_READS 200000
static double power_at[MAX_POWER_READS];
static unsigned int power_mw[MAX_POWER_READS];
static long power_thread[MAX_POWER_READS];
static int power_count;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static void report(void) {
  if (power_last_second >= 0) {
    fprintf(stderr, "nvml_count: power reads in each second:");
    for (int i = 0; i <= power_last_second; ++i) fprintf(stderr, " %d", power_reads[i]);
    fprintf(stderr, "\n");
  }
  if (getenv("NVML_COUNT_POWER")) {
    for (int i = 0; i < power_count; ++i) {
      fprintf(stderr, "nvml_power %.3f %u %ld\n", power_at[i] - power_first, power_mw[i], power_thread[i]);
    }
  }
  fprintf(stderr, "nvml_count: %d reads of the counter at ms:", reads);
  for (int i = 0; i < reads; ++i) fprintf(stderr, " %.1f", starts[i] - starts[0]);
  fprintf(stderr, "\n");
  if (!getenv("NVML_COUNT_VALUES")) return;
  fprintf(stderr, "nvml_count values: start ms, length ms, change mJ, return code\n");
  for (int i = 0; i < reads; ++i) {
    fprintf(stderr, "nvml_count %9.1f %5.2f %8lld %d\n", starts[i] - starts[0], ends[i] - starts[i],
            i > 0 ? (long long)(values[i] - values[i - 1]) : 0LL, codes[i]);
  }
}

static void report_at_exit(void) {
  static int registered;
  if (!registered) atexit(report);
  registered = 1;
}

int nvmlDeviceGetPowerUsage(void* device, unsigned int* milliwatts) {
  static power_fn real;
  if (!real) {
    real = (power_fn)dlsym(dlopen("libnvidia-ml.so.1", RTLD_NOW), "nvmlDeviceGetPowerUsage");
    report_at_exit();
  }
  /* The sampling thread and the watching thread both read the power. */
  static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  const double start = now_ms();
  const int code = real(device, milliwatts);
  pthread_mutex_lock(&mutex);
  if (power_first < 0.0) power_first = start;
  const int second = (int)((start - power_first) / 1000.0);
  if (second < MAX_SECONDS) {
    ++power_reads[second];
    if (second > power_last_second) power_last_second = second;
  }
  if (power_count < MAX_POWER_READS) {
    power_at[power_count] = start;
    power_mw[power_count] = code == 0 ? *milliwatts : 0;
    power_thread[power_count++] = (long)syscall(SYS_gettid);
  }
  pthread_mutex_unlock(&mutex);
  return code;
}

int nvmlDeviceGetTotalEnergyConsumption(void* device, unsigned long long* energy) {
  static energy_fn real;
  if (!real) {
    real = (energy_fn)dlsym(dlopen("libnvidia-ml.so.1", RTLD_NOW), "nvmlDeviceGetTotalEnergyConsumption");
    report_at_exit();
  }
  const double start = now_ms();
  const int code = real(device, energy);
  if (reads < MAX_READS) {
    starts[reads] = start;
    ends[reads] = now_ms();
    values[reads] = *energy;
    codes[reads++] = code;
  }
  return code;
}
