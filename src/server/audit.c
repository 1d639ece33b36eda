/* SPDX-License-Identifier: Apache-2.0 */
/* The audit log (audit.h): line building, field cleaning and the refusal rate limit. */
#include "audit.h"
#include "audit_text.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#define SLOTS 256 /* recent refusal kinds; a collision only evicts (with its count) */
#define NFIELDS 9 /* of struct ks_audit_event, in its order */

/* One cleaned event: every string bounded and valid UTF-8. */
struct clean_event {
	char peer[KS_AUDIT_FIELD_MAX + 4], session[KS_AUDIT_SESSION_SIZE], event[KS_AUDIT_FIELD_MAX + 4],
		resource[KS_AUDIT_FIELD_MAX + 4], mr_td[KS_AUDIT_FIELD_MAX + 4], tcb_status[KS_AUDIT_FIELD_MAX + 4],
		decision[KS_AUDIT_FIELD_MAX + 4], reason[KS_AUDIT_REASON_MAX + 4], boot[KS_AUDIT_BOOT_MAX + 4];
	bool has[NFIELDS]; /* which of the above were given, in that order */
};

struct slot {
	bool used;
	int64_t second;      /* when its last line was written */
	unsigned suppressed; /* identical refusals dropped since then */
	struct clean_event ev;
};

struct ks_audit {
	int fd;
	iconv_t utf8;
	pthread_mutex_t lock;
	int64_t second;           /* of the overall limit */
	unsigned lines;           /* refusal lines written in that second */
	unsigned over_limit;      /* refusals dropped by the overall limit, not yet reported */
	int64_t swept;            /* last second whose pending counts were written */
	bool unlimited;           /* ks_audit_set_rate_limit(false) */
	struct slot slots[SLOTS];
};

int ks_audit_open(const char *path, struct ks_audit **out)
{
	struct ks_audit *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return -ENOMEM;
	a->utf8 = iconv_open("UTF-8", "UTF-8");
	if (a->utf8 == (iconv_t)-1) {
		r = -errno;
		free(a);
		return log_errno(r, "audit log: iconv UTF-8 unavailable");
	}
	a->fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640) : dup(STDERR_FILENO);
	if (a->fd < 0) {
		r = -errno;
		iconv_close(a->utf8);
		free(a);
		return log_errno(r, "audit log: opening %s (check the directory and permissions)", path);
	}
	pthread_mutex_init(&a->lock, NULL);
	*out = a;
	return 0;
}

static void clean(struct ks_audit *a, const struct ks_audit_event *ev, struct clean_event *c)
{
	const char *in[NFIELDS] = { ev->peer, ev->session, ev->event, ev->resource, ev->mr_td, ev->tcb_status,
				    ev->decision, ev->reason, ev->boot };
	char *out[NFIELDS] = { c->peer, c->session, c->event, c->resource, c->mr_td, c->tcb_status, c->decision,
			       c->reason, c->boot };

	for (int i = 0; i < NFIELDS; i++) {
		c->has[i] = in[i] != NULL;
		out[i][0] = '\0';
		if (!in[i])
			continue;
		if (i == 1)
			ks_audit_session(in[i], out[i]);
		else
			ks_audit_clean(a->utf8, in[i], i == 7 ? KS_AUDIT_REASON_MAX : i == 8 ? KS_AUDIT_BOOT_MAX :
				       KS_AUDIT_FIELD_MAX, out[i]);
	}
	c->has[8] = c->has[8] && c->boot[0]; /* "boot" only when there is one */
}

static void add(json_object *o, const char *k, bool has, const char *v)
{
	json_object_object_add(o, k, has ? json_object_new_string(v) : NULL);
}

/* An event's line (suppressed 0), or a count line for `suppressed` dropped refusals like c
 * (c NULL: those dropped by the overall limit). */
