/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded whole-file reads and safe writes. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Reads the whole file (or "-" for stdin) into a malloc'd buffer with a NUL appended
 * (not counted in *len). Refuses files larger than max with -EFBIG. */
int file_read_all(const char *path, size_t max, uint8_t **out, size_t *len);
/* For files named by configuration, a token, the kernel command line or an option: only a
 * regular file is read (a FIFO, device, socket or directory is refused with -EINVAL, before
 * anything can block: the open is O_NONBLOCK), at most max bytes (-EFBIG), and with
 * deadline_ms (absolute CLOCK_MONOTONIC milliseconds, 0 = none) checked before each read
 * (-ETIMEDOUT). Same buffer conventions as file_read_all; no "-" for stdin. */
int file_read_regular(const char *path, size_t max, long long deadline_ms, uint8_t **out, size_t *len);
/* Text for file_read_regular's errors: "not a regular file ...", sizes, the deadline, else strerror. */
const char *file_read_strerror(int err);
/* Reads up to max bytes from an open descriptor until EOF; same conventions. */
int fd_read_all(int fd, size_t max, uint8_t **out, size_t *len);
/* Writes buf to path (or "-" for stdout), created with the given mode (new files),
 * via a temporary file renamed into place. */
int file_write_all(const char *path, const uint8_t *buf, size_t len, unsigned mode);
/* Writes the whole buffer, retrying short writes and EINTR. */
int write_full(int fd, const void *buf, size_t len);
