/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the key server's request handling, ks_handle(), with the method, path,
 * cookie, Authorization header and body taken from the input, against one server state
 * built once (simulator PKI, a policy, a resource, an attested session and its token).
 *
 * Input: byte 0 = flags, then "PATH\nCOOKIE\nAUTHORIZATION\nBODY..." (missing fields empty).
 *   flags & 7   method: GET POST PUT DELETE HEAD OPTIONS "" "get"
 *   flags & 8   cookie = a fresh challenged session (a real /auth first), COOKIE ignored
 *   flags & 16  cookie = the attested session, COOKIE ignored
 *   flags & 32  Authorization = "Bearer <valid token>" followed by AUTHORIZATION
 * Invariants checked on every reply: a status and a NUL-terminated body of the stated
 * length; a 200 only for /healthz, /auth, /attest or a resource, and a Set-Cookie only on
 * /auth and /attest; the resource bytes never appear in clear; every new audit line is
 * strict JSON in valid UTF-8, under 4 KB, with a session that is null, 32 hex digits or
 * "invalid:" + 16 hex digits (never the cookie). */
#include "common/log.h"
#include "kbs/b64.h"
#include "kbs/ec_key.h"
#include "kbs/runtime_data.h"
#include "server/handler.h"
#include "server/server.h"
#include "verify/policy.h"
#include "../sim/sim_pki.h"
#include "../sim/sim_quote.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

static const char secret_text[] = "ZnV6ei1zZXJ2ZXItcmVzb3VyY2UtMzItYnl0ZXMhISE=";

static struct ks_server srv;
static char attested_cookie[33];
static char bearer_prefix[4200];
static char audit_path[600];
static off_t audit_seen;

static void quiet(enum log_level lvl, const char *line, void *ctx) { (void)lvl; (void)line; (void)ctx; }

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "fuzz_server setup: %s\n", what);
	abort();
}