static int write_line(struct ks_audit *a, const struct clean_event *c, unsigned suppressed)
{
	static const char *const keys[NFIELDS] = { "peer", "session", "event", "resource", "mr_td",
						   "tcb_status", "decision", "reason", "boot" };
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
	add(o, "time", true, when);
	if (c && !suppressed) {
		const char *v[NFIELDS] = { c->peer, c->session, c->event, c->resource, c->mr_td, c->tcb_status,
					   c->decision, c->reason, c->boot };

		for (int i = 0; i < NFIELDS; i++)
			if (i < 8 || c->has[i]) /* the first eight always (null when not given) */
				add(o, keys[i], c->has[i], v[i]);
	} else {
		char what[2 * KS_AUDIT_FIELD_MAX + KS_AUDIT_REASON_MAX + 32];

		if (c)
			snprintf(what, sizeof(what), "%s %s: %s", c->event, c->decision, c->reason);
		add(o, "peer", c && c->has[0], c ? c->peer : NULL);
		add(o, "event", true, "audit");
		add(o, "resource", c && c->has[3], c ? c->resource : NULL);
		add(o, "decision", true, "suppressed");
		add(o, "reason", true, c ? what : "refusals over the audit log's limit of lines per second");
		json_object_object_add(o, "suppressed", json_object_new_int64(suppressed));
	}
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

static bool same(const struct clean_event *x, const struct clean_event *y)
{
	return strcmp(x->peer, y->peer) == 0 && strcmp(x->event, y->event) == 0 &&
	       strcmp(x->decision, y->decision) == 0 && strcmp(x->resource, y->resource) == 0 &&
	       strcmp(x->reason, y->reason) == 0 && x->has[3] == y->has[3] && x->has[7] == y->has[7];
}

/* FNV-1a over the fields that make refusals identical: only picks the slot. */
static size_t slot_of(const struct clean_event *c)
{
	const char *f[5] = { c->peer, c->event, c->decision, c->resource, c->reason };
	uint64_t h = 14695981039346656037ull;

	for (int i = 0; i < 5; i++)
		for (const char *p = f[i];; p++) {
			h = (h ^ (uint8_t)*p) * 1099511628211ull;
			if (!*p)
				break;
		}
	return (size_t)(h % SLOTS);
}

/* Counts older than this second that nobody picked up: written as lines of their own. */
static void sweep(struct ks_audit *a, int64_t now)
{
	if (a->swept == now)
		return;
	a->swept = now;
	for (size_t i = 0; i < SLOTS; i++) {
		struct slot *s = &a->slots[i];

		if (s->used && s->suppressed && s->second < now) {
			write_line(a, &s->ev, s->suppressed);
			s->suppressed = 0;
		}
	}
	if (a->over_limit && a->second < now) {
		write_line(a, NULL, a->over_limit);
		a->over_limit = 0;
	}
}

static int log_refusal(struct ks_audit *a, const struct clean_event *c, int64_t now)
{
	struct slot *s = &a->slots[slot_of(c)];

	if (s->used && s->second == now && same(&s->ev, c)) {
		s->suppressed++;
		return 0;
	}
	if (a->second != now) {
		a->second = now;
		a->lines = 0;
	}
	if (a->lines >= KS_AUDIT_REFUSALS_PER_S) {
		a->over_limit++;
		return 0;
	}
	if (s->used && s->suppressed)
		write_line(a, &s->ev, s->suppressed); /* evicted: its count first */
	a->lines++;
	s->used = true;
	s->second = now;
	s->suppressed = 0;
	s->ev = *c;
	return write_line(a, c, 0);
}

int ks_audit_log(struct ks_audit *a, const struct ks_audit_event *ev)
{
	struct clean_event *c = malloc(sizeof(*c));
	int64_t now = mono_ms() / 1000;
	int r;

	if (!c)
		return -ENOMEM;
	pthread_mutex_lock(&a->lock);
	clean(a, ev, c);
	sweep(a, now);
	if (a->unlimited || (ev->decision && (strcmp(ev->decision, "release") == 0 ||
						  strcmp(ev->decision, "attested") == 0)))
		r = write_line(a, c, 0);
	else
		r = log_refusal(a, c, now);
	pthread_mutex_unlock(&a->lock);
	free(c);
	return r;
}

void ks_audit_set_rate_limit(struct ks_audit *a, bool on)
{
	pthread_mutex_lock(&a->lock);
	a->unlimited = !on;
	pthread_mutex_unlock(&a->lock);
}

void ks_audit_close(struct ks_audit *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	sweep(a, INT64_MAX);
	pthread_mutex_unlock(&a->lock);
	pthread_mutex_destroy(&a->lock);
	iconv_close(a->utf8);
	close(a->fd);
	free(a);
}
