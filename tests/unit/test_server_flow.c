/* The key server's request handling in process (no HTTP): ks_handle() driven through
 * auth -> attest -> resource with simulator quotes bound to the client library's
 * REPORTDATA, and every refusal of kbs-protocol.md §12.2. Each case checks the HTTP status,
 * the KBS error variant, that no JWE / token / secret leaves, and the audit line. */
#include "testutil.h"
#include "common/log.h"
#include "common/secmem.h"
#include "kbs/b64.h"
#include "kbs/ec_key.h"
#include "kbs/jwe_decrypt.h"
#include "kbs/runtime_data.h"
#include "server/handler.h"
#include "server/server.h"
#include "server/session.h"
#include "server/token.h"
#include "../sim/sim_pki.h"
#include "../sim/sim_quote.h"
#include "verify/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#define ERR_PREFIX "https://github.com/confidential-containers/kbs/errors/"
#define DEMO "default/luks/demo"
/* 44 characters, like a LUKS passphrase made of 32 random bytes in base64. */
static const char secret_text[] = "c2VjcmV0LWtleS1mb3ItdGhlLXNlcnZlci1mbG93LXQ=";

static char dir[] = "/tmp/test_server_flow.XXXXXX";
static char audit_path[512];
static struct ks_server srv;
static struct sim_pki *pki;
static struct tdx_td_info td_default;

/* ---- fixture ---------------------------------------------------------------------- */

