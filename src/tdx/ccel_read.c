/* SPDX-License-Identifier: Apache-2.0 */
#include "ccel_read.h"
#include "eventlog.h"
#include "quote.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <string.h>

#define ACPI_CCEL_LEN 56
#define CC_TYPE_TDX 2

/* The ACPI CCEL table: signature, length, CC type (TDX) and the log area's length. */
static int area_length(size_t *laml)
{
	_cleanup_free_ uint8_t *t = NULL;
	uint64_t v;
	size_t n;
	int r;

	r = file_read_all(CCEL_SYSFS_TABLE, 4096, &t, &n);
	if (r < 0)
		return r;
	if (n < ACPI_CCEL_LEN || memcmp(t, "CCEL", 4) != 0 || le32(t + 4) < ACPI_CCEL_LEN)
		return -EBADMSG;
	if (t[36] != CC_TYPE_TDX)
		return -EPROTONOSUPPORT;
	v = (uint64_t)le32(t + 40) | (uint64_t)le32(t + 44) << 32;
	*laml = v < CCEL_LOG_MAX ? (size_t)v : CCEL_LOG_MAX;
	return 0;
}

int ccel_read_evidence(const char *path, uint8_t **out, size_t *len)
{
	_cleanup_free_ uint8_t *buf = NULL;
	struct ccel_log log;
	const char *src = path ? path : CCEL_SYSFS_DATA, *why = NULL;
	size_t n, laml = CCEL_LOG_MAX;
	int r;

	*out = NULL;
	if (path && !strcmp(path, CCEL_PATH_NONE)) {
		log_info("sending no event log (ccel = none)");
		return -ENOENT;
	}
	if (!path && (r = area_length(&laml)) < 0) {
		log_info("sending no event log: no usable ACPI CCEL table at %s (%s)", CCEL_SYSFS_TABLE,
			 r == -EPROTONOSUPPORT ? "not a TDX log" : r == -EBADMSG ? "malformed" : strerror(-r));
		return r == -EBADMSG || r == -EPROTONOSUPPORT ? -EBADMSG : r;
	}
	r = file_read_all(src, CCEL_LOG_MAX, &buf, &n);
	if (r < 0) {
		log_info("sending no event log: cannot read %s (%s)", src, strerror(-r));
		return r;
	}
	if (n > laml)
		n = laml;
	r = ccel_parse(buf, n, &log, &why);
	if (r < 0) {
		log_info("sending no event log: %s is not a well-formed event log (%s)", src,
			 r == -EBADMSG ? why : strerror(-r));
		return r;
	}
	/* Trim after the last record and end with the fill marker (kbs-protocol.md §10). */
	n = log.end;
	ccel_log_free(&log);
	*out = malloc(n + 8);
	if (!*out)
		return log_errno(-ENOMEM, "copying the event log");
	memcpy(*out, buf, n);
	memset(*out + n, 0xff, 8);
	*len = n + 8;
	log_debug("event log from %s: %zu bytes", src, *len);
	return 0;
}
