/* SPDX-License-Identifier: Apache-2.0 */
/* Load generator for tdx-keyserver: N client threads each run complete KBS 0.4.0 flows
 * (kbs-protocol.md §1): TLS, POST /kbs/v0/auth, a fresh ephemeral P-256 key, REPORTDATA =
 * SHA-384(canonical runtime data), a fresh simulator quote over it, POST /kbs/v0/attest,
 * GET the resource, JWE decryption and a plaintext check. Prints flows/s, latency
 * percentiles, errors, the server's CPU time per flow (/proc/PID/stat) and its RSS, and
 * optionally the crypto floor of one flow at OpenSSL's rates (1 ECDSA-P256 verify, 2 ECDH,
 * 1 ECDSA-P256 sign) measured in this process before the load.
 *
 * The bench tool is not the product: the client key, ECDH and AES-GCM use OpenSSL by default
 * (mbedTLS 2.28's P-256 is ~17x slower and would make the generator, which shares the two
 * cores with the server, the bottleneck); --mbedtls runs the product's client crypto
 * (src/kbs/ec_key.c, jwe_decrypt.c) instead. Runtime data, REPORTDATA, base64 and JWE
 * parsing are the product's (src/kbs/). Output: one "key value" pair per line.
 *
 * Quotes: the simulator signs the QE report afresh (random ECDSA k) for every quote, whereas
 * a real platform's QE report and its PCK signature are fixed per attestation key. Each flow
 * therefore takes the certification data (QE report, its signature, auth data, PCK chain)
 * from one template quote, so that a repeat platform looks like one to the verifier's QE
 * cache; the quote signature over header and body (REPORTDATA) stays fresh per flow.
 * --resign-qe keeps the simulator's per-quote QE signature (a new cache entry per flow).
 *
 * TLS: the server certificate's chain and name are verified against --ca once per client
 * thread, then its public key is pinned for that thread's flows (--verify-each: full
 * verification on every handshake); the CA file is parsed once per thread. Every flow is
 * still a new TCP connection and a full handshake (no session resumption).
 *
 * --in-process CONFIG instead of --url: no TLS, no HTTP, no server process; the flows call
 * the server's request handler (ks_handle) directly and the thread CPU time spent inside it
 * is reported per endpoint: the application's share of the server CPU per flow.
 *
 * usage: kbs_load --url https://127.0.0.1:PORT --ca CA.pem --pki DIR --resource R/T/T
 *                 --expect FILE [--threads N] [--flows N] [--server-pid PID] [--reuse]
 *                 [--mbedtls] [--floor SECONDS] [--rss-every N] [--resign-qe] [--max-sessions N]
 *                 [--verify-each]
 *        kbs_load --in-process CONFIG --pki DIR --resource R/T/T --expect FILE [--flows N] */
#include "common/fileio.h"
#include "common/secmem.h"
#include "kbs/aes_kw.h"
#include "kbs/b64.h"
#include "kbs/concat_kdf.h"
#include "kbs/ec_key.h"
#include "kbs/jwe_decrypt.h"
#include "kbs/jwe_parse.h"
#include "kbs/runtime_data.h"
#include "server/handler.h"
#include "server/server.h"
#include "tdx/eventlog.h"
#include "../tests/sim/sim_quote.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#define MAX_THREADS 1024
#define MAX_FLOWS 10000000L
#define RESP_MAX (64u << 10)
#define MAX_ERR_LINES 10
/* Quote v4: header 48 + TD body 584 = signed part; then the signature data length (4),
 * the quote signature (64) and the attestation key (64); the certification data follows. */
#define QUOTE_CERT_DATA_OFF (48 + 584 + 4 + 64 + 64)

struct opts {
	const char *url, *ca, *pki_dir, *resource, *expect_file, *in_process;
	const char *eventlog; /* sent as cc_eventlog; the TD's RTMRs become its replay */
	int threads;
	long flows;
	long server_pid;
	bool reuse, mbedtls, resign_qe, verify_each;
	double floor_secs;
	long rss_every;
	long max_sessions;
};

struct shared {
	const struct opts *o;
	struct sim_pki *pki;
	struct tdx_td_info td;
	uint8_t *tmpl;      /* template quote: its certification data is reused */
	size_t tmpl_len;
	uint8_t *expect;
	size_t expect_len;
	atomic_long next, done, errors, err_lines;
	double *lat_ms;   /* per flow, by flow index; < 0 = error */
	long *rss_kb;     /* by completed thousand (rss_every) */
	long *table_kb;   /* resident part of the session table, same points */
	long table_bytes; /* --max-sessions given: size of the server's session table */
	long rss_slots;
	struct ks_server *srv; /* --in-process */
	char *eventlog_b64;    /* --eventlog, base64 */
	double handler_cpu_s[3]; /* auth, attest, resource; --in-process (one thread) */
};