static void put(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

static void handle(const char *method, const char *path, const char *body, size_t len, const char *cookie,
		   const char *auth, struct ks_reply *rep)
{
	struct ks_request req = { .method = method, .path = path, .body = body, .body_len = len,
				  .cookie = cookie, .authorization = auth, .peer = "fuzz" };

	ks_handle(&srv, &req, rep);
}

/* auth -> attest with a genuine simulator quote: the attested session and its token. */
static void attest_once(const struct sim_pki *pki)
{
	static const char auth[] = "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}";
	struct kbs_ec_key *key;
	struct tdx_td_info td;
	struct ks_reply rep;
	char x[KBS_EC_COORD_B64], y[KBS_EC_COORD_B64], nonce[64], *canon, *q64, *body;
	uint8_t rd[64], *quote;
	size_t clen, qlen;
	json_object *o, *v;

	handle("POST", "/kbs/v0/auth", auth, sizeof(auth) - 1, NULL, NULL, &rep);
	if (rep.status != 200 || !(o = json_tokener_parse(rep.body)) || !json_object_object_get_ex(o, "nonce", &v))
		die("auth");
	snprintf(nonce, sizeof(nonce), "%s", json_object_get_string(v));
	json_object_put(o);
	memcpy(attested_cookie, rep.set_cookie + strlen("kbs-session-id="), 32);
	free(rep.body);
	if (kbs_ec_key_generate(&key) < 0 || kbs_ec_key_jwk(key, x, y) < 0 ||
	    kbs_runtime_data_canon(nonce, x, y, "", &canon, &clen) < 0 ||
	    kbs_report_data(KBS_HASH_SHA384, canon, clen, rd) < 0 || sim_profile_default(&td) < 0 ||
	    sim_quote_build(pki, &td, rd, 4, 0, &quote, &qlen) < 0)
		die("quote");
	free(canon);
	q64 = malloc(kbs_b64_encoded_len(qlen) + 1);
	if (!q64 || kbs_b64_encode(quote, qlen, q64, kbs_b64_encoded_len(qlen) + 1) < 0 ||
	    asprintf(&body, "{\"runtime-data\":{\"nonce\":\"%s\",\"tee-pubkey\":{\"kty\":\"EC\",\"crv\":\"P-256\","
		     "\"alg\":\"ECDH-ES+A256KW\",\"x\":\"%s\",\"y\":\"%s\"}},\"tee-evidence\":{\"primary_evidence\":"
		     "{\"cc_eventlog\":null,\"quote\":\"%s\"},\"additional_evidence\":\"\"}}", nonce, x, y, q64) < 0)
		die("attest body");
	free(quote);
	free(q64);
	handle("POST", "/kbs/v0/attest", body, strlen(body), attested_cookie, NULL, &rep);
	free(body);
	if (rep.status != 200 || !(o = json_tokener_parse(rep.body)) || !json_object_object_get_ex(o, "token", &v))
		die("attest");
	snprintf(bearer_prefix, sizeof(bearer_prefix), "Bearer %s", json_object_get_string(v));
	json_object_put(o);
	free(rep.body);
	kbs_ec_key_free(key);
}

static void setup(void)
{
	char dir[] = "/tmp/fuzz_server.XXXXXX", path[512], *cfg;
	struct sim_pki_opts po = { .now = time(NULL) };
	struct sim_pki *pki;
	struct tdx_td_info td;
	struct ks_config c;
	json_object *pol, *file;

	log_set_sink(quiet, NULL);
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/pki", dir);
	if (sim_pki_create(path, &po) < 0 || sim_pki_load(path, &pki) < 0)
		die("simulator PKI");
	if (sim_profile_default(&td) < 0)
		die("profile");
	td.has_tdx15 = false; /* the policy of what a v4 quote of it shows */
	if (vf_policy_from_td(&td, 0, &pol) < 0)
		die("policy");
	file = json_object_new_object();
	json_object_object_add(file, "default/luks/demo", pol);
	put(dir, "policy.json", json_object_to_json_string(file), 0600);
	json_object_put(file);
	snprintf(path, sizeof(path), "%s/res", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/res/default", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/res/default/luks", dir);
	mkdir(path, 0700);
	put(dir, "res/default/luks/demo", secret_text, 0600);
	if (asprintf(&cfg, "{\"tls_cert\":\"x.pem\",\"tls_key\":\"x.key\",\"resources_dir\":\"res\","
		     "\"policy_file\":\"policy.json\",\"collateral_dir\":\"pki/collateral\","
		     "\"trust_anchor\":\"pki/collateral/root_ca.pem\",\"audit_log\":\"audit.log\","
		     "\"max_sessions\":256}") < 0)
		die("config");
	put(dir, "config.json", cfg, 0600);
	free(cfg);
	snprintf(audit_path, sizeof(audit_path), "%s/audit.log", dir);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if (ks_config_load(path, &c) < 0 || ks_server_init(&srv, &c) < 0)
		die("server");
	attest_once(pki);
	sim_pki_free(pki);
	/* Everything needed is loaded; the files can go (resources are read per request, so
	 * the resource directory stays until the process ends: it is tiny). */
	snprintf(path, sizeof(path), "rm -rf '%s/pki' '%s/config.json'", dir, dir);
	if (system(path) != 0)
		die("cleanup");
}

static bool hex_only(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* The audit lines written since the last call (audit.h's guarantees). */
static void check_audit(void)
{
	FILE *f = fopen(audit_path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f || fseeko(f, audit_seen, SEEK_SET) != 0)
		abort();
	while ((n = getline(&line, &cap, f)) > 0) {
		json_tokener *tok = json_tokener_new();
		json_object *o, *v;
		const char *sess;

		if (!tok || line[n - 1] != '\n' || n > 4096)
			abort();
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		o = json_tokener_parse_ex(tok, line, (int)n - 1);
		if (!o || !json_object_is_type(o, json_type_object) || json_tokener_get_parse_end(tok) != (size_t)n - 1)
			abort();
		if (json_object_object_get_ex(o, "session", &v) && v) {
			sess = json_object_get_string(v);
			if (!hex_only(sess, 32) && !(strncmp(sess, "invalid:", 8) == 0 && hex_only(sess + 8, 16)))
				abort();
		}
		json_object_put(o);
		json_tokener_free(tok);
		audit_seen += n;
	}
	free(line);
	fclose(f);
	if (audit_seen > (1 << 20)) { /* keep the file small over a long run */
		if (truncate(audit_path, 0) < 0)
			abort();
		audit_seen = 0;
	}
}

/* The next '\n'-terminated field of [*p, end) as a malloc'd string. */
static char *next_field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += n + (nl ? 1 : 0);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "", "get" };
	static bool ready;
	const uint8_t *p = data + 1, *end = data + size;
	char *path, *cookie, *auth, *body, *bearer = NULL, fresh[33];
	const char *use_cookie, *use_auth;
	struct ks_reply rep;
	unsigned flags;
	size_t blen;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size == 0)
		return 0;
	flags = data[0];
	path = next_field(&p, end);
	cookie = next_field(&p, end);
	auth = next_field(&p, end);
	blen = (size_t)(end - p);
	body = malloc(blen + 1);
	if (!body)
		abort();
	memcpy(body, p, blen);
	body[blen] = '\0';

	use_cookie = *cookie || (flags & 1) ? cookie : NULL;
	if (flags & 8) {
		static const char a[] = "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}";

		handle("POST", "/kbs/v0/auth", a, sizeof(a) - 1, NULL, NULL, &rep);
		fresh[0] = '\0';
		if (rep.status == 200) { /* "kbs-session-id=<32 hex>; Expires=..." */
			memcpy(fresh, rep.set_cookie + strlen("kbs-session-id="), 32);
			fresh[32] = '\0';
		}
		free(rep.body);
		use_cookie = fresh;
	}
	if (flags & 16)
		use_cookie = attested_cookie;
	use_auth = *auth ? auth : NULL;
	if (flags & 32) {
		if (asprintf(&bearer, "%s%s", bearer_prefix, auth) < 0)
			abort();
		use_auth = bearer;
	}

	handle(methods[flags & 7], path, body, blen, use_cookie, use_auth, &rep);

	if (rep.status < 200 || rep.status > 599 || !rep.body || strlen(rep.body) != rep.len)
		abort();
	if (memmem(rep.body, rep.len, secret_text, sizeof(secret_text) - 1))
		abort(); /* the resource only ever leaves JWE-encrypted */
	if (rep.status == 200 && strcmp(path, "/healthz") != 0 && strcmp(path, "/kbs/v0/auth") != 0 &&
	    strcmp(path, "/kbs/v0/attest") != 0 && strncmp(path, "/kbs/v0/resource/", 17) != 0)
		abort();
	if (rep.set_cookie[0] && strcmp(path, "/kbs/v0/auth") != 0 && strcmp(path, "/kbs/v0/attest") != 0)
		abort();
	free(rep.body);
	check_audit();
	free(bearer);
	free(path);
	free(cookie);
	free(auth);
	free(body);
	return 0;
}
