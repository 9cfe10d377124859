/* The few NVML types the validation programs that load libnvidia-ml.so.1 themselves pass to it
 * (validation/nvml_probe.c, validation/nvml_floor.c), laid out as NVML's ABI has them. */
#ifndef POWERFIT_VALIDATION_NVML_TYPES_H
#define POWERFIT_VALIDATION_NVML_TYPES_H

typedef struct nvmlDevice_st* dev_t_;
typedef union { double d; int si; unsigned ui; unsigned long ul; unsigned long long ull; long long sll; } value_t;
typedef struct { unsigned fieldId, scopeId; long long timestamp, latencyUsec; int valueType, ret; value_t value; } field_t;
typedef struct { unsigned gpu, memory; } util_t;
typedef struct { unsigned long long total, free, used; } mem_t;

#endif
