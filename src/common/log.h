/* SPDX-License-Identifier: Apache-2.0 */
/* One-line logging. Every failure logs what failed and what to check;
 * log_errno() returns the error it logs so "log and return" is one line.
 * Never pass secret material to these functions. */
#pragma once
#include <stdarg.h>

enum log_level { LOG_LVL_QUIET = -1, LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* A sink receives finished lines (no trailing newline); default: stderr. */
typedef void (*log_sink_fn)(enum log_level lvl, const char *line, void *ctx);

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_set_prefix(const char *prefix);
void log_set_sink(log_sink_fn fn, void *ctx);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For a failure the OS reported (err from a system or library call that sets errno):
 * logs "<message>: <strerror(-err)>" at error level and returns err (a negative errno). */
int log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For a failure this program decided (bad input, a refusal, a check that failed): the
 * message alone says what is wrong, so no strerror is appended; returns err like log_errno. */
int log_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
