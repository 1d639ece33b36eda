/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-384 with OpenSSL for the server side of the event log (the ccel_sha384_fn of
 * src/tdx/eventlog.h). */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* SHA-384 of a ‖ b; out may alias a. Returns 0 or -EIO/-ENOMEM. */
int vf_sha384(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[48]);
