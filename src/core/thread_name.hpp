#pragma once
// Names the calling thread as top, btop and /proc/PID/task/TID/comm show it ("pf-sampler"), so
// that what each of the tool's threads costs can be told apart (VALIDATION.md, sampling cost).

#include <pthread.h>

namespace powerfit {

// At most 15 characters: the kernel keeps no more.
inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace powerfit
