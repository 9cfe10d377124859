/* The C API from C: create, start, mark, regions and their results, report, stop, summary, destroy;
 * misuse gets codes. */
#include <stdio.h>
#include <string.h>

#include "powerfit/powerfit.h"

static int failures = 0;
#define CHECK(condition)                                                  \
  do {                                                                    \
    if (!(condition)) {                                                   \
      fprintf(stderr, "%s:%d: %s failed (%s)\n", __FILE__, __LINE__, #condition, powerfit_last_error()); \
      ++failures;                                                         \
    }                                                                     \
  } while (0)

int main(void) {
  powerfit_session* session = NULL;
  CHECK(powerfit_session_create(NULL, "not-a-duration", &session) == POWERFIT_ERROR_ARGUMENT);
  CHECK(strlen(powerfit_last_error()) > 0);
  CHECK(powerfit_session_create(NULL, "10ms", NULL) == POWERFIT_ERROR_ARGUMENT);

  CHECK(powerfit_session_create(NULL, "10ms", &session) == POWERFIT_OK);
  CHECK(powerfit_session_stop(session) == POWERFIT_ERROR_STATE);
  CHECK(powerfit_session_summary_json(session) == NULL);
  CHECK(powerfit_session_start(session) == POWERFIT_OK);
  CHECK(powerfit_session_start(session) == POWERFIT_ERROR_STATE);
  CHECK(powerfit_session_mark(session, "loaded") == POWERFIT_OK);
  CHECK(powerfit_session_region_end(session, "inference") == POWERFIT_ERROR_STATE);
  CHECK(powerfit_session_region_result_json(session, "inference") == NULL);
  /* The CPU estimate, a rate, has its first value at the second sample: on a loaded machine that
   * came after the region began, which then had no energy and was not scored on. */
  CHECK(powerfit_session_wait_for_samples(session, 2) == POWERFIT_OK);
  CHECK(powerfit_session_region_begin(session, "inference") == POWERFIT_OK);
  volatile double sink = 0;
  for (long i = 0; i < 50000000; ++i) sink += 1.0;
  CHECK(powerfit_session_region_end(session, "inference") == POWERFIT_OK);
  /* Its figures at once, the session still running. */
  const char* region = powerfit_session_region_result_json(session, "inference");
  CHECK(region != NULL && strstr(region, "{\"name\":\"inference\",\"duration_s\":") == region);
  CHECK(region != NULL && strstr(region, "\"estimated_energy_j\":") != NULL && strstr(region, "\"channels\":[") != NULL);
  CHECK(powerfit_session_region_end(session, "inference") == POWERFIT_ERROR_STATE);
  CHECK(powerfit_session_report(session, 100, 101) == POWERFIT_ERROR_ARGUMENT);
  CHECK(powerfit_session_report(session, 100, 97) == POWERFIT_OK);
  CHECK(powerfit_session_stop(session) == POWERFIT_OK);
  const char* summary = powerfit_session_summary_json(session);
  CHECK(summary != NULL && strstr(summary, "\"correct\":97") != NULL);
  CHECK(summary != NULL && strstr(summary, "\"samples\":") != NULL);
  CHECK(summary != NULL && strstr(summary, "\"regions\":[{\"name\":\"inference\"") != NULL);
  CHECK(summary != NULL && strstr(summary, "\"scored_on\":\"inference window\"") != NULL);
  powerfit_session_destroy(session);
  /* After destroy the handle is refused, not dereferenced. */
  CHECK(powerfit_session_start(session) == POWERFIT_ERROR_HANDLE);
  CHECK(powerfit_session_summary_json(session) == NULL);
  powerfit_session_destroy(session);
  powerfit_session_destroy(NULL);
  /* A new session never takes a destroyed one's handle: with addresses as handles, one created
   * right after a destroy often reused the address, and the stale handle looked live. */
  powerfit_session* stale = NULL;
  CHECK(powerfit_session_create(NULL, "10ms", &stale) == POWERFIT_OK);
  powerfit_session_destroy(stale);
  for (int i = 0; i < 8; ++i) {
    powerfit_session* fresh = NULL;
    CHECK(powerfit_session_create(NULL, "10ms", &fresh) == POWERFIT_OK);
    CHECK(fresh != stale);
    CHECK(powerfit_session_start(stale) == POWERFIT_ERROR_HANDLE);
    powerfit_session_destroy(fresh);
  }
  /* Options and counts by name, as JSON; an unknown option is refused by name. */
  {
    powerfit_session* named = NULL;
    CHECK(powerfit_session_create_json("{\"interval\": \"10ms\", \"label\": \"c\", \"carbon_intensity\": 56}", &named) ==
          POWERFIT_OK);
    CHECK(powerfit_session_start(named) == POWERFIT_OK);
    CHECK(powerfit_session_report_json(named, "{\"inferences\": 10, \"correct\": 11}") == POWERFIT_ERROR_ARGUMENT);
    CHECK(powerfit_session_report_json(named, "{\"inferences\": 10, \"correct\": 9, \"model\": \"m\"}") == POWERFIT_OK);
    CHECK(powerfit_session_stop(named) == POWERFIT_OK);
    const char* json = powerfit_session_summary_json(named);
    CHECK(json != NULL && strstr(json, "\"carbon_intensity_g_per_kwh\":56.0") != NULL && strstr(json, "\"model\":\"m\"") != NULL);
    powerfit_session_destroy(named);
    powerfit_session* refused = NULL;
    CHECK(powerfit_session_create_json("{\"intervall\": \"10ms\"}", &refused) == POWERFIT_ERROR_ARGUMENT);
    CHECK(refused == NULL && strstr(powerfit_last_error(), "intervall") != NULL);
  }
  /* Work that failed is stopped as a failed run, its status kept (a failed run is not scored). */
  {
    powerfit_session* failed = NULL;
    CHECK(powerfit_session_create(NULL, "10ms", &failed) == POWERFIT_OK);
    CHECK(powerfit_session_start(failed) == POWERFIT_OK);
    CHECK(powerfit_session_stop_status(failed, 3) == POWERFIT_OK);
    const char* json = powerfit_session_summary_json(failed);
    CHECK(json != NULL && strstr(json, "\"exit_status\":3") != NULL);
    powerfit_session_destroy(failed);
  }
  /* The library says its version. */
  CHECK(powerfit_version() != NULL && powerfit_version()[0] >= '0' && powerfit_version()[0] <= '9');
  if (failures == 0) puts("c api: all checks passed");
  return failures == 0 ? 0 : 1;
}
