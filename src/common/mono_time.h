/* SPDX-License-Identifier: Apache-2.0 */
/* Milliseconds on CLOCK_MONOTONIC: deadlines, timeouts and durations (never wall time). */
#pragma once
#include <stdint.h>

int64_t mono_ms(void);