static void write_file(const char *rel, const char *text, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void mkdirs(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
	mkdir(path, 0700);
}

static int setup(void **state)
{
	struct sim_pki_opts po = { .now = time(NULL) };
	struct ks_config cfg;
	json_object *pol, *file;
	char path[512], *cfgtext;
	(void)state;

	if (!mkdtemp(dir))
		return -1;
	if (!getenv("TEST_VERBOSE"))
		log_set_level(LOG_LVL_QUIET);
	snprintf(path, sizeof(path), "%s/pki", dir);
	if (sim_pki_create(path, &po) < 0 || sim_pki_load(path, &pki) < 0 || sim_profile_default(&td_default) < 0)
		return -1;

	/* demo, missing (policy but no file) and loose (group-readable file) share the
	 * policy pinned to the simulator's default TD; "nope" has neither. */
	if (vf_policy_from_td(&td_default, &pol) < 0)
		return -1;
	file = json_object_new_object();
	json_object_object_add(file, DEMO, json_object_get(pol));
	json_object_object_add(file, "default/luks/missing", json_object_get(pol));
	json_object_object_add(file, "default/luks/loose", pol);
	mkdirs("res/default/luks");
	write_file("res/" DEMO, secret_text, 0600);
	write_file("res/default/luks/loose", secret_text, 0640);
	write_file("policy.json", json_object_to_json_string(file), 0600);
	json_object_put(file);
	snprintf(audit_path, sizeof(audit_path), "%s/audit.log", dir);
	/* tls_* are only read by the HTTP front end, which this test does not start. */
	if (asprintf(&cfgtext, "{\"listen\":\"127.0.0.1:0\",\"tls_cert\":\"unused.pem\",\"tls_key\":\"unused.key\","
		     "\"resources_dir\":\"res\",\"policy_file\":\"policy.json\",\"collateral_dir\":\"pki/collateral\","
		     "\"trust_anchor\":\"pki/collateral/root_ca.pem\",\"audit_log\":\"audit.log\","
		     "\"session_lifetime_s\":60,\"max_sessions\":64}") < 0)
		return -1;
	write_file("config.json", cfgtext, 0600);
	free(cfgtext);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if (ks_config_load(path, &cfg) < 0 || ks_server_init(&srv, &cfg) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	(void)state;

	ks_server_fini(&srv);
	sim_pki_free(pki);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- requests ---------------------------------------------------------------------- */

static void call(const char *method, const char *path, const char *body, const char *cookie,
		 const char *authorization, struct ks_reply *rep)
{
	struct ks_request req = {
		.method = method, .path = path, .body = body ? body : "", .body_len = body ? strlen(body) : 0,
		.cookie = cookie, .authorization = authorization, .peer = "192.0.2.7",
	};

	ks_handle(&srv, &req, rep);
	assert_non_null(rep->body);
	assert_int_equal(strlen(rep->body), rep->len);
}

static void reply_free(struct ks_reply *rep)
{
	free(rep->body);
	memset(rep, 0, sizeof(*rep));
}

/* A KBS error: status, variant, no cookie, and nothing that could carry a secret. */
static void assert_error(struct ks_reply *rep, unsigned status, const char *variant)
{
	json_object *obj = json_tokener_parse(rep->body), *v;
	char want[160];

	if (rep->status != status || !obj)
		print_message("reply %u: %s\n", rep->status, rep->body);
	assert_int_equal(rep->status, status);
	assert_non_null(obj);
	snprintf(want, sizeof(want), ERR_PREFIX "%s", variant);
	assert_true(json_object_object_get_ex(obj, "type", &v));
	assert_string_equal(json_object_get_string(v), want);
	assert_true(json_object_object_get_ex(obj, "detail", &v));
	assert_int_equal(json_object_object_length(obj), 2);
	json_object_put(obj);
	assert_null(strstr(rep->body, "ciphertext"));
	assert_null(strstr(rep->body, "encrypted_key"));
	assert_null(strstr(rep->body, "token\":"));
	assert_null(strstr(rep->body, secret_text));
	assert_string_equal(rep->set_cookie, "");
	reply_free(rep);
}

/* ---- audit ------------------------------------------------------------------------- */

static off_t audit_mark(void)
{
	struct stat st;

	assert_int_equal(stat(audit_path, &st), 0);
	return st.st_size;
}

/* The lines written since mark: exactly `lines` of them; the last one is returned
 * parsed (NULL when lines == 0). */
static json_object *audit_since(off_t mark, int lines)
{
	FILE *f = fopen(audit_path, "re");
	char buf[4096], last[4096] = "";
	int n = 0;

	assert_non_null(f);
	assert_int_equal(fseeko(f, mark, SEEK_SET), 0);
	while (fgets(buf, sizeof(buf), f)) {
		assert_non_null(strchr(buf, '\n')); /* whole lines only */
		assert_null(strstr(buf, secret_text));
		memcpy(last, buf, sizeof(buf));
		n++;
	}
	fclose(f);
	if (n != lines)
		print_message("expected %d audit lines, got %d; last: %s", lines, n, last);
	assert_int_equal(n, lines);
	return n ? json_tokener_parse(last) : NULL;
}

static const char *field(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

/* One new audit line with this event/decision whose reason contains `reason` (NULL: no reason). */
static void assert_audit(off_t mark, const char *event, const char *decision, const char *reason)
{
	json_object *o = audit_since(mark, 1);

	assert_non_null(o);
	assert_string_equal(field(o, "event"), event);
	assert_string_equal(field(o, "decision"), decision);
	assert_string_equal(field(o, "peer"), "192.0.2.7");
	assert_non_null(field(o, "time"));
	if (!reason) {
		assert_null(field(o, "reason"));
	} else {
		assert_non_null(field(o, "reason"));
		if (!strstr(field(o, "reason"), reason))
			print_message("audit reason \"%s\" lacks \"%s\"\n", field(o, "reason"), reason);
		assert_non_null(strstr(field(o, "reason"), reason));
	}
	json_object_put(o);
}

/* ---- the client side --------------------------------------------------------------- */

struct session {
	char cookie[33];
	char nonce[64];
};

static void do_auth(struct session *s)
{
	struct ks_reply rep;
	json_object *obj, *v;
	off_t mark = audit_mark();

	call("POST", "/kbs/v0/auth", "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}", NULL, NULL, &rep);
	assert_int_equal(rep.status, 200);
	assert_int_equal(strncmp(rep.set_cookie, "kbs-session-id=", 15), 0);
	assert_int_equal(strspn(rep.set_cookie + 15, "0123456789abcdef"), 32);
	assert_int_equal(strncmp(rep.set_cookie + 47, "; Expires=", 10), 0);
	memcpy(s->cookie, rep.set_cookie + 15, 32);
	s->cookie[32] = '\0';
	obj = json_tokener_parse(rep.body);
	assert_non_null(obj);
	assert_true(json_object_object_get_ex(obj, "nonce", &v));
	assert_int_equal(json_object_get_string_len(v), 44);
	snprintf(s->nonce, sizeof(s->nonce), "%s", json_object_get_string(v));
	json_object_put(obj);
	reply_free(&rep);
	audit_since(mark, 0); /* a challenge is not a decision */
}

/* The body of §4 for this nonce and key, with a simulator quote over the REPORTDATA that
 * binds quote_nonce and quote_key (normally the same ones). */
static char *attest_body_ex(const char *nonce, struct kbs_ec_key *key, const char *quote_nonce,
			    struct kbs_ec_key *quote_key, const struct tdx_td_info *td, unsigned corrupt)
{
	char x[KBS_EC_COORD_B64], y[KBS_EC_COORD_B64], qx[KBS_EC_COORD_B64], qy[KBS_EC_COORD_B64];
	char *canon, *q64, *body;
	uint8_t rd[64], *quote;
	size_t clen, qlen;

	assert_int_equal(kbs_ec_key_jwk(key, x, y), 0);
	assert_int_equal(kbs_ec_key_jwk(quote_key, qx, qy), 0);
	assert_int_equal(kbs_runtime_data_canon(quote_nonce, qx, qy, "", &canon, &clen), 0);
	assert_int_equal(kbs_report_data(KBS_HASH_SHA384, canon, clen, rd), 0);
	free(canon);
	assert_int_equal(sim_quote_build(pki, td, rd, 4, corrupt, &quote, &qlen), 0);
	q64 = malloc(kbs_b64_encoded_len(qlen) + 1);
	assert_non_null(q64);
	assert_int_equal(kbs_b64_encode(quote, qlen, q64, kbs_b64_encoded_len(qlen) + 1), 0);
	free(quote);
	assert_true(asprintf(&body, "{\"init-data\":null,\"runtime-data\":{\"nonce\":\"%s\",\"tee-pubkey\":"
			     "{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ECDH-ES+A256KW\",\"x\":\"%s\",\"y\":\"%s\"}},"
			     "\"tee-evidence\":{\"primary_evidence\":{\"cc_eventlog\":null,\"quote\":\"%s\"},"
			     "\"additional_evidence\":\"\"}}", nonce, x, y, q64) > 0);
	free(q64);
	return body;
}

static char *attest_body(const struct session *s, struct kbs_ec_key *key, const struct tdx_td_info *td,
			 unsigned corrupt)
{
	return attest_body_ex(s->nonce, key, s->nonce, key, td, corrupt);
}

/* POST /attest expected to succeed; returns the token (malloc'd). */
static char *attest_ok(const struct session *s, const char *body)
{
	struct ks_reply rep;
	json_object *obj, *v;
	char *token;
	off_t mark = audit_mark();

	call("POST", "/kbs/v0/attest", body, s->cookie, NULL, &rep);
	if (rep.status != 200)
		print_message("attest: %u %s\n", rep.status, rep.body);
	assert_int_equal(rep.status, 200);
	assert_non_null(strstr(rep.set_cookie, s->cookie)); /* the same id again */
	obj = json_tokener_parse(rep.body);
	assert_non_null(obj);
	assert_true(json_object_object_get_ex(obj, "token", &v));
	token = strdup(json_object_get_string(v));
	assert_non_null(token);
	json_object_put(obj);
	reply_free(&rep);
	assert_audit(mark, "attest", "attested", NULL);
	return token;
}

/* A complete attestation of td with a fresh key; returns the key, fills *s. */
static struct kbs_ec_key *attested_session(struct session *s, const struct tdx_td_info *td)
{
	struct kbs_ec_key *key;
	char *body;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	do_auth(s);
	body = attest_body(s, key, td, 0);
	free(attest_ok(s, body));
	free(body);
	return key;
}

/* GET the resource expecting a JWE that key decrypts to the stored secret. */
static void fetch_ok(const char *cookie, const char *authorization, struct kbs_ec_key *key)
{
	struct secret pt = { 0 };
	struct ks_reply rep;
	off_t mark = audit_mark();

	call("GET", "/kbs/v0/resource/" DEMO, NULL, cookie, authorization, &rep);
	if (rep.status != 200)
		print_message("resource: %u %s\n", rep.status, rep.body);
	assert_int_equal(rep.status, 200);
	assert_string_equal(rep.set_cookie, ""); /* resource responses set no cookie */
	assert_null(strstr(rep.body, secret_text));
	assert_int_equal(kbs_jwe_decrypt(key, rep.body, rep.len, &pt), 0);
	assert_int_equal(pt.len, strlen(secret_text));
	assert_memory_equal(pt.data, secret_text, pt.len);
	secret_clear(&pt);
	reply_free(&rep);
	assert_audit(mark, "resource", "release", NULL);
}

/* Attest expected to be refused: 401 AttestationError and a "reject" audit line. */
static void attest_refused(const char *cookie, const char *body, const char *reason)
{
	struct ks_reply rep;
	off_t mark = audit_mark();

	call("POST", "/kbs/v0/attest", body, cookie, NULL, &rep);
	assert_error(&rep, 401, "AttestationError");
	assert_audit(mark, "attest", "reject", reason);
}

static void resource_refused(const char *path, const char *cookie, const char *authorization, unsigned status,
			     const char *variant, const char *reason)
{
	struct ks_reply rep;
	off_t mark = audit_mark();

	call("GET", path, NULL, cookie, authorization, &rep);
	assert_error(&rep, status, variant);
	if (reason)
		assert_audit(mark, "resource", "refuse", reason);
	else
		audit_since(mark, 0);
}

/* ---- cases ------------------------------------------------------------------------- */

static void test_success(void **state)
{
	struct session s;
	struct kbs_ec_key *key, *other;
	char *body, *token, *again, bearer[KS_TOKEN_MAX + 16];
	struct ks_reply rep;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	do_auth(&s);
	/* Before attestation the cookie does not authorize anything. */
	resource_refused("/kbs/v0/resource/" DEMO, s.cookie, NULL, 401, "TokenNotFound", "no attested session");
	body = attest_body(&s, key, &td_default, 0);
	token = attest_ok(&s, body);
	assert_int_equal(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), strlen(token));
	fetch_ok(s.cookie, NULL, key);
	fetch_ok(s.cookie, NULL, key); /* the session stays usable until it expires */

	/* A repeated /attest returns a token without looking at the body (§4.2), even one
	 * with another key: the resource stays encrypted to the first key. */
	assert_int_equal(kbs_ec_key_generate(&other), 0);
	free(body);
	body = attest_body(&s, other, &td_default, 0);
	call("POST", "/kbs/v0/attest", body, s.cookie, NULL, &rep);
	assert_int_equal(rep.status, 200);
	assert_non_null(strstr(rep.body, "{\"token\":\"ey"));
	reply_free(&rep);
	call("POST", "/kbs/v0/attest", "garbage", s.cookie, NULL, &rep);
	assert_int_equal(rep.status, 200);
	reply_free(&rep);
	fetch_ok(s.cookie, NULL, key);

	/* The token alone (no cookie) works as a Bearer credential. */
	snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	fetch_ok(NULL, bearer, key);
	/* A cookie that is not a session falls back to the bearer token. */
	fetch_ok("00000000000000000000000000000000", bearer, key);

	/* Tampered: one character of the payload changed. */
	again = strdup(bearer);
	char *p = strchr(again, '.') + 10;
	*p = *p == 'A' ? 'B' : 'A';
	resource_refused("/kbs/v0/resource/" DEMO, NULL, again, 401, "TokenVerifierError", "bearer token invalid");
	/* Tampered signature (last character). */
	strcpy(again, bearer);
	p = again + strlen(again) - 2;
	*p = *p == 'A' ? 'B' : 'A';
	resource_refused("/kbs/v0/resource/" DEMO, NULL, again, 401, "TokenVerifierError", "bearer token invalid");
	/* Not a JWT at all, and an empty one. */
	resource_refused("/kbs/v0/resource/" DEMO, NULL, "Bearer abc", 401, "TokenVerifierError", "bearer token invalid");
	resource_refused("/kbs/v0/resource/" DEMO, NULL, "Bearer ", 401, "TokenVerifierError", "bearer token invalid");
	/* Another scheme is no credential. */
	resource_refused("/kbs/v0/resource/" DEMO, NULL, "Basic dXNlcjpwYXNz", 401, "TokenNotFound", "no attested session");
	free(again);

	/* Expired: a correctly signed token whose exp lies in the past. */
	{
		struct ks_claims c = { .tcb_status = 0 };
		char expired[KS_TOKEN_MAX];
		uint8_t d[32] = { 1 };
		struct kbs_ec_key *k2;

		c.td = td_default;
		assert_int_equal(kbs_ec_key_from_scalar(d, &k2), 0);
		char x[KBS_EC_COORD_B64], y[KBS_EC_COORD_B64];
		size_t n;
		assert_int_equal(kbs_ec_key_jwk(k2, x, y), 0);
		assert_int_equal(kbs_b64url_decode(x, 43, c.tee_x, 32, &n), 0);
		assert_int_equal(kbs_b64url_decode(y, 43, c.tee_y, 32, &n), 0);
		assert_int_equal(ks_token_issue(srv.token_key, &c, -10, expired, sizeof(expired)), 0);
		snprintf(bearer, sizeof(bearer), "Bearer %s", expired);
		resource_refused("/kbs/v0/resource/" DEMO, NULL, bearer, 401, "TokenVerifierError", "bearer token expired");
		/* The same claims, still valid: released (the issuing path is the one above). */
		assert_int_equal(ks_token_issue(srv.token_key, &c, 60, expired, sizeof(expired)), 0);
		snprintf(bearer, sizeof(bearer), "Bearer %s", expired);
		fetch_ok(NULL, bearer, k2);
		kbs_ec_key_free(k2);
	}
	free(token);
	free(body);
	kbs_ec_key_free(key);
	kbs_ec_key_free(other);
}

static void test_auth_refusals(void **state)
{
	static const struct { const char *body, *detail; } cases[] = {
		{ "{\"version\":\"0.3.0\",\"tee\":\"tdx\",\"extra-params\":{}}", "Version Mismatch" },
		{ "{\"version\":\"0.4.1\",\"tee\":\"tdx\",\"extra-params\":{}}", "Version Mismatch" },
		{ "{\"tee\":\"tdx\",\"extra-params\":{}}", "Version Mismatch" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"sgx\",\"extra-params\":{}}", "tee" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"sample\",\"extra-params\":{}}", "tee" },
		{ "{\"version\":\"0.4.0\",\"extra-params\":{}}", "tee" },
		/* "\u0000" is not the end of a JSON string. */
		{ "{\"version\":\"0.4.0\\u0000\",\"tee\":\"tdx\",\"extra-params\":{}}", "Version Mismatch" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"tdx\\u0000sgx\",\"extra-params\":{}}", "tee" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"tdx\"", "malformed" },
		{ "[]", "malformed" },
		/* One complete document only: json-c alone would stop after the first object. */
		{ "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}}}", "malformed" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}} {}", "malformed" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "malformed" },
		{ "", "malformed" },
	};
	struct ks_reply rep;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		off_t mark = audit_mark();

		call("POST", "/kbs/v0/auth", cases[i].body, NULL, NULL, &rep);
		assert_non_null(strstr(rep.body, "RCAR handshake Auth failed"));
		if (!strstr(rep.body, cases[i].detail))
			print_message("case %zu: %s\n", i, rep.body);
		assert_non_null(strstr(rep.body, cases[i].detail));
		assert_error(&rep, 401, "AttestationError");
		audit_since(mark, 0); /* no session, no decision about a TD */
	}
	/* An embedded NUL ends nothing: the bytes after it still count. */
	{
		static const char nul[] = "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}\0{\"x\":1}";
		struct ks_request req = { .method = "POST", .path = "/kbs/v0/auth", .body = nul,
					  .body_len = sizeof(nul) - 1, .peer = "192.0.2.7" };

		ks_handle(&srv, &req, &rep);
		assert_non_null(strstr(rep.body, "malformed"));
		assert_error(&rep, 401, "AttestationError");
	}
	/* Whitespace around the document is fine. */
	call("POST", "/kbs/v0/auth", " {\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}\r\n", NULL, NULL, &rep);
	assert_int_equal(rep.status, 200);
	reply_free(&rep);
	/* Wrong methods on the protocol endpoints. */
	call("GET", "/kbs/v0/auth", NULL, NULL, NULL, &rep);
	assert_error(&rep, 404, "InvalidRequestPath");
	call("GET", "/kbs/v0/attest", NULL, NULL, NULL, &rep);
	assert_error(&rep, 404, "InvalidRequestPath");
	call("POST", "/kbs/v0/resource/" DEMO, "x", NULL, NULL, &rep);
	assert_error(&rep, 404, "InvalidRequestPath");
	call("DELETE", "/kbs/v0/resource/" DEMO, NULL, NULL, NULL, &rep);
	assert_error(&rep, 404, "InvalidRequestPath");
}

static void test_attest_cookie(void **state)
{
	struct session s;
	struct kbs_ec_key *key;
	char *body;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	do_auth(&s);
	body = attest_body(&s, key, &td_default, 0);
	attest_refused(NULL, body, "no kbs-session-id cookie");
	attest_refused("", body, "no kbs-session-id cookie");
	attest_refused("not-a-session", body, "no kbs-session-id cookie");
	attest_refused("0123456789abcdef0123456789abcdeg", body, "no kbs-session-id cookie");
	attest_refused("0123456789abcdef0123456789abcdef", body, "unknown session");
	/* The right session still works afterwards. */
	free(attest_ok(&s, body));
	free(body);
	kbs_ec_key_free(key);
}

static void test_attest_malformed(void **state)
{
	struct session s;
	struct kbs_ec_key *key;
	char *body, *bad;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	do_auth(&s);
	attest_refused(s.cookie, "{", "malformed Attestation JSON");
	attest_refused(s.cookie, "{}", "runtime-data.nonce missing");
	body = attest_body(&s, key, &td_default, 0);
	/* A JWK with another curve or algorithm. */
	bad = malloc(strlen(body) + 16);
	assert_non_null(bad);
	strcpy(bad, body);
	memcpy(strstr(bad, "P-256"), "P-384", 5);
	attest_refused(s.cookie, bad, "tee-pubkey");
	strcpy(bad, body);
	memcpy(strstr(bad, "ECDH-ES+A256KW"), "ECDH-ES+A128KW", 14);
	attest_refused(s.cookie, bad, "tee-pubkey");
	/* additional_evidence is mandatory. */
	strcpy(bad, body);
	memcpy(strstr(bad, "\"additional_evidence\""), "\"additional_evidencX\"", 21);
	attest_refused(s.cookie, bad, "additional_evidence missing");
	/* The right nonce followed by "\u0000". */
	strcpy(bad, body);
	{
		char *n = strstr(bad, s.nonce) + strlen(s.nonce);

		memmove(n + 6, n, strlen(n) + 1);
		memcpy(n, "\\u0000", 6);
	}
	attest_refused(s.cookie, bad, "runtime-data.nonce missing");
	/* A quote that is not canonical base64. */
	strcpy(bad, body);
	char *q = strstr(bad, "\"quote\":\"") + 9;
	q[3] = '*';
	attest_refused(s.cookie, bad, "base64");
	/* A truncated quote (valid base64 of too few bytes). */
	strcpy(bad, body);
	q = strstr(bad, "\"quote\":\"") + 9;
	memcpy(q + 400, "\"},\"additional_evidence\":\"\"}}", 30);
	attest_refused(s.cookie, bad, "header_valid");
	free(bad);
	/* None of this consumed the session. */
	free(attest_ok(&s, body));
	free(body);
	kbs_ec_key_free(key);
}

/* A quote bound to an old session's nonce, replayed on a new session. */
static void test_replay(void **state)
{
	struct session a, b;
	struct kbs_ec_key *key;
	char *body_a, *body_mix;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	do_auth(&a);
	body_a = attest_body(&a, key, &td_default, 0);
	free(attest_ok(&a, body_a));
	do_auth(&b);
	/* The old body as it was: its nonce is not b's. */
	attest_refused(b.cookie, body_a, "nonce mismatch");
	/* b's nonce in runtime-data, but the quote still binds a's nonce. */
	body_mix = attest_body_ex(b.nonce, key, a.nonce, key, &td_default, 0);
	attest_refused(b.cookie, body_mix, "report_data");
	resource_refused("/kbs/v0/resource/" DEMO, b.cookie, NULL, 401, "TokenNotFound", "no attested session");
	free(body_mix);
	free(body_a);
	kbs_ec_key_free(key);
}

/* The quote was made over another key than the tee-pubkey sent. */
static void test_reportdata_mismatch(void **state)
{
	struct session s;
	struct kbs_ec_key *key, *other;
	char *body;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	assert_int_equal(kbs_ec_key_generate(&other), 0);
	do_auth(&s);
	body = attest_body_ex(s.nonce, key, s.nonce, other, &td_default, 0);
	attest_refused(s.cookie, body, "report_data");
	resource_refused("/kbs/v0/resource/" DEMO, s.cookie, NULL, 401, "TokenNotFound", "no attested session");
	free(body);
	kbs_ec_key_free(key);
	kbs_ec_key_free(other);
}

static void test_session_expired(void **state)
{
	struct ks_sessions *saved = srv.sessions;
	struct session s, t;
	struct kbs_ec_key *key;
	char *body;
	(void)state;

	assert_int_equal(ks_sessions_new(16, 150, &srv.sessions), 0); /* 150 ms lifetime */
	assert_int_equal(kbs_ec_key_generate(&key), 0);
	do_auth(&s);
	body = attest_body(&s, key, &td_default, 0);
	usleep(300 * 1000);
	attest_refused(s.cookie, body, "session expired");
	attest_refused(s.cookie, body, "unknown session"); /* removed on expiry */
	free(body);

	/* Attested, then expired: the cookie no longer releases anything. */
	kbs_ec_key_free(key);
	key = attested_session(&t, &td_default);
	usleep(300 * 1000);
	resource_refused("/kbs/v0/resource/" DEMO, t.cookie, NULL, 401, "TokenNotFound", "no attested session");
	kbs_ec_key_free(key);
	ks_sessions_free(srv.sessions);
	srv.sessions = saved;
}

static void test_policy_deny(void **state)
{
	struct tdx_td_info td = td_default;
	struct session s;
	struct kbs_ec_key *key;
	(void)state;

	/* Another MRTD: authentic evidence, attestation succeeds, the resource policy says no. */
	td.mr_td[0] ^= 0xff;
	key = attested_session(&s, &td);
	resource_refused("/kbs/v0/resource/" DEMO, s.cookie, NULL, 401, "PolicyDeny", "mr_td");
	kbs_ec_key_free(key);

	/* A debug TD (td_attributes bit 0), otherwise the pinned TD. */
	td = td_default;
	td.td_attributes[0] |= 0x01;
	key = attested_session(&s, &td);
	resource_refused("/kbs/v0/resource/" DEMO, s.cookie, NULL, 401, "PolicyDeny", "debug TD");
	kbs_ec_key_free(key);

	/* Another RTMR2 (e.g. another kernel command line). */
	td = td_default;
	td.rtmr[2][47] ^= 0x01;
	key = attested_session(&s, &td);
	resource_refused("/kbs/v0/resource/" DEMO, s.cookie, NULL, 401, "PolicyDeny", "rtmr2");
	kbs_ec_key_free(key);
}

static void test_resource_errors(void **state)
{
	static const char *const bad_paths[] = {
		"/kbs/v0/resource/default/../demo",
		"/kbs/v0/resource/../luks/demo",
		"/kbs/v0/resource/default/luks/..",
		"/kbs/v0/resource/default/luks/.hidden",
		"/kbs/v0/resource/default/luks/demo/extra",
		"/kbs/v0/resource/default/luks",
		"/kbs/v0/resource/default/luks/",
		"/kbs/v0/resource/default//demo",
		"/kbs/v0/resource/",
		"/kbs/v0/resource/default/luks/de%2fmo",
		"/kbs/v0/resource/default/luks/de mo",
	};
	struct session s;
	struct kbs_ec_key *key;
	(void)state;

	key = attested_session(&s, &td_default);
	/* No policy: not a resource this server releases (Trustee's missing resource). */
	resource_refused("/kbs/v0/resource/default/luks/nope", s.cookie, NULL, 401, "PluginInternalError",
			 "no policy for default/luks/nope");
	/* A policy but no file. */
	resource_refused("/kbs/v0/resource/default/luks/missing", s.cookie, NULL, 401, "PluginInternalError",
			 "resource not found");
	/* A file readable by its group: refused, never released. */
	resource_refused("/kbs/v0/resource/default/luks/loose", s.cookie, NULL, 401, "PluginInternalError",
			 "resource unreadable");
	/* Malformed paths never reach the file system (and name no resource to audit). */
	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++)
		resource_refused(bad_paths[i], s.cookie, NULL, 401, "PluginInternalError", NULL);
	/* The session is still good for the real resource. */
	fetch_ok(s.cookie, NULL, key);
	kbs_ec_key_free(key);
}