struct buf {
	char data[RESP_MAX + 1];
	size_t len;
	bool overflow;
};

struct client {
	struct shared *sh;
	CURL *curl;
	struct buf resp;
	char cookie[160];
	char err[CURL_ERROR_SIZE];
};

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Server CPU (utime + stime) in seconds from /proc/PID/stat, its stime in *sys; -1 when
 * unreadable. */
static double proc_cpu_s(long pid, double *sys)
{
	char path[64], line[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (!p || !(p = strrchr(line, ')')))
		return -1;
	/* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
	n = sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
	if (n != 2)
		return -1;
	*sys = (double)st / (double)sysconf(_SC_CLK_TCK);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_rss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static void flow_error(struct client *c, long flow, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void flow_error(struct client *c, long flow, const char *step, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (atomic_fetch_add(&c->sh->err_lines, 1) >= MAX_ERR_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "kbs_load: flow %ld: %s: %s\n", flow, step, msg);
}

/* The session table of src/server/session.c is one calloc'ed array of power-of-two slots
 * (>= 1.25 x max_sessions) that fills, page by page, as sessions are created; sessions stay
 * for their lifetime (300 s) after the flow. Its resident part is found in smaps by size, so
 * that RSS can be compared without it (the table is bounded by configuration, not a leak).
 * Mirrors session.c's layout: keep in step. */
static long table_bytes(long max_sessions)
{
	struct slot_mirror { bool used; struct ks_session s; };
	long n = 16;

	while (n < max_sessions + max_sessions / 4)
		n *= 2;
	return n * (long)sizeof(struct slot_mirror);
}

static long proc_table_rss_kb(long pid, long bytes)
{
	char path[64], line[256];
	unsigned long lo, hi;
	long size_kb, rss = -1, want = (bytes + 4095) / 4096 * 4;
	bool match = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			size_kb = (long)((hi - lo) / 1024);
			/* + malloc's header page; the kernel may merge a neighbouring anonymous
			 * mapping into the same VMA (its pages then count as table pages): the
			 * table's peer counts and id ring, ~2.4 MB at max_sessions 10000 */
			match = size_kb >= want && size_kb <= want + 4096;
		} else if (match && strncmp(line, "Rss:", 4) == 0) {
			rss = strtol(line + 4, NULL, 10);
			break;
		}
	}
	fclose(f);
	return rss;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct buf *b = ud;
	size_t len = sz * n;

	if (len > RESP_MAX - b->len) {
		b->overflow = true;
		return 0;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

/* Keeps "kbs-session-id=VALUE" from Set-Cookie for the next requests. */
static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct client *c = ud;
	size_t len = sz * n, v, e;
	static const char name[] = "set-cookie: kbs-session-id=";

	if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
		v = sizeof(name) - 1;
		for (e = v; e < len && p[e] != ';' && p[e] != '\r' && p[e] != '\n'; e++)
			;
		if (e - v > 0 && e - v < sizeof(c->cookie) - 16)
			snprintf(c->cookie, sizeof(c->cookie), "kbs-session-id=%.*s", (int)(e - v), p + v);
	}
	return len;
}

/* --in-process: the request straight into ks_handle(); CPU time accounted per endpoint. */
static long request_direct(struct client *c, const char *path, const char *body)
{
	struct ks_request req = {
		.method = body ? "POST" : "GET", .path = path, .body = body ? body : "",
		.body_len = body ? strlen(body) : 0, .peer = "127.0.0.1",
	};
	struct ks_reply rep;
	const char *ck = strchr(c->cookie, '=');
	int which = strstr(path, "/auth") ? 0 : strstr(path, "/attest") ? 1 : 2;
	double t0;

	req.cookie = c->cookie[0] && ck ? ck + 1 : NULL;
	t0 = thread_cpu_s();
	ks_handle(c->sh->srv, &req, &rep);
	c->sh->handler_cpu_s[which] += thread_cpu_s() - t0;
	c->resp.len = 0;
	c->resp.data[0] = '\0';
	if (rep.body && rep.len <= RESP_MAX) {
		memcpy(c->resp.data, rep.body, rep.len);
		c->resp.data[rep.len] = '\0';
		c->resp.len = rep.len;
	}
	free(rep.body);
	if (rep.set_cookie[0]) {
		char hdr[200];

		snprintf(hdr, sizeof(hdr), "Set-Cookie: %s\r\n", rep.set_cookie);
		on_header(hdr, 1, strlen(hdr), c);
	}
	return rep.status;
}

