/* SPDX-License-Identifier: Apache-2.0 */
/* The TD's event log (ACPI CCEL area, TCG2 crypto-agile format with SHA-384 digests):
 * parsing, replay into RTMR0-3 and decoding of the events that name boot components
 * (../shared/docs/tdx-formats.md §12, measured-boot.md §2-§6). Shared by the client
 * (mbedTLS) and the server (OpenSSL): the caller passes the SHA-384 implementation. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdx_types.h"

/* Largest log accepted anywhere (GCP's area is 256 KiB, Trustee's TD-shim test log 1 MiB). */
#define CCEL_LOG_MAX (4u << 20)
/* Bound on the records of one log (a record is at least 66 bytes). */
#define CCEL_MAX_EVENTS 65536u

/* TCG PC Client event types (TCG PFP spec §10.4.1) met in TD logs. */
#define EV_POST_CODE                       0x1u
#define EV_NO_ACTION                       0x3u
#define EV_SEPARATOR                       0x4u
#define EV_ACTION                          0x5u
#define EV_EVENT_TAG                       0x6u
#define EV_S_CRTM_CONTENTS                 0x7u
#define EV_S_CRTM_VERSION                  0x8u
#define EV_CPU_MICROCODE                   0x9u
#define EV_PLATFORM_CONFIG_FLAGS           0xau
#define EV_TABLE_OF_DEVICES                0xbu
#define EV_COMPACT_HASH                    0xcu
#define EV_IPL                             0xdu
#define EV_IPL_PARTITION_DATA              0xeu
#define EV_NONHOST_CODE                    0xfu
#define EV_NONHOST_CONFIG                  0x10u
#define EV_NONHOST_INFO                    0x11u
#define EV_OMIT_BOOT_DEVICE_EVENTS         0x12u
#define EV_EFI_VARIABLE_DRIVER_CONFIG      0x80000001u
#define EV_EFI_VARIABLE_BOOT               0x80000002u
#define EV_EFI_BOOT_SERVICES_APPLICATION   0x80000003u
#define EV_EFI_BOOT_SERVICES_DRIVER        0x80000004u
#define EV_EFI_RUNTIME_SERVICES_DRIVER     0x80000005u
#define EV_EFI_GPT_EVENT                   0x80000006u
#define EV_EFI_ACTION                      0x80000007u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB      0x80000008u
#define EV_EFI_HANDOFF_TABLES              0x80000009u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB2     0x8000000au
#define EV_EFI_HANDOFF_TABLES2             0x8000000bu
#define EV_EFI_VARIABLE_BOOT2              0x8000000cu
#define EV_EFI_VARIABLE_AUTHORITY          0x800000e0u

/* "EV_SEPARATOR" etc., or NULL for a type without a name. */
const char *ccel_type_name(uint32_t type);

/* SHA-384 of a ‖ b (b may be NULL when blen is 0). Returns 0 or a negative errno. The
 * client passes tdx_sha384_mbedtls, the server vf_sha384 (OpenSSL). */
typedef int (*ccel_sha384_fn)(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[48]);
int tdx_sha384_mbedtls(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[48]);

struct ccel_event {
	size_t offset;         /* of the record in the log */
	uint32_t mr;           /* CC MR index: 1..4 = RTMR0..3 (0 only for EV_NO_ACTION) */
	uint32_t type;
	const uint8_t *digest; /* the SHA-384 digest (48 bytes), NULL for EV_NO_ACTION without one */
	const uint8_t *data;   /* event data, data_len bytes */
	uint32_t data_len;
};

/* Everything points into the caller's buffer, which must outlive the log. */
struct ccel_log {
	struct ccel_event *ev; /* records after the Spec ID event, in log order */
	size_t n;
	size_t end;            /* offset just past the last record */
};

/* Parses a log area (or a trimmed log): the Spec ID event (SHA-384 must be one of its
 * algorithms), then records up to a header of 8 bytes 0xFF or 0x00, or the end of buf.
 * Every size is bounded by buf; any record that does not fit is an error. Returns 0,
 * -EBADMSG (*why names the problem and the offset is logged by the caller), -ENOMEM. */
int ccel_parse(const uint8_t *buf, size_t len, struct ccel_log *log, const char **why);
void ccel_log_free(struct ccel_log *log);

/* Quick check that buf starts like an event log (the Spec ID event header). */
bool ccel_looks_like_log(const uint8_t *buf, size_t len);

/* Replays the measured events (MR 1..4, not EV_NO_ACTION) into RTMR0-3 from zero. */
int ccel_replay(const struct ccel_log *log, ccel_sha384_fn sha384, uint8_t rtmr[4][TDX_MR_LEN]);

/* RTMR index (0..3) an event extends, or -1 (EV_NO_ACTION, MR 0). */
static inline int ccel_event_rtmr(const struct ccel_event *e)
{
	return e->type != EV_NO_ACTION && e->mr >= 1 && e->mr <= 4 ? (int)e->mr - 1 : -1;
}
