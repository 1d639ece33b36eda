/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static enum log_level max_level = LOG_LVL_INFO;
static const char *log_prefix = "tdx-unlock";
static log_sink_fn sink;
static void *sink_ctx;

void log_set_level(enum log_level lvl) { max_level = lvl; }
enum log_level log_get_level(void) { return max_level; }
void log_set_prefix(const char *prefix) { log_prefix = prefix; }

void log_set_sink(log_sink_fn fn, void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
}

static void emit(enum log_level lvl, const char *suffix, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (lvl > max_level)
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if (suffix && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, ": %s", suffix);
	if (sink) {
		sink(lvl, line, sink_ctx);
		return;
	}
	fprintf(stderr, "%s: %s%s\n", log_prefix,
		lvl == LOG_LVL_ERR ? "error: " : lvl == LOG_LVL_WARN ? "warning: " : "", line);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(lvl, NULL, fmt, ap);
	va_end(ap);
}

int log_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_LVL_ERR, strerror(err < 0 ? -err : err), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

int log_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_LVL_ERR, NULL, fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}