/* One request; returns the HTTP status (200 expected) or a negative errno. */
static long request(struct client *c, const char *path, const char *body, bool first, bool last)
{
	char url[512];
	long status = 0;
	CURLcode cr;

	if (c->sh->srv)
		return request_direct(c, path, body);

	snprintf(url, sizeof(url), "%s%s", c->sh->o->url, path);
	c->resp.len = 0;
	c->resp.overflow = false;
	c->resp.data[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	if (body) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c->curl, CURLOPT_COOKIE, c->cookie[0] ? c->cookie : NULL);
	if (!c->sh->o->reuse) {
		/* The boot case: a new TCP + full TLS handshake per flow (no session resumption),
		 * the connection kept for the three requests of the flow, then closed. */
		curl_easy_setopt(c->curl, CURLOPT_FRESH_CONNECT, first ? 1L : 0L);
		curl_easy_setopt(c->curl, CURLOPT_FORBID_REUSE, last ? 1L : 0L);
	}
	cr = curl_easy_perform(c->curl);
	if (cr != CURLE_OK)
		return -EIO;
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* A JSON string member's value copied into out (the server's replies are compact and
 * never escape inside these members). */
static int json_str(const char *json, const char *key, char *out, size_t out_size)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(json, pat);
	if (!p)
		return -EBADMSG;
	p += strlen(pat);
	e = strchr(p, '"');
	if (!e || (size_t)(e - p) >= out_size)
		return -EBADMSG;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

/* Ephemeral key with OpenSSL: x, y as b64url. */
static int ossl_keygen(EVP_PKEY **key, char x[KBS_EC_COORD_B64], char y[KBS_EC_COORD_B64])
{
	uint8_t pub[65];
	size_t len = 0;

	*key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!*key || EVP_PKEY_get_octet_string_param(*key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, sizeof(pub), &len) != 1 ||
	    len != 65 || pub[0] != 0x04)
		return -EIO;
	if (kbs_b64url_encode(pub + 1, 32, x, KBS_EC_COORD_B64) < 0 || kbs_b64url_encode(pub + 33, 32, y, KBS_EC_COORD_B64) < 0)
		return -EIO;
	return 0;
}

static EVP_PKEY *ossl_point(const uint8_t x[32], const uint8_t y[32])
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	uint8_t pub[65];

	pub[0] = 0x04;
	memcpy(pub + 1, x, 32);
	memcpy(pub + 33, y, 32);
	if (b && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) == 1 &&
	    (params = OSSL_PARAM_BLD_to_param(b)) && (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) &&
	    EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	return pk;
}

/* JWE decryption with OpenSSL ECDH/AES-GCM and the product's parser, KDF and key unwrap. */
static int ossl_jwe_decrypt(EVP_PKEY *key, const char *json, size_t len, uint8_t *pt, size_t pt_max, size_t *pt_len)
{
	struct kbs_jwe jwe = { 0 };
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *dctx = NULL;
	EVP_CIPHER_CTX *g = NULL;
	uint8_t z[32], kek[32], cek[32];
	size_t zlen = sizeof(z);
	int l = 0, r;

	r = kbs_jwe_parse(json, len, KBS_EC_ALG, &jwe);
	if (r < 0)
		return r;
	r = -EBADMSG;
	if (jwe.ciphertext_len > pt_max)
		goto out;
	peer = ossl_point(jwe.epk_x, jwe.epk_y);
	if (!peer || !(dctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) || EVP_PKEY_derive_init(dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) != 1 || EVP_PKEY_derive(dctx, z, &zlen) != 1 || zlen != 32)
		goto out;
	if (kbs_concat_kdf(z, 32, KBS_EC_ALG, jwe.apu, jwe.apu_len, jwe.apv, jwe.apv_len, kek) < 0 ||
	    kbs_aes_kw_unwrap(kek, jwe.encrypted_key, sizeof(jwe.encrypted_key), cek) < 0)
		goto out;
	g = EVP_CIPHER_CTX_new();
	if (g && EVP_DecryptInit_ex(g, EVP_aes_256_gcm(), NULL, cek, jwe.iv) == 1 &&
	    EVP_DecryptUpdate(g, NULL, &l, (const uint8_t *)jwe.protected_b64, (int)jwe.protected_len) == 1 &&
	    EVP_DecryptUpdate(g, pt, &l, jwe.ciphertext, (int)jwe.ciphertext_len) == 1 &&
	    EVP_CIPHER_CTX_ctrl(g, EVP_CTRL_GCM_SET_TAG, 16, jwe.tag) == 1 && EVP_DecryptFinal_ex(g, pt + l, &l) == 1) {
		*pt_len = jwe.ciphertext_len;
		r = 0;
	}
out:
	secure_wipe(z, sizeof(z));
	secure_wipe(kek, sizeof(kek));
	secure_wipe(cek, sizeof(cek));
	EVP_CIPHER_CTX_free(g);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(peer);
	kbs_jwe_clear(&jwe);
	return r;
}

