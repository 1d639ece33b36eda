/* SPDX-License-Identifier: Apache-2.0 */
/* libcryptsetup-token-tdx-unlock.so: the libcryptsetup 2.6 token plugin
 * (boot-integration.md §2). open: read the token, apply the measured configuration,
 * attest and fetch the secret within the deadline, hand the secret to libcryptsetup,
 * which tries only the token's keyslots. Errors map to codes that let the password
 * prompt appear (§2.4); -ENOANO is never returned. */
#include "../common/log.h"
#include "../common/mono_time.h"
#include "../common/secmem.h"
#include "../common/version.h"
#include "../kbs/kbs_client.h"
#include "../luks/luks.h"
#include "../luks/settings.h"

#include <errno.h>
#include <libcryptsetup.h>
#include <string.h>
#include <time.h>

const char *cryptsetup_token_version(void);
int cryptsetup_token_open(struct crypt_device *cd, int token, char **buffer, size_t *buffer_len, void *usrptr);
int cryptsetup_token_open_pin(struct crypt_device *cd, int token, const char *pin, size_t pin_size,
			      char **buffer, size_t *buffer_len, void *usrptr);
void cryptsetup_token_buffer_free(void *buffer, size_t buffer_len);
int cryptsetup_token_validate(struct crypt_device *cd, const char *json);
void cryptsetup_token_dump(struct crypt_device *cd, const char *json);

struct sink_ctx {
	struct crypt_device *cd;
	bool verbose; /* rd.tdx_unlock.debug: details at CRYPT_LOG_VERBOSE instead of DEBUG */
};

/* src/common/log.h lines go to libcryptsetup's log (stderr of cryptsetup, the journal
 * under systemd-cryptsetup). Warnings are per-attempt failures: shown like errors. */
static void crypt_sink(enum log_level lvl, const char *line, void *p)
{
	const struct sink_ctx *s = p;
	int level;

	if (lvl <= LOG_LVL_WARN)
		level = CRYPT_LOG_ERROR;
	else if (lvl == LOG_LVL_INFO || s->verbose)
		level = CRYPT_LOG_VERBOSE;
	else
		level = CRYPT_LOG_DEBUG;
	crypt_logf(s->cd, level, "tdx-unlock: %s\n", line);
}

static void sink_begin(struct sink_ctx *s, struct crypt_device *cd)
{
	s->cd = cd;
	s->verbose = false;
	log_set_level(LOG_LVL_DEBUG);
	log_set_sink(crypt_sink, s);
}

static void sink_end(struct sink_ctx *s)
{
	(void)s;
	log_set_sink(NULL, NULL);
}
#define _cleanup_sink_ __attribute__((cleanup(sink_end)))

const char *cryptsetup_token_version(void)
{
	return TDX_UNLOCK_VERSION;
}

/* kbs_fetch's result as a token plugin return code (§2.4). */
static int map_error(int r)
{
	switch (r) {
	case -ENOMEM:
		return -ENOMEM;
	case -EINVAL:
		return -EINVAL;
	case -EACCES:
	case -EPERM:
	case -EKEYREJECTED:
		return -EPERM; /* refused: attestation, policy, or a server we must not trust */
	default:
		return -EAGAIN; /* deadline, network, server trouble: the password prompt comes next */
	}
}

/* kbs_fetch's result in words for the summary line: its own errors are decisions (a
 * deadline, a refusal), not what strerror() would say about them. */
static const char *outcome(int r)
{
	switch (r) {
	case -ETIMEDOUT:
		return "the deadline passed";
	case -EACCES:
	case -EPERM:
		return "the key server refused the evidence or the policy denied it";
	case -EKEYREJECTED:
		return "the key server's certificate was not accepted";
	case -EINVAL:
		return "the configuration, the token or the CA file is not usable";
	default:
		return strerror(-r);
	}
}

