/* powerfit's C API: opaque session handles, explicit calls, integer error codes. No C++ exception
 * crosses it; a handle used after destroy is refused (POWERFIT_ERROR_HANDLE), never dereferenced,
 * and never given to a later session. Calls may come from several threads; a destroy waits for
 * no call, but the session lives until the calls in flight on it have returned.
 *
 *   powerfit_session* s = NULL;
 *   if (powerfit_session_create("runs.db", "50ms", &s) != POWERFIT_OK) puts(powerfit_last_error());
 *   powerfit_session_start(s);
 *   powerfit_session_region_begin(s, "inference"); ... powerfit_session_region_end(s, "inference");
 *   powerfit_session_report(s, n, k);
 *   powerfit_session_stop(s);
 *   powerfit_session_summary_json(s);   // valid until destroy
 *   powerfit_session_destroy(s);
 */
#ifndef POWERFIT_POWERFIT_H
#define POWERFIT_POWERFIT_H

#include <stdint.h>

#include "powerfit/export.hpp" /* preprocessor only: usable from C */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct powerfit_session powerfit_session;

enum powerfit_status {
  POWERFIT_OK = 0,
  POWERFIT_ERROR_ARGUMENT = 1, /* a bad value: interval, counts, a null pointer */
  POWERFIT_ERROR_STATE = 2,    /* stop before start, start twice, summary before stop */
  POWERFIT_ERROR_STORAGE = 3,  /* the database cannot be created or written */
  POWERFIT_ERROR_HANDLE = 4,   /* not a live session (destroyed, or never created) */
  POWERFIT_ERROR_INTERNAL = 5
};

/* output: database path, or NULL/"" for a temporary one; interval: "100ms", "1s", ... */
POWERFIT_EXPORT int powerfit_session_create(const char* output, const char* interval, powerfit_session** session);
/* The same with every option by name, as a JSON object: out, interval, label, estimate, baseline,
 * settle, sources (an array), gpus (an array), machine, carbon_intensity (g CO2e per kWh), price
 * (per kWh). */
POWERFIT_EXPORT int powerfit_session_create_json(const char* options_json, powerfit_session** session);
POWERFIT_EXPORT int powerfit_session_start(powerfit_session* session);
POWERFIT_EXPORT int powerfit_session_mark(powerfit_session* session, const char* name);
/* Sleeps until `count` more samples have been taken: a stretch's energy needs a sample on each
 * side of it, and rates (utilization, the CPU estimate) need two samples to begin. */
POWERFIT_EXPORT int powerfit_session_wait_for_samples(powerfit_session* session, int count);
/* A region: NAME:start now, NAME:end at its end; its time, thread CPU time and energy are in the
 * summary, and counts are scored on the region named "inference". Of several open regions of one
 * name, the last opened ends first; ending one that is not open is POWERFIT_ERROR_STATE. */
POWERFIT_EXPORT int powerfit_session_region_begin(powerfit_session* session, const char* name);
POWERFIT_EXPORT int powerfit_session_region_end(powerfit_session* session, const char* name);
/* What the region of this name that ended last cost, as JSON (name, duration_s, thread_cpu_s,
 * from_s, to_s, measured_energy_j, estimated_energy_j, channels), while the session goes on; its
 * energy spans the samples taken last before its edges (the summary's, at stop, is interpolated
 * at them). Owned by the session until a region of that name ends again; NULL (and an error
 * message) when none has ended. */
POWERFIT_EXPORT const char* powerfit_session_region_result_json(powerfit_session* session, const char* name);
POWERFIT_EXPORT int powerfit_session_report(powerfit_session* session, int64_t inferences, int64_t correct);
/* The counts as the JSON a workload writes to POWERFIT_REPORT_FILE (model, correct_top5,
 * inference_window, ...). */
POWERFIT_EXPORT int powerfit_session_report_json(powerfit_session* session, const char* counts_json);
POWERFIT_EXPORT int powerfit_session_stop(powerfit_session* session);
/* Stops, the run recorded as ended with `status`: 0 as powerfit_session_stop, else failed (the work
 * measured raised or crashed), and a failed run is not scored. */
POWERFIT_EXPORT int powerfit_session_stop_status(powerfit_session* session, int status);
/* The summary as JSON after stop, owned by the session; NULL (and an error message) otherwise. */
POWERFIT_EXPORT const char* powerfit_session_summary_json(powerfit_session* session);
/* Stops a running session first. Destroying NULL or an unknown handle does nothing. */
POWERFIT_EXPORT void powerfit_session_destroy(powerfit_session* session);
/* The message of the calling thread's last error, "" when none. */
POWERFIT_EXPORT const char* powerfit_last_error(void);
/* The library's version ("0.4.0"), to check against the headers a program was built with. */
POWERFIT_EXPORT const char* powerfit_version(void);

#ifdef __cplusplus
}
#endif

#endif