/* One complete flow; 0 or -1 (logged). */
static int run_flow(struct client *c, long flow)
{
	static const char auth_body[] = "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}";
	struct shared *sh = c->sh;
	EVP_PKEY *okey = NULL;
	struct kbs_ec_key *mkey = NULL;
	char nonce[64], x[KBS_EC_COORD_B64], y[KBS_EC_COORD_B64], path[300], *canon = NULL, *body = NULL, *qb64 = NULL;
	uint8_t rd[64], *quote = NULL, pt[4096];
	size_t canon_len, qlen, qb64_len, bl, ptlen = 0;
	long st;
	int r = -1;

	c->cookie[0] = '\0';
	if ((st = request(c, "/kbs/v0/auth", auth_body, true, false)) != 200) {
		flow_error(c, flow, "auth", "status %ld %s", st, st < 0 ? c->err : c->resp.data);
		goto out;
	}
	if (json_str(c->resp.data, "nonce", nonce, sizeof(nonce)) < 0 || !c->cookie[0]) {
		flow_error(c, flow, "auth", "no nonce or cookie");
		goto out;
	}
	if (sh->o->mbedtls ? kbs_ec_key_generate(&mkey) < 0 || kbs_ec_key_jwk(mkey, x, y) < 0 : ossl_keygen(&okey, x, y) < 0) {
		flow_error(c, flow, "key", "key generation failed");
		goto out;
	}
	if (kbs_runtime_data_canon(nonce, x, y, "", &canon, &canon_len) < 0 ||
	    kbs_report_data(KBS_HASH_SHA384, canon, canon_len, rd) < 0 ||
	    sim_quote_build(sh->pki, &sh->td, rd, 4, 0, &quote, &qlen) < 0) {
		flow_error(c, flow, "evidence", "runtime data or quote failed");
		goto out;
	}
	if (!sh->o->resign_qe) {
		if (qlen != sh->tmpl_len) {
			flow_error(c, flow, "evidence", "quote length differs from the template");
			goto out;
		}
		memcpy(quote + QUOTE_CERT_DATA_OFF, sh->tmpl + QUOTE_CERT_DATA_OFF, qlen - QUOTE_CERT_DATA_OFF);
	}
	qb64_len = kbs_b64_encoded_len(qlen);
	bl = qb64_len + 512 + (sh->eventlog_b64 ? strlen(sh->eventlog_b64) : 0);
	qb64 = malloc(qb64_len + 1);
	body = malloc(bl);
	/* OpenSSL's table encoder: the product's (mbedTLS, constant time) costs the generator
	 * ~30 µs per 8 KB quote, and a quote is not secret. */
	if (!qb64 || !body || qlen > INT_MAX / 2 || (size_t)EVP_EncodeBlock((unsigned char *)qb64, quote, (int)qlen) != qb64_len)
		goto out;
	snprintf(body, bl, "{\"init-data\":null,\"runtime-data\":{\"nonce\":\"%s\",\"tee-pubkey\":{\"kty\":\"EC\","
		 "\"crv\":\"P-256\",\"alg\":\"ECDH-ES+A256KW\",\"x\":\"%s\",\"y\":\"%s\"}},\"tee-evidence\":"
		 "{\"primary_evidence\":{\"cc_eventlog\":%s%s%s,\"quote\":\"%s\"},\"additional_evidence\":\"\"}}",
		 nonce, x, y, sh->eventlog_b64 ? "\"" : "", sh->eventlog_b64 ? sh->eventlog_b64 : "null",
		 sh->eventlog_b64 ? "\"" : "", qb64);
	if ((st = request(c, "/kbs/v0/attest", body, false, false)) != 200 || !strstr(c->resp.data, "\"token\":\"")) {
		flow_error(c, flow, "attest", "status %ld %s", st, st < 0 ? c->err : c->resp.data);
		goto out;
	}
	snprintf(path, sizeof(path), "/kbs/v0/resource/%s", sh->o->resource);
	if ((st = request(c, path, NULL, false, true)) != 200) {
		flow_error(c, flow, "resource", "status %ld %s", st, st < 0 ? c->err : c->resp.data);
		goto out;
	}
	if (sh->o->mbedtls) {
		struct secret s = { 0 };

		if (kbs_jwe_decrypt(mkey, c->resp.data, c->resp.len, &s) == 0 && s.len <= sizeof(pt)) {
			memcpy(pt, s.data, s.len);
			ptlen = s.len;
			r = 0;
		}
		secret_clear(&s);
	} else {
		r = ossl_jwe_decrypt(okey, c->resp.data, c->resp.len, pt, sizeof(pt), &ptlen);
	}
	if (r < 0) {
		flow_error(c, flow, "decrypt", "JWE does not decrypt");
		r = -1;
		goto out;
	}
	if (ptlen != sh->expect_len || memcmp(pt, sh->expect, ptlen) != 0) {
		flow_error(c, flow, "decrypt", "plaintext differs from --expect");
		r = -1;
		goto out;
	}
	r = 0;
out:
	secure_wipe(pt, sizeof(pt));
	EVP_PKEY_free(okey);
	kbs_ec_key_free(mkey);
	free(canon);
	free(quote);
	free(qb64);
	free(body);
	return r;
}

