/* SPDX-License-Identifier: Apache-2.0 */
/* Fixture of the in-process key server tests (see server_flow_fixture.h). */
#include "server_flow_fixture.h"
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

/* 44 characters, like a LUKS passphrase made of 32 random bytes in base64. */
static const char sf_secret_text[] = "c2VjcmV0LWtleS1mb3ItdGhlLXNlcnZlci1mbG93LXQ=";

static char sf_dir[] = "/tmp/test_server_flow.XXXXXX";
static char sf_audit_path[512];
struct ks_server sf_srv;
static struct sim_pki *sf_pki;
struct tdx_td_info sf_td_default;
int sf_quote_version = 4;

/* ---- fixture ---------------------------------------------------------------------- */

void sf_write_file(const char *rel, const char *text, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", sf_dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

void sf_mkdirs(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", sf_dir, rel);
	for (char *p = path + strlen(sf_dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
	mkdir(path, 0700);
}

int sf_setup(void **state)
{
	struct sim_pki_opts po = { .now = time(NULL) };
	struct ks_config cfg;
	json_object *pol, *file;
	char path[512], *cfgtext;
	(void)state;

	if (!mkdtemp(sf_dir))
		return -1;
	if (!getenv("TEST_VERBOSE"))
		log_set_level(LOG_LVL_QUIET);
	snprintf(path, sizeof(path), "%s/sf_pki", sf_dir);
	if (sim_pki_create(path, &po) < 0 || sim_pki_load(path, &sf_pki) < 0 || sim_profile_default(&sf_td_default) < 0)
		return -1;

	/* demo, missing (policy but no file) and loose (group-readable file) share the
	 * policy pinned to the simulator's default TD; "nope" has neither. */
	/* pinned to what a v4 quote of that TD shows (no TDX 1.5 fields) */
	struct tdx_td_info v4 = sf_td_default;
	v4.has_tdx15 = false;
	if (vf_policy_from_td(&v4, 0, &pol) < 0)
		return -1;
	file = json_object_new_object();
	json_object_object_add(file, DEMO, json_object_get(pol));
	json_object_object_add(file, "default/luks/missing", json_object_get(pol));
	json_object_object_add(file, "default/luks/loose", pol);
	sf_mkdirs("res/default/luks");
	sf_write_file("res/" DEMO, sf_secret_text, 0600);
	sf_write_file("res/default/luks/loose", sf_secret_text, 0640);
	sf_write_file("policy.json", json_object_to_json_string(file), 0600);
	json_object_put(file);
	snprintf(sf_audit_path, sizeof(sf_audit_path), "%s/audit.log", sf_dir);
	/* tls_* are only read by the HTTP front end, which this test does not start. */
	if (asprintf(&cfgtext, "{\"listen\":\"127.0.0.1:0\",\"tls_cert\":\"unused.pem\",\"tls_key\":\"unused.key\","
		     "\"resources_dir\":\"res\",\"policy_file\":\"policy.json\",\"collateral_dir\":\"sf_pki/collateral\","
		     "\"trust_anchor\":\"sf_pki/collateral/root_ca.pem\",\"audit_log\":\"audit.log\","
		     "\"session_lifetime_s\":60,\"max_sessions\":64}") < 0)
		return -1;
	sf_write_file("config.json", cfgtext, 0600);
	free(cfgtext);
	snprintf(path, sizeof(path), "%s/config.json", sf_dir);
	if (ks_config_load(path, &cfg) < 0 || ks_server_init(&sf_srv, &cfg) < 0)
		return -1;
	/* these tests expect one audit line per refusal (test_server_audit covers the limit) */
	ks_audit_set_rate_limit(sf_srv.audit, false);
	return 0;
}

int sf_teardown(void **state)
{
	char cmd[600];
	(void)state;

	ks_server_fini(&sf_srv);
	sim_pki_free(sf_pki);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sf_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- requests ---------------------------------------------------------------------- */

void sf_call(const char *method, const char *path, const char *body, const char *cookie,
		 const char *authorization, struct ks_reply *rep)
{
	struct ks_request req = {
		.method = method, .path = path, .body = body ? body : "", .body_len = body ? strlen(body) : 0,
		.cookie = cookie, .authorization = authorization, .peer = "192.0.2.7",
	};

	ks_handle(&sf_srv, &req, rep);
	assert_non_null(rep->body);
	assert_int_equal(strlen(rep->body), rep->len);
}

void sf_reply_free(struct ks_reply *rep)
{
	free(rep->body);
	memset(rep, 0, sizeof(*rep));
}

/* A KBS error: status, variant, no cookie, and nothing that could carry a secret. */
void sf_assert_error(struct ks_reply *rep, unsigned status, const char *variant)
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
	assert_null(strstr(rep->body, sf_secret_text));
	assert_string_equal(rep->set_cookie, "");
	sf_reply_free(rep);
}

/* ---- audit ------------------------------------------------------------------------- */

off_t sf_audit_mark(void)
{
	struct stat st;

	assert_int_equal(stat(sf_audit_path, &st), 0);
	return st.st_size;
}

/* The lines written since mark: exactly `lines` of them; the last one is returned
 * parsed (NULL when lines == 0). */
json_object *sf_audit_since(off_t mark, int lines)
{
	FILE *f = fopen(sf_audit_path, "re");
	char buf[4096], last[4096] = "";
	int n = 0;

	assert_non_null(f);
	assert_int_equal(fseeko(f, mark, SEEK_SET), 0);
	while (fgets(buf, sizeof(buf), f)) {
		assert_non_null(strchr(buf, '\n')); /* whole lines only */
		assert_null(strstr(buf, sf_secret_text));
		memcpy(last, buf, sizeof(buf));
		n++;
	}
	fclose(f);
	if (n != lines)
		print_message("expected %d audit lines, got %d; last: %s", lines, n, last);
	assert_int_equal(n, lines);
	return n ? json_tokener_parse(last) : NULL;
}

const char *sf_field(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

/* One new audit line with this event/decision whose reason contains `reason` (NULL: no reason). */
static void sf_assert_audit(off_t mark, const char *event, const char *decision, const char *reason)
{
	json_object *o = sf_audit_since(mark, 1);

	assert_non_null(o);
	assert_string_equal(sf_field(o, "event"), event);
	assert_string_equal(sf_field(o, "decision"), decision);
	assert_string_equal(sf_field(o, "peer"), "192.0.2.7");
	assert_non_null(sf_field(o, "time"));
	if (!reason) {
		assert_null(sf_field(o, "reason"));
	} else {
		assert_non_null(sf_field(o, "reason"));
		if (!strstr(sf_field(o, "reason"), reason))
			print_message("audit reason \"%s\" lacks \"%s\"\n", sf_field(o, "reason"), reason);
		assert_non_null(strstr(sf_field(o, "reason"), reason));
	}
	json_object_put(o);
}

/* ---- the client side --------------------------------------------------------------- */


void sf_do_auth(struct sf_session *s)
{
	struct ks_reply rep;
	json_object *obj, *v;
	off_t mark = sf_audit_mark();

	sf_call("POST", "/kbs/v0/auth", "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}", NULL, NULL, &rep);
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
	sf_reply_free(&rep);
	sf_audit_since(mark, 0); /* a challenge is not a decision */
}

/* The body of §4 for this nonce and key, with a simulator quote over the REPORTDATA that
 * binds quote_nonce and quote_key (normally the same ones). */
char *sf_attest_body_ex(const char *nonce, struct kbs_ec_key *key, const char *quote_nonce,
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
	assert_int_equal(sim_quote_build(sf_pki, td, rd, sf_quote_version, corrupt, &quote, &qlen), 0);
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

char *sf_attest_body(const struct sf_session *s, struct kbs_ec_key *key, const struct tdx_td_info *td,
			 unsigned corrupt)
{
	return sf_attest_body_ex(s->nonce, key, s->nonce, key, td, corrupt);
}

/* POST /attest expected to succeed; returns the token (malloc'd). */
char *sf_attest_ok(const struct sf_session *s, const char *body)
{
	struct ks_reply rep;
	json_object *obj, *v;
	char *token;
	off_t mark = sf_audit_mark();

	sf_call("POST", "/kbs/v0/attest", body, s->cookie, NULL, &rep);
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
	sf_reply_free(&rep);
	sf_assert_audit(mark, "attest", "attested", NULL);
	return token;
}

/* A complete attestation of td with a fresh key; returns the key, fills *s. */
struct kbs_ec_key *sf_attested_session(struct sf_session *s, const struct tdx_td_info *td)
{
	struct kbs_ec_key *key;
	char *body;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(s);
	body = sf_attest_body(s, key, td, 0);
	free(sf_attest_ok(s, body));
	free(body);
	return key;
}

/* GET the resource expecting a JWE that key decrypts to the stored secret. */
void sf_fetch_ok(const char *cookie, const char *authorization, struct kbs_ec_key *key)
{
	struct secret pt = { 0 };
	struct ks_reply rep;
	off_t mark = sf_audit_mark();

	sf_call("GET", "/kbs/v0/resource/" DEMO, NULL, cookie, authorization, &rep);
	if (rep.status != 200)
		print_message("resource: %u %s\n", rep.status, rep.body);
	assert_int_equal(rep.status, 200);
	assert_string_equal(rep.set_cookie, ""); /* resource responses set no cookie */
	assert_null(strstr(rep.body, sf_secret_text));
	assert_int_equal(kbs_jwe_decrypt(key, rep.body, rep.len, &pt), 0);
	assert_int_equal(pt.len, strlen(sf_secret_text));
	assert_memory_equal(pt.data, sf_secret_text, pt.len);
	secret_clear(&pt);
	sf_reply_free(&rep);
	sf_assert_audit(mark, "resource", "release", NULL);
}

/* Attest expected to be refused: 401 AttestationError and a "reject" audit line. */
void sf_attest_refused(const char *cookie, const char *body, const char *reason)
{
	struct ks_reply rep;
	off_t mark = sf_audit_mark();

	sf_call("POST", "/kbs/v0/attest", body, cookie, NULL, &rep);
	sf_assert_error(&rep, 401, "AttestationError");
	sf_assert_audit(mark, "attest", "reject", reason);
}

void sf_resource_refused(const char *path, const char *cookie, const char *authorization, unsigned status,
			     const char *variant, const char *reason)
{
	struct ks_reply rep;
	off_t mark = sf_audit_mark();

	sf_call("GET", path, NULL, cookie, authorization, &rep);
	sf_assert_error(&rep, status, variant);
	if (reason)
		sf_assert_audit(mark, "resource", "refuse", reason);
	else
		sf_audit_since(mark, 0);
}

