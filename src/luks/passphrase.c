/* SPDX-License-Identifier: Apache-2.0 */
/* The existing passphrase that authorises bind: a key file (bytes as they are, like
 * cryptsetup --key-file) or one line typed on the terminal without echo. */
#include "luks.h"
#include "../common/cleanup.h"
#include "../common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define TTY_PASSPHRASE_MAX 512

static int write_all_ignored(int fd, const char *s)
{
	return (int)write(fd, s, strlen(s));
}

static int read_fd(int fd, size_t max, struct secret *out)
{
	struct secret s = { secmem_alloc(max + 1), 0 };

	if (!s.data)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, s.data + s.len, max + 1 - s.len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;

			secmem_free(s.data, max + 1);
			return r;
		}
		if (n == 0)
			break;
		s.len += (size_t)n;
		if (s.len > max) {
			secmem_free(s.data, max + 1);
			return -EFBIG;
		}
	}
	/* Keep the allocation size known to secret_clear: copy into an exact-size buffer. */
	out->data = secmem_alloc(s.len ? s.len : 1);
	if (!out->data) {
		secmem_free(s.data, max + 1);
		return -ENOMEM;
	}
	memcpy(out->data, s.data, s.len);
	out->len = s.len;
	secmem_free(s.data, max + 1);
	return 0;
}

static int read_tty(const char *prompt, struct secret *out)
{
	_cleanup_close_ int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	struct termios old, quiet;
	unsigned char ch;
	int r = 0;

	if (fd < 0)
		return log_errno(-errno, "no terminal to ask for the passphrase: use --key-file FILE");
	out->data = secmem_alloc(TTY_PASSPHRASE_MAX);
	out->len = 0;
	if (!out->data)
		return -ENOMEM;
	if (tcgetattr(fd, &old) < 0)
		return log_errno(-errno, "reading the terminal settings");
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	/* Echo off before the prompt shows: what is typed after it is never echoed or flushed. */
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0)
		return log_errno(-errno, "turning off the terminal echo");
	(void)write_all_ignored(fd, prompt);
	for (;;) {
		ssize_t n = read(fd, &ch, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || ch == '\n')
			break;
		if (out->len == TTY_PASSPHRASE_MAX) {
			r = -E2BIG;
			break;
		}
		out->data[out->len++] = ch;
	}
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)write_all_ignored(fd, "\n");
	secure_wipe(&ch, sizeof(ch));
	if (r < 0) {
		secret_clear(out);
		return log_fail(r, "the passphrase is longer than %d characters", TTY_PASSPHRASE_MAX);
	}
	return 0;
}

int luks_passphrase_read(const char *key_file, const char *prompt, struct secret *out)
{
	_cleanup_close_ int fd = -1;
	int r;

	out->data = NULL;
	out->len = 0;
	if (!key_file)
		return read_tty(prompt, out);
	fd = strcmp(key_file, "-") == 0 ? dup(STDIN_FILENO) : open(key_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "opening the key file %s", key_file);
	r = read_fd(fd, LUKS_PASSPHRASE_MAX, out);
	if (r < 0)
		return log_errno(r, "reading the key file %s (at most 64 KiB)", key_file);
	if (!out->len) {
		secret_clear(out);
		return log_fail(-EINVAL, "the key file %s is empty", key_file);
	}
	return 0;
}