/* The server certificate is checked once per thread: a GET /healthz with full chain and
 * host name verification against --ca, whose leaf public key is then pinned (libcurl's
 * CURLOPT_PINNEDPUBLICKEY, compared on every later handshake) in place of re-verifying
 * the chain per flow (X509_verify_cert: ~6 % of the generator's CPU). --verify-each keeps
 * the full verification on every handshake. 0 or -1 (logged). */
static int pin_server_key(struct client *c)
{
	struct curl_certinfo *ci = NULL;
	unsigned char *der = NULL, h[32];
	char pin[8 + 45] = "sha256//", url[512];
	X509 *x = NULL;
	BIO *bio = NULL;
	long status = 0;
	int len, r = -1;

	snprintf(url, sizeof(url), "%s/healthz", c->sh->o->url);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CERTINFO, 1L);
	c->resp.len = 0;
	if (curl_easy_perform(c->curl) != CURLE_OK || curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
	    status != 200 || curl_easy_getinfo(c->curl, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1) {
		fprintf(stderr, "kbs_load: verified GET /healthz failed: %s\n", c->err);
		goto out;
	}
	for (struct curl_slist *l = ci->certinfo[0]; l && !x; l = l->next)
		if (strncmp(l->data, "Cert:", 5) == 0 && (bio = BIO_new_mem_buf(l->data + 5, -1)))
			x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!x || (len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0 ||
	    EVP_Digest(der, (size_t)len, h, NULL, EVP_sha256(), NULL) != 1 || EVP_EncodeBlock((unsigned char *)pin + 8, h, 32) != 44) {
		fprintf(stderr, "kbs_load: cannot read the server certificate's public key\n");
		goto out;
	}
	curl_easy_setopt(c->curl, CURLOPT_CERTINFO, 0L);
	curl_easy_setopt(c->curl, CURLOPT_PINNEDPUBLICKEY, pin);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	r = 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	return r;
}

static void *worker(void *arg)
{
	struct client *c = arg;
	struct shared *sh = c->sh;

	bool unverified = !sh->srv && !sh->o->verify_each && pin_server_key(c) < 0;

	for (;;) {
		long i = atomic_fetch_add(&sh->next, 1), d;
		double t0;
		int r;

		if (i >= sh->o->flows)
			break;
		t0 = now_s();
		r = unverified ? -1 : run_flow(c, i); /* no flow against an unverified server */
		sh->lat_ms[i] = r == 0 ? (now_s() - t0) * 1e3 : -1;
		if (r < 0)
			atomic_fetch_add(&sh->errors, 1);
		d = atomic_fetch_add(&sh->done, 1) + 1;
		if (sh->o->server_pid > 0 && d % sh->o->rss_every == 0 && d / sh->o->rss_every < sh->rss_slots) {
			sh->rss_kb[d / sh->o->rss_every] = proc_rss_kb(sh->o->server_pid);
			if (sh->table_bytes)
				sh->table_kb[d / sh->o->rss_every] = proc_table_rss_kb(sh->o->server_pid, sh->table_bytes);
		}
	}
	return NULL;
}

static int client_init(struct client *c, struct shared *sh)
{
	c->sh = sh;
	if (sh->srv)
		return 0;
	c->curl = curl_easy_init();
	if (!c->curl)
		return -ENOMEM;
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c->curl, CURLOPT_CAINFO, sh->o->ca);
	/* The CA file is parsed into an X509 store once per thread (the easy handle's
	 * cache), not on every new connection; every handshake still verifies the server's
	 * chain against it. */
	curl_easy_setopt(c->curl, CURLOPT_CA_CACHE_TIMEOUT, -1L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->resp);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->err);
	/* A booting TD has no TLS session to resume. */
	curl_easy_setopt(c->curl, CURLOPT_SSL_SESSIONID_CACHE, c->sh->o->reuse ? 1L : 0L);
	return 0;
}

/* ---- crypto floor: OpenSSL rates of the per-flow public-key operations, one thread ---- */

/* Operations per second of this thread's CPU time, like the server's CPU per flow (utime +
 * stime): wall time would count the moments other work on the shared machine runs instead
 * of this thread and inflate the floor (it did: 145 -> 370 µs in one busy run). */
static double rate(int (*op)(void *), void *arg, double secs)
{
	double t0 = thread_cpu_s(), t;
	long n = 0;

	do {
		for (int i = 0; i < 100; i++, n++)
			if (op(arg) != 1) {
				fprintf(stderr, "kbs_load: OpenSSL operation failed in the floor measurement\n");
				exit(1);
			}
		t = thread_cpu_s() - t0;
	} while (t < secs);
	return (double)n / t;
}

struct floor_ctx {
	EVP_PKEY *key, *peer;
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *dctx;
	uint8_t msg[632], sig[80];
	size_t siglen;
};

