/* SPDX-License-Identifier: Apache-2.0 */
/* TESTS ONLY: a stand-in for libcryptsetup-token-tdx-unlock.so until the real plugin
 * lands. It proves the wiring of the token method in the QEMU initrd: the plugin is
 * installed where libcryptsetup looks, loads with its libraries, is called by
 * systemd-cryptsetup for a "tdx-unlock" token after network-online.target, and a failure
 * (-EAGAIN, as the real plugin returns at its deadline) leads to the passphrase prompt.
 * Build: cc -shared -fPIC -Wl,--version-script=token-stub.map -o <so> token-stub.c */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

struct crypt_device;

const char *cryptsetup_token_version(void);
int cryptsetup_token_open(struct crypt_device *cd, int token, char **buffer, size_t *buffer_len,
			  void *usrptr);
int cryptsetup_token_open_pin(struct crypt_device *cd, int token, const char *pin, size_t pin_size,
			      char **buffer, size_t *buffer_len, void *usrptr);
int cryptsetup_token_validate(struct crypt_device *cd, const char *json);

/* The console shows kernel messages; the journal is not on the serial line. */
static void kmsg(const char *msg)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, msg, strlen(msg)) < 0) {
			/* nothing to do: this is only a test marker */
		}
		close(fd);
	}
}

const char *cryptsetup_token_version(void)
{
	return "0.0.0-qemu-stub";
}

int cryptsetup_token_open(struct crypt_device *cd, int token, char **buffer, size_t *buffer_len,
			  void *usrptr)
{
	(void)cd, (void)token, (void)buffer, (void)buffer_len, (void)usrptr;
	kmsg("<3>tdx-unlock-stub: token open called, giving up with -EAGAIN\n");
	return -EAGAIN;
}

int cryptsetup_token_open_pin(struct crypt_device *cd, int token, const char *pin, size_t pin_size,
			      char **buffer, size_t *buffer_len, void *usrptr)
{
	(void)pin, (void)pin_size;
	return cryptsetup_token_open(cd, token, buffer, buffer_len, usrptr);
}

int cryptsetup_token_validate(struct crypt_device *cd, const char *json)
{
	(void)cd, (void)json;
	return 0;
}