static void test_routing(void **state)
{
	struct ks_reply rep;
	off_t mark = audit_mark();
	(void)state;

	call("GET", "/kbs/v0/unknown", NULL, NULL, NULL, &rep);
	assert_error(&rep, 404, "PluginNotFound");
	call("POST", "/kbs/v0/attestation-policy", "{}", NULL, NULL, &rep);
	assert_error(&rep, 404, "PluginNotFound");
	call("GET", "/kbs/v0/", NULL, NULL, NULL, &rep);
	assert_error(&rep, 404, "PluginNotFound");
	call("GET", "/kbs/v1/auth", NULL, NULL, NULL, &rep);
	assert_error(&rep, 404, "InvalidRequestPath");
	call("GET", "/", NULL, NULL, NULL, &rep);
	assert_error(&rep, 404, "InvalidRequestPath");
	call("GET", "", NULL, NULL, NULL, &rep);
	assert_error(&rep, 404, "InvalidRequestPath");
	call("GET", "/healthz", NULL, NULL, NULL, &rep);
	assert_int_equal(rep.status, 200);
	assert_string_equal(rep.body, "{\"status\":\"ok\"}");
	reply_free(&rep);
	audit_since(mark, 0);
}

/* Evidence that fails DCAP verification: 401 and the check's code in the audit line. */
static void test_dcap_failure(void **state)
{
	static const struct { unsigned corrupt; const char *code; } cases[] = {
		{ SIM_CORRUPT_QUOTE_SIG, "quote_sig: " },
		{ SIM_CORRUPT_QE_REPORT_SIG, "qe_report_sig_by_pck: " },
		{ SIM_CORRUPT_QE_REPORTDATA, "qe_reportdata_hash: " },
	};
	struct kbs_ec_key *key;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct session s;
		char *body;
		json_object *o;
		off_t mark;

		do_auth(&s);
		body = attest_body(&s, key, &td_default, cases[i].corrupt);
		mark = audit_mark();
		attest_refused(s.cookie, body, cases[i].code);
		o = audit_since(mark, 1);
		/* The reason starts with the stable check code; the MRTD is recorded too. */
		assert_int_equal(strncmp(field(o, "reason"), cases[i].code, strlen(cases[i].code)), 0);
		assert_non_null(field(o, "mr_td"));
		assert_string_equal(field(o, "session"), s.cookie);
		json_object_put(o);
		resource_refused("/kbs/v0/resource/" DEMO, s.cookie, NULL, 401, "TokenNotFound", "no attested session");
		free(body);
	}
	kbs_ec_key_free(key);
}