static int op_verify(void *a)
{
	struct floor_ctx *f = a;

	return EVP_DigestVerifyInit(f->md, NULL, EVP_sha256(), NULL, f->key) == 1 &&
	       EVP_DigestVerify(f->md, f->sig, f->siglen, f->msg, sizeof(f->msg)) == 1;
}

static int op_sign(void *a)
{
	struct floor_ctx *f = a;
	uint8_t sig[80];
	size_t len = sizeof(sig);

	return EVP_DigestSignInit(f->md, NULL, EVP_sha256(), NULL, f->key) == 1 &&
	       EVP_DigestSign(f->md, sig, &len, f->msg, sizeof(f->msg)) == 1;
}

static int op_ecdh(void *a)
{
	struct floor_ctx *f = a;
	uint8_t z[32];
	size_t zlen = sizeof(z);

	return EVP_PKEY_derive(f->dctx, z, &zlen) == 1;
}

/* Prints the rates with the given prefix; returns the floor per flow in µs. */
static double print_floor(double secs, const char *prefix)
{
	struct floor_ctx f = { .siglen = sizeof(f.sig) };
	double v, s, e;

	f.key = EVP_EC_gen("P-256");
	f.peer = EVP_EC_gen("P-256");
	f.md = EVP_MD_CTX_new();
	RAND_bytes(f.msg, sizeof(f.msg));
	if (!f.key || !f.peer || !f.md || EVP_DigestSignInit(f.md, NULL, EVP_sha256(), NULL, f.key) != 1 ||
	    EVP_DigestSign(f.md, f.sig, &f.siglen, f.msg, sizeof(f.msg)) != 1 ||
	    !(f.dctx = EVP_PKEY_CTX_new_from_pkey(NULL, f.key, NULL)) || EVP_PKEY_derive_init(f.dctx) != 1 ||
	    EVP_PKEY_derive_set_peer(f.dctx, f.peer) != 1) {
		fprintf(stderr, "kbs_load: OpenSSL set-up for the floor failed\n");
		exit(1);
	}
	v = rate(op_verify, &f, secs);
	e = rate(op_ecdh, &f, secs);
	s = rate(op_sign, &f, secs);
	printf("%sfloor_ecdsa_p256_verify_per_s %.0f\n", prefix, v);
	printf("%sfloor_ecdh_p256_per_s %.0f\n", prefix, e);
	printf("%sfloor_ecdsa_p256_sign_per_s %.0f\n", prefix, s);
	printf("%sfloor_us_per_flow %.1f\n", prefix, 1e6 / v + 2e6 / e + 1e6 / s);
	EVP_PKEY_CTX_free(f.dctx);
	EVP_MD_CTX_free(f.md);
	EVP_PKEY_free(f.key);
	EVP_PKEY_free(f.peer);
	fflush(stdout);
	return 1e6 / v + 2e6 / e + 1e6 / s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* --eventlog: the log as sent (the whole file: a raw CCEL area costs the server most), and
 * the TD's RTMRs set to its replay so that the key server accepts it. */
static int load_eventlog(const char *path, struct shared *sh)
{
	uint8_t *buf = NULL;
	struct ccel_log log;
	size_t len, blen;
	int r;

	if ((r = file_read_all(path, CCEL_LOG_MAX, &buf, &len)) < 0 || (r = ccel_parse(buf, len, &log, NULL)) < 0) {
		fprintf(stderr, "kbs_load: %s is not a readable event log (%s)\n", path, strerror(-r));
		free(buf);
		return r;
	}
	r = ccel_replay(&log, tdx_sha384_mbedtls, sh->td.rtmr);
	ccel_log_free(&log);
	blen = kbs_b64_encoded_len(len) + 1;
	sh->eventlog_b64 = malloc(blen);
	if (r < 0 || !sh->eventlog_b64 || kbs_b64_encode(buf, len, sh->eventlog_b64, blen) < 0)
		r = -ENOMEM;
	free(buf);
	return r;
}

static void usage(void)
{
	fputs("usage: kbs_load --url https://127.0.0.1:PORT --ca CA.pem --pki DIR --resource REPO/TYPE/TAG\n"
	      "                --expect FILE [--threads N] [--flows N] [--server-pid PID] [--reuse]\n"
	      "                [--mbedtls] [--floor SECONDS] [--rss-every N] [--resign-qe] [--verify-each]\n"
	      "                [--eventlog CCEL]   (also with --in-process: the TD sends this log)\n"
	      "       kbs_load --in-process CONFIG --pki DIR --resource REPO/TYPE/TAG --expect FILE [--flows N]\n", stderr);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "url", required_argument, NULL, 'u' }, { "ca", required_argument, NULL, 'c' },
		{ "pki", required_argument, NULL, 'p' }, { "resource", required_argument, NULL, 'r' },
		{ "expect", required_argument, NULL, 'e' }, { "threads", required_argument, NULL, 't' },
		{ "flows", required_argument, NULL, 'n' }, { "server-pid", required_argument, NULL, 's' },
		{ "reuse", no_argument, NULL, 'R' }, { "mbedtls", no_argument, NULL, 'M' },
		{ "floor", required_argument, NULL, 'f' }, { "rss-every", required_argument, NULL, 'k' },
		{ "in-process", required_argument, NULL, 'I' }, { "resign-qe", no_argument, NULL, 'Q' },
		{ "max-sessions", required_argument, NULL, 'S' }, { "verify-each", no_argument, NULL, 'V' },
		{ "eventlog", required_argument, NULL, 'L' },
		{ 0 }
	};
	int ch;

	*o = (struct opts){ .threads = 8, .flows = 2000, .rss_every = 1000 };
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'u': o->url = optarg; break;
		case 'c': o->ca = optarg; break;
		case 'p': o->pki_dir = optarg; break;
		case 'r': o->resource = optarg; break;
		case 'e': o->expect_file = optarg; break;
		case 't': o->threads = atoi(optarg); break;
		case 'n': o->flows = atol(optarg); break;
		case 's': o->server_pid = atol(optarg); break;
		case 'R': o->reuse = true; break;
		case 'M': o->mbedtls = true; break;
		case 'f': o->floor_secs = atof(optarg); break;
		case 'k': o->rss_every = atol(optarg); break;
		case 'I': o->in_process = optarg; break;
		case 'Q': o->resign_qe = true; break;
		case 'S': o->max_sessions = atol(optarg); break;
		case 'V': o->verify_each = true; break;
		case 'L': o->eventlog = optarg; break;
		default: return -EINVAL;
		}
	}
	if (o->in_process) {
		o->url = o->ca = "-";
		o->threads = 1;
		o->server_pid = 0;
	}
	if (optind != argc || !o->url || !o->ca || !o->pki_dir || !o->resource || !o->expect_file ||
	    o->threads < 1 || o->threads > MAX_THREADS || o->flows < 1 || o->flows > MAX_FLOWS || o->rss_every < 1)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	static struct shared sh;
	struct opts o;
	struct client *cl;
	pthread_t *th;
	struct rusage ru0, ru1;
	double t0, t1, cpu0 = -1, cpu1 = -1, sys0 = 0, sys1 = 0, *ok_lat, floor_before = 0;
	long rss0 = -1, rss1 = -1, nok = 0;
	int r;

	if (parse_args(argc, argv, &o) < 0) {
		usage();
		return 2;
	}
	/* The floor is measured before and after the load (the machine is shared: rates move
	 * by 2x within minutes); floor_us_per_flow is their mean. */
	if (o.floor_secs > 0)
		floor_before = print_floor(o.floor_secs, "before_");
	sh.o = &o;
	if ((r = sim_pki_load(o.pki_dir, &sh.pki)) < 0 || (r = sim_profile_default(&sh.td)) < 0) {
		fprintf(stderr, "kbs_load: cannot load the simulator PKI %s (%s)\n", o.pki_dir, strerror(-r));
		return 1;
	}
	if (o.eventlog && load_eventlog(o.eventlog, &sh) < 0)
		return 1;
	{
		uint8_t zero[64] = { 0 };

		if ((r = sim_quote_build(sh.pki, &sh.td, zero, 4, 0, &sh.tmpl, &sh.tmpl_len)) < 0 ||
		    sh.tmpl_len <= QUOTE_CERT_DATA_OFF) {
			fprintf(stderr, "kbs_load: cannot build the template quote\n");
			return 1;
		}
	}
	if ((r = file_read_all(o.expect_file, 4096, &sh.expect, &sh.expect_len)) < 0) {
		fprintf(stderr, "kbs_load: cannot read %s (%s)\n", o.expect_file, strerror(-r));
		return 1;
	}
	if (o.in_process) {
		static struct ks_server srv;
		struct ks_config cfg;

		if (ks_config_load(o.in_process, &cfg) < 0 || ks_server_init(&srv, &cfg) < 0)
			return 1;
		sh.srv = &srv;
	}
	sh.rss_slots = o.flows / o.rss_every + 1;
	sh.lat_ms = calloc((size_t)o.flows, sizeof(*sh.lat_ms));
	sh.rss_kb = calloc((size_t)sh.rss_slots, sizeof(*sh.rss_kb));
	sh.table_kb = calloc((size_t)sh.rss_slots, sizeof(*sh.table_kb));
	sh.table_bytes = o.max_sessions > 0 ? table_bytes(o.max_sessions) : 0;
	ok_lat = calloc((size_t)o.flows, sizeof(*ok_lat));
	cl = calloc((size_t)o.threads, sizeof(*cl));
	th = calloc((size_t)o.threads, sizeof(*th));
	if (!sh.lat_ms || !sh.rss_kb || !sh.table_kb || !ok_lat || !cl || !th || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	for (int i = 0; i < o.threads; i++)
		if (client_init(&cl[i], &sh) < 0)
			return 1;
	if (o.server_pid > 0) {
		rss0 = proc_rss_kb(o.server_pid);
		cpu0 = proc_cpu_s(o.server_pid, &sys0);
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_s();
	for (int i = 0; i < o.threads; i++)
		if (pthread_create(&th[i], NULL, worker, &cl[i]) != 0) {
			fprintf(stderr, "kbs_load: cannot start thread %d\n", i);
			return 1;
		}
	for (int i = 0; i < o.threads; i++)
		pthread_join(th[i], NULL);
	t1 = now_s();
	getrusage(RUSAGE_SELF, &ru1);
	if (o.server_pid > 0) {
		cpu1 = proc_cpu_s(o.server_pid, &sys1);
		rss1 = proc_rss_kb(o.server_pid);
	}
	for (long i = 0; i < o.flows; i++)
		if (sh.lat_ms[i] >= 0)
			ok_lat[nok++] = sh.lat_ms[i];
	qsort(ok_lat, (size_t)nok, sizeof(*ok_lat), cmp_double);

	double gen_cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
			 (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
	printf("mode %s\n", o.in_process ? "in-process-handler" : o.reuse ? "reuse-connection" : "fresh-connection-per-flow");
	printf("client_crypto %s\n", o.mbedtls ? "mbedtls" : "openssl");
	printf("threads %d\n", o.threads);
	printf("flows %ld\n", o.flows);
	printf("server_cert_check %s\n", o.in_process ? "none" : o.verify_each ? "chain-every-handshake" : "chain-once-per-thread-then-pinned-key");
	printf("errors %ld\n", (long)atomic_load(&sh.errors));
	printf("wall_s %.3f\n", t1 - t0);
	printf("flows_per_s %.1f\n", (double)nok / (t1 - t0));
	if (nok) {
		printf("latency_p50_ms %.2f\n", ok_lat[(size_t)((double)(nok - 1) * 0.50)]);
		printf("latency_p99_ms %.2f\n", ok_lat[(size_t)((double)(nok - 1) * 0.99)]);
		printf("latency_max_ms %.2f\n", ok_lat[nok - 1]);
	}
	printf("generator_cpu_us_per_flow %.1f\n", gen_cpu * 1e6 / (double)o.flows);
	if (cpu0 >= 0 && cpu1 >= 0)
		printf("server_cpu_us_per_flow %.1f\n", (cpu1 - cpu0) * 1e6 / (double)o.flows);
	if (cpu0 >= 0 && cpu1 >= 0) /* the kernel's part: compare with tcp_floor_us_per_flow */
		printf("server_sys_us_per_flow %.1f\n", (sys1 - sys0) * 1e6 / (double)o.flows);
	if (o.server_pid > 0) {
		printf("server_rss_kb_start %ld\n", rss0);
		for (long k = 1; k < sh.rss_slots; k++)
			printf("server_rss_kb_after_%ld %ld\n", k * o.rss_every, sh.rss_kb[k]);
		printf("server_rss_kb_end %ld\n", rss1);
		if (sh.table_bytes) {
			printf("server_session_table_kb %ld\n", sh.table_bytes / 1024);
			for (long k = 1; k < sh.rss_slots; k++)
				printf("server_rss_kb_excl_sessions_after_%ld %ld\n", k * o.rss_every,
				       sh.table_kb[k] >= 0 ? sh.rss_kb[k] - sh.table_kb[k] : -1);
		}
	}
	if (o.floor_secs > 0) {
		double after = print_floor(o.floor_secs, "after_");

		printf("floor_us_per_flow %.1f\n", (floor_before + after) / 2);
	}
	if (sh.srv) {
		double a = sh.handler_cpu_s[0], b = sh.handler_cpu_s[1], c = sh.handler_cpu_s[2];

		printf("handler_auth_us %.1f\n", a * 1e6 / (double)o.flows);
		printf("handler_attest_us %.1f\n", b * 1e6 / (double)o.flows);
		printf("handler_resource_us %.1f\n", c * 1e6 / (double)o.flows);
		printf("handler_cpu_us_per_flow %.1f\n", (a + b + c) * 1e6 / (double)o.flows);
		ks_server_fini(sh.srv);
	}
	for (int i = 0; i < o.threads; i++)
		if (cl[i].curl)
			curl_easy_cleanup(cl[i].curl);
	curl_global_cleanup();
	sim_pki_free(sh.pki);
	free(sh.tmpl);
	free(sh.expect);
	free(sh.lat_ms);
	free(sh.rss_kb);
	free(sh.table_kb);
	free(ok_lat);
	free(cl);
	free(th);
	return atomic_load(&sh.errors) ? 3 : 0;
}