static int fetch(const struct luks_token *tok, struct secret *secret, struct sink_ctx *sink)
{
	struct luks_sources src;
	struct luks_settings set;
	struct kbs_client_opts ko;
	const char *resource = tok->resource;
	long long start;
	int r;

	if ((r = luks_sources_load(&src)) < 0)
		return -EINVAL;
	r = luks_settings_resolve(&src, tok, 0, &set);
	if (r == -ENOENT)
		return -ENOENT; /* rd.tdx_unlock=0 */
	if (r < 0)
		return -EINVAL;
	sink->verbose = set.debug;
	/* Not a TD: no evidence will ever come; give the prompt at once, without network. */
	if (luks_td_probe(set.tsm_dir) < 0)
		return -EAGAIN;
	luks_settings_to_kbs(&set, &ko);
	log_debug("%s: %zu server(s) from the %s, CA %s from the %s, deadline %d s from the %s", resource,
		  set.n_urls, luks_origin_name(set.url_origin), set.ca_file, luks_origin_name(set.ca_origin),
		  set.timeout_s, luks_origin_name(set.timeout_origin));
	start = mono_ms();
	r = kbs_fetch(&ko, &resource, 1, secret);
	if (r < 0) {
		log_err("no secret for %s after %.1f s (%s; see above): falling back to the next token or the "
			"passphrase", resource, (double)(mono_ms() - start) / 1000, outcome(r));
		return map_error(r);
	}
	log_info("secret for %s released in %.1f s", resource, (double)(mono_ms() - start) / 1000);
	return 0;
}

int cryptsetup_token_open_pin(struct crypt_device *cd, int token, const char *pin, size_t pin_size,
			      char **buffer, size_t *buffer_len, void *usrptr)
{
	_cleanup_sink_ struct sink_ctx sink;
	_cleanup_secret_ struct secret secret = { 0 };
	struct luks_token tok;
	const char *json = NULL;
	int r;

	(void)pin;
	(void)pin_size; /* no PIN: the TD's measurements are the credential */
	(void)usrptr;
	sink_begin(&sink, cd);
	if (!buffer || !buffer_len)
		return -EINVAL;
	*buffer = NULL;
	*buffer_len = 0;
	r = crypt_token_json_get(cd, token, &json);
	if (r < 0) {
		log_errno(r, "reading token %d", token);
		return -EINVAL;
	}
	if (luks_token_parse(json, &tok) < 0)
		return -EINVAL;
	r = fetch(&tok, &secret, &sink);
	if (r < 0)
		return r;
	*buffer = secmem_alloc(secret.len);
	if (!*buffer)
		return -ENOMEM;
	memcpy(*buffer, secret.data, secret.len);
	*buffer_len = secret.len;
	return 0;
}

int cryptsetup_token_open(struct crypt_device *cd, int token, char **buffer, size_t *buffer_len, void *usrptr)
{
	return cryptsetup_token_open_pin(cd, token, NULL, 0, buffer, buffer_len, usrptr);
}

void cryptsetup_token_buffer_free(void *buffer, size_t buffer_len)
{
	secmem_free(buffer, buffer_len);
}

int cryptsetup_token_validate(struct crypt_device *cd, const char *json)
{
	_cleanup_sink_ struct sink_ctx sink;
	struct luks_token tok;

	sink_begin(&sink, cd);
	return luks_token_parse(json, &tok) < 0 ? 1 : 0;
}

void cryptsetup_token_dump(struct crypt_device *cd, const char *json)
{
	_cleanup_sink_ struct sink_ctx sink;
	struct luks_token tok;

	sink_begin(&sink, cd);
	if (luks_token_parse(json, &tok) < 0)
		return;
	crypt_logf(cd, CRYPT_LOG_NORMAL, "\tresource:   %s\n", tok.resource);
	for (size_t i = 0; i < tok.n_urls; i++)
		crypt_logf(cd, CRYPT_LOG_NORMAL, "\tkbs-url:    %s\n", tok.urls[i]);
	if (tok.ca_file[0])
		crypt_logf(cd, CRYPT_LOG_NORMAL, "\tca-file:    %s\n", tok.ca_file);
	crypt_logf(cd, CRYPT_LOG_NORMAL, "\ttimeout-s:  %d\n", tok.timeout_s ? tok.timeout_s : LUKS_TIMEOUT_DEFAULT);
}
