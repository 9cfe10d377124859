#pragma once
// libpowerfit.so is built with hidden visibility: only what carries POWERFIT_EXPORT is part of its
// interface; everything else inside it may change between versions without breaking a program.

#if defined(_WIN32)
#define POWERFIT_EXPORT
#else
#define POWERFIT_EXPORT __attribute__((visibility("default")))
#endif