static void test_session_table_full(void **state)
{
	struct ks_sessions *saved = srv.sessions;
	struct session s[3];
	struct kbs_ec_key *key;
	struct ks_reply rep;
	char *body;
	(void)state;

	assert_int_equal(ks_sessions_new(2, 60000, &srv.sessions), 0);
	do_auth(&s[0]);
	do_auth(&s[1]);
	call("POST", "/kbs/v0/auth", "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}", NULL, NULL, &rep);
	assert_non_null(strstr(rep.body, "too many sessions, retry later"));
	assert_error(&rep, 503, "ServiceUnavailable"); /* transient: clients retry */
	/* Existing sessions are unaffected by the refusal. */
	assert_int_equal(kbs_ec_key_generate(&key), 0);
	body = attest_body(&s[1], key, &td_default, 0);
	free(attest_ok(&s[1], body));
	fetch_ok(s[1].cookie, NULL, key);
	free(body);
	kbs_ec_key_free(key);
	ks_sessions_free(srv.sessions);
	srv.sessions = saved;
	do_auth(&s[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_auth_refusals),
		cmocka_unit_test(test_attest_cookie),
		cmocka_unit_test(test_attest_malformed),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_reportdata_mismatch),
		cmocka_unit_test(test_session_expired),
		cmocka_unit_test(test_policy_deny),
		cmocka_unit_test(test_resource_errors),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_dcap_failure),
		cmocka_unit_test(test_session_table_full),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
