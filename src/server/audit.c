/* SPDX-License-Identifier: Apache-2.0 */
#include "audit.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

struct ks_audit {
	int fd;
};

int ks_audit_open(const char *path, struct ks_audit **out)
{
	struct ks_audit *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640) : dup(STDERR_FILENO);
	if (a->fd < 0) {
		int r = -errno;

		free(a);
		return log_errno(r, "audit log: opening %s (check the directory and permissions)", path);
	}
	*out = a;
	return 0;
}

void ks_audit_close(struct ks_audit *a)
{
	if (!a)
		return;
	close(a->fd);
	free(a);
}

static void add(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

int ks_audit_log(struct ks_audit *a, const struct ks_audit_event *ev)
{
	json_object *o = json_object_new_object();
	struct timespec ts;
	struct tm tm;
	char when[40], *line;
	size_t len;
	int r;

	if (!o)
		return -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ", ts.tv_nsec / 1000000);
	add(o, "time", when);
	add(o, "peer", ev->peer);
	add(o, "session", ev->session);
	add(o, "event", ev->event);
	add(o, "resource", ev->resource);
	add(o, "mr_td", ev->mr_td);
	add(o, "tcb_status", ev->tcb_status);
	add(o, "decision", ev->decision);
	add(o, "reason", ev->reason);
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	line = s ? malloc(len + 2) : NULL;
	if (!line) {
		json_object_put(o);
		return -ENOMEM;
	}
	memcpy(line, s, len);
	line[len] = '\n';
	json_object_put(o);
	/* One write() per line: O_APPEND keeps concurrent lines whole. */
	r = write_full(a->fd, line, len + 1);
	free(line);
	if (r < 0)
		log_errno(r, "audit log: write failed (disk full?)");
	return r;
}
