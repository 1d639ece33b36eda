/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration: tdx-unlock.conf and kernel command line parsing, the precedence
 * cmdline > file > token, and what a token rewritten by whoever controls the disk can and
 * cannot change. */
#include "testutil.h"
#include "common/log.h"
#include "luks/config.h"
#include "luks/settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEGIT_TOKEN "{\"type\":\"tdx-unlock\",\"keyslots\":[\"1\"],\"version\":1," \
	"\"kbs-urls\":[\"https://kbs.corp:8443\"],\"resource\":\"default/luks/root\"," \
	"\"ca-file\":\"/etc/tdx-unlock/kbs-ca.pem\",\"timeout-s\":60}"
/* The same disk after the host rewrote the token: its own server, its own CA, a long deadline. */
#define EVIL_TOKEN "{\"type\":\"tdx-unlock\",\"keyslots\":[\"1\"],\"version\":1," \
	"\"kbs-urls\":[\"https://evil.example\"],\"resource\":\"default/luks/root\"," \
	"\"ca-file\":\"/etc/ssl/certs/ca-certificates.crt\",\"timeout-s\":3600}"

static int parse_conf(const char *text, struct luks_config *c)
{
	luks_config_init(c);
	return luks_config_parse(text, strlen(text), "test.conf", c);
}

static int parse_cmdline(const char *text, struct luks_config *c)
{
	luks_config_init(c);
	return luks_cmdline_parse(text, strlen(text), c);
}

static void sources(struct luks_sources *s, const char *conf, const char *cmdline)
{
	luks_config_init(&s->file);
	luks_config_init(&s->cmdline);
	if (conf)
		assert_int_equal(parse_conf(conf, &s->file), 0);
	if (cmdline)
		assert_int_equal(parse_cmdline(cmdline, &s->cmdline), 0);
}

static void token(const char *json, struct luks_token *t)
{
	assert_int_equal(luks_token_parse(json, t), 0);
}

static void test_conf_parse(void **state)
{
	struct luks_config c;

	(void)state;
	assert_int_equal(parse_conf("# measured\n\n  url = https://a:1\nurl=https://b:2\r\n"
				    "ca = /etc/tdx-unlock/ca.pem\ntimeout = 30\nallow-token-urls = no\ndebug = yes\n", &c), 0);
	assert_true(c.present);
	assert_int_equal(c.n_urls, 2);
	assert_string_equal(c.urls[0], "https://a:1");
	assert_string_equal(c.urls[1], "https://b:2");
	assert_string_equal(c.ca_file, "/etc/tdx-unlock/ca.pem");
	assert_int_equal(c.timeout_s, 30);
	assert_int_equal(c.allow_token_urls, 0);
	assert_int_equal(c.debug, 1);
	assert_int_equal(parse_conf("", &c), 0);
	assert_int_equal(c.n_urls, 0);
	assert_int_equal(c.allow_token_urls, LUKS_UNSET);
}

static void test_conf_rejects(void **state)
{
	static const char *const bad[] = {
		"url = http://plain:80\n", "url\n", "ca = relative.pem\n", "timeout = 4\n", "timeout = 3601\n",
		"timeout = 10s\n", "allow-token-urls = maybe\n", "allow-token-url = yes\n", "[section]\n",
		("url = https://1\nurl = https://2\nurl = https://3\nurl = https://4\nurl = https://5\n"
		 "url = https://6\nurl = https://7\nurl = https://8\nurl = https://9\n"),
	};
	struct luks_config c;
	char longline[1100];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_conf(bad[i], &c) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "# ", 2);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(parse_conf(longline, &c), -EINVAL);
	luks_config_init(&c);
	assert_int_equal(luks_config_parse("url = https://a\0url = https://b\n", 31, "t", &c), -EINVAL);
}

static void test_cmdline_parse(void **state)
{
	struct luks_config c;

	(void)state;
	assert_int_equal(parse_cmdline("BOOT_IMAGE=/vmlinuz root=UUID=x ro rd.tdx_unlock.url=https://k1:8443 "
				       "quiet rd.tdx_unlock.url=\"https://k2:8443\" rd.tdx_unlock.timeout=45 "
				       "rd.tdx_unlock.debug rd.tdx_unlock.tsm=/run/tsm rd.luks.uuid=abc\n", &c), 0);
	assert_int_equal(c.n_urls, 2);
	assert_string_equal(c.urls[0], "https://k1:8443");
	assert_string_equal(c.urls[1], "https://k2:8443");
	assert_int_equal(c.timeout_s, 45);
	assert_int_equal(c.debug, 1);
	assert_string_equal(c.tsm_dir, "/run/tsm");
	assert_int_equal(c.enabled, LUKS_UNSET);
	assert_int_equal(c.n_luks_uuids, 0); /* "abc" is no UUID: nothing to wait for */
	assert_int_equal(parse_cmdline("rd.tdx_unlock=0 rd.tdx_unlock.debug=0", &c), 0);
	assert_int_equal(c.enabled, 0);
	assert_int_equal(c.debug, 0);
	assert_int_equal(parse_cmdline("\"rd.tdx_unlock.unknown=1\" tdx_unlock.url=http://x", &c), 0);
	assert_int_equal(c.n_urls, 0);
	assert_int_equal(parse_cmdline("", &c), 0);
	assert_int_equal(parse_cmdline("rd.tdx_unlock.url=http://plain", &c), -EINVAL);
	assert_int_equal(parse_cmdline("rd.tdx_unlock.url", &c), -EINVAL);
	assert_int_equal(parse_cmdline("rd.tdx_unlock.timeout=0", &c), -EINVAL);
	assert_int_equal(parse_cmdline("rd.tdx_unlock.timeout=9999999999999999999", &c), -EINVAL);
	assert_int_equal(parse_cmdline("rd.tdx_unlock=maybe", &c), -EINVAL);
	assert_int_equal(parse_cmdline("rd.tdx_unlock.tsm=relative", &c), -EINVAL);
	/* The event log to send: an absolute file or none. */
	assert_int_equal(parse_cmdline("rd.tdx_unlock.ccel=/run/ccel.bin", &c), 0);
	assert_string_equal(c.ccel, "/run/ccel.bin");
	assert_int_equal(parse_cmdline("rd.tdx_unlock.ccel=none", &c), 0);
	assert_string_equal(c.ccel, "none");
	assert_int_equal(parse_cmdline("rd.tdx_unlock.ccel=ccel.bin", &c), -EINVAL);
	assert_int_equal(parse_cmdline("rd.tdx_unlock.ccel", &c), -EINVAL);
}

/* rd.luks.uuid=: the devices "unlock --all" waits for; luks- prefix dropped, duplicates
 * (in any case) once, anything that is no UUID ignored, at most LUKS_MAX_WAIT_UUIDS. */
static void test_cmdline_luks_uuids(void **state)
{
	struct luks_config c;
	char many[64 * 1024] = "";

	(void)state;
	assert_int_equal(parse_cmdline("rd.luks.uuid=luks-9e6e3b46-48af-4606-9806-06d3f56e55bc "
				       "rd.luks.uuid=9E6E3B46-48AF-4606-9806-06D3F56E55BC rd.luks.uuid=luks- "
				       "rd.luks.uuid=3187a803-99f4-4dfb-a41d-de756e45daf7 rd.luks.uuid "
				       "rd.luks.uuid=3187a803-99f4-4dfb-a41d-de756e45daf7x "
				       "rd.luks.uuid=3187a803+99f4-4dfb-a41d-de756e45daf7 "
				       "rd.luks.uuid=g187a803-99f4-4dfb-a41d-de756e45daf7", &c), 0);
	assert_int_equal(c.n_luks_uuids, 2);
	assert_string_equal(c.luks_uuids[0], "9e6e3b46-48af-4606-9806-06d3f56e55bc");
	assert_string_equal(c.luks_uuids[1], "3187a803-99f4-4dfb-a41d-de756e45daf7");
	for (int i = 0; i < LUKS_MAX_WAIT_UUIDS + 3; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "rd.luks.uuid=00000000-0000-0000-0000-%012d ", i);
	assert_int_equal(parse_cmdline(many, &c), 0);
	assert_int_equal(c.n_luks_uuids, LUKS_MAX_WAIT_UUIDS);
	assert_string_equal(c.luks_uuids[LUKS_MAX_WAIT_UUIDS - 1], "00000000-0000-0000-0000-000000000015");
}

/* The initrd's crypttab: UUID= and /dev/disk/by-uuid/ sources, nothing else. */
static void test_crypttab(void **state)
{
	static const char tab[] =
		"# <name> <device> <key> <options>\n"
		"luks-9e6e3b46-48af-4606-9806-06d3f56e55bc UUID=9e6e3b46-48af-4606-9806-06d3f56e55bc none luks,discard\n"
		"\n   \t\n"
		"data\t/dev/disk/by-uuid/3187A803-99F4-4DFB-A41D-DE756E45DAF7\t/etc/keys/data.key\r\n"
		"swap /dev/sda3 /dev/urandom swap\n"
		"bad UUID=not-a-uuid\n"
		"  # UUID=00000000-0000-0000-0000-000000000001 commented\n"
		"onlyname\n"
		"last PARTUUID=00000000-0000-0000-0000-000000000002";
	struct luks_config c;
	char *longline = calloc(1, LUKS_CRYPTTAB_LINE_MAX + 64);

	(void)state;
	luks_config_init(&c);
	assert_int_equal(luks_crypttab_parse(tab, strlen(tab), &c), 0);
	assert_int_equal(c.n_luks_uuids, 2);
	assert_string_equal(c.luks_uuids[0], "9e6e3b46-48af-4606-9806-06d3f56e55bc");
	assert_string_equal(c.luks_uuids[1], "3187A803-99F4-4DFB-A41D-DE756E45DAF7");
	/* a line over the bound is refused, whatever came before it stays */
	assert_non_null(longline);
	memset(longline, 'x', LUKS_CRYPTTAB_LINE_MAX + 1);
	assert_int_equal(luks_crypttab_parse(longline, strlen(longline), &c), -EINVAL);
	free(longline);
	assert_int_equal(luks_crypttab_parse("", 0, &c), 0);
}

/* No configuration file, no command line: the token is all there is (with a warning). */
static void test_token_only(void **state)
{
	struct luks_sources s;
	struct luks_token t;
	struct luks_settings set;

	(void)state;
	sources(&s, NULL, NULL);
	token(LEGIT_TOKEN, &t);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), 0);
	assert_int_equal(set.n_urls, 1);
	assert_string_equal(set.urls[0], "https://kbs.corp:8443");
	assert_string_equal(set.ca_file, "/etc/tdx-unlock/kbs-ca.pem");
	assert_int_equal(set.ca_origin, ORIGIN_TOKEN);
	assert_int_equal(set.timeout_s, 60);
	assert_int_equal(set.timeout_origin, ORIGIN_TOKEN);
	/* A token without CA and nothing else: refused. */
	token("{\"type\":\"tdx-unlock\",\"keyslots\":[\"1\"],\"version\":1,\"kbs-urls\":[\"https://k\"],"
	      "\"resource\":\"a/b/c\"}", &t);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), -EINVAL);
	assert_int_equal(t.timeout_s, 0);
}

/* Measured configuration pins server and CA: the attacker's token changes neither. */
static void test_attacker_token_pinned_config(void **state)
{
	struct luks_sources s;
	struct luks_token t;
	struct luks_settings set;

	(void)state;
	sources(&s, "url = https://kbs.corp:8443\nca = /etc/tdx-unlock/kbs-ca.pem\ntimeout = 90\n", NULL);
	token(EVIL_TOKEN, &t);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), 0);
	assert_int_equal(set.n_urls, 1);
	assert_string_equal(set.urls[0], "https://kbs.corp:8443");
	assert_int_equal(set.n_token_urls, 0);
	assert_int_equal(set.url_origin, ORIGIN_FILE);
	assert_string_equal(set.ca_file, "/etc/tdx-unlock/kbs-ca.pem");
	assert_int_equal(set.ca_origin, ORIGIN_FILE);
	assert_int_equal(set.timeout_s, 90); /* the token's 3600 is overridden */
	for (size_t i = 0; i < set.n_urls; i++)
		assert_null(strstr(set.urls[i], "evil"));
}

/* A configuration file that exists but says nothing about servers: token URLs stay unused. */
static void test_attacker_token_file_without_urls(void **state)
{
	struct luks_sources s;
	struct luks_token t;
	struct luks_settings set;

	(void)state;
	sources(&s, "timeout = 30\n", NULL);
	token(EVIL_TOKEN, &t);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), -EINVAL);
	/* With a CA but without allow-token-urls: still refused. */
	sources(&s, "ca = /etc/tdx-unlock/kbs-ca.pem\n", NULL);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), -EINVAL);
}

/* allow-token-urls = yes with a measured CA: the token may choose among servers, but only
 * servers whose certificate chains to the measured CA are trusted. */
static void test_allow_token_urls_with_pinned_ca(void **state)
{
	struct luks_sources s;
	struct luks_token t;
	struct luks_settings set;

	(void)state;
	sources(&s, "url = https://kbs.corp:8443\nallow-token-urls = yes\nca = /etc/tdx-unlock/kbs-ca.pem\n", NULL);
	token(EVIL_TOKEN, &t);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), 0);
	assert_int_equal(set.n_urls, 2);
	assert_string_equal(set.urls[0], "https://kbs.corp:8443"); /* measured first */
	assert_string_equal(set.urls[1], "https://evil.example");
	assert_int_equal(set.n_token_urls, 1);
	assert_string_equal(set.ca_file, "/etc/tdx-unlock/kbs-ca.pem"); /* never the token's */
	/* Without a measured CA, token URLs get the token's CA only when no measured URL exists. */
	sources(&s, "allow-token-urls = yes\n", NULL);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), 0);
	assert_string_equal(set.ca_file, "/etc/ssl/certs/ca-certificates.crt");
	assert_int_equal(set.ca_origin, ORIGIN_TOKEN);
	sources(&s, "allow-token-urls = yes\nurl = https://kbs.corp:8443\n", NULL);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), -EINVAL);
}

static void test_cmdline_beats_file(void **state)
{
	struct luks_sources s;
	struct luks_token t;
	struct luks_settings set;

	(void)state;
	sources(&s, "url = https://file:1\nca = /ca.pem\ntimeout = 30\n",
		"rd.tdx_unlock.url=https://cmd:2 rd.tdx_unlock.timeout=15 rd.tdx_unlock.tsm=/run/tsm");
	token(EVIL_TOKEN, &t);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), 0);
	assert_int_equal(set.n_urls, 1);
	assert_string_equal(set.urls[0], "https://cmd:2");
	assert_int_equal(set.url_origin, ORIGIN_CMDLINE);
	assert_string_equal(set.ca_file, "/ca.pem");
	assert_int_equal(set.timeout_s, 15);
	assert_int_equal(set.timeout_origin, ORIGIN_CMDLINE);
	assert_string_equal(set.tsm_dir, "/run/tsm");
	/* An explicit option beats everything. */
	assert_int_equal(luks_settings_resolve(&s, &t, 7, &set), 0);
	assert_int_equal(set.timeout_s, 7);
	assert_int_equal(set.timeout_origin, ORIGIN_OPTION);
	/* Command line URLs need the file's CA; the token's is never used for them. */
	sources(&s, NULL, "rd.tdx_unlock.url=https://cmd:2");
	token(LEGIT_TOKEN, &t);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), -EINVAL);
	/* rd.tdx_unlock=0 disables. */
	sources(&s, "url = https://file:1\nca = /ca.pem\n", "rd.tdx_unlock=0");
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), -ENOENT);
	/* Event log: command line beats file; neither = the firmware's (NULL). */
	sources(&s, "url = https://file:1\nca = /ca.pem\nccel = /file.ccel\n", "rd.tdx_unlock.ccel=none");
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), 0);
	assert_string_equal(set.ccel, "none");
	sources(&s, "url = https://file:1\nca = /ca.pem\nccel = /file.ccel\n", NULL);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), 0);
	assert_string_equal(set.ccel, "/file.ccel");
	sources(&s, "url = https://file:1\nca = /ca.pem\n", NULL);
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), 0);
	assert_null(set.ccel);
	{
		struct luks_config c;

		assert_int_equal(parse_conf("ccel = relative\n", &c), -EINVAL);
	}
	/* Debug: command line beats file. */
	sources(&s, "url = https://file:1\nca = /ca.pem\ndebug = yes\n", "rd.tdx_unlock.debug=0");
	assert_int_equal(luks_settings_resolve(&s, &t, 0, &set), 0);
	assert_false(set.debug);
}

static void test_sources_load_env(void **state)
{
	char dir[] = "/tmp/test_luks_config.XXXXXX", conf[64], cmd[64];
	struct luks_sources s;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/c.conf", dir);
	snprintf(cmd, sizeof(cmd), "%s/cmdline", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("url = https://file:1\nca = /ca.pem\n", f);
	fclose(f);
	f = fopen(cmd, "w");
	assert_non_null(f);
	fputs("ro rd.tdx_unlock.timeout=11\n", f);
	fclose(f);
	setenv(LUKS_ENV_CONFIG, conf, 1);
	setenv(LUKS_ENV_CMDLINE, cmd, 1);
	assert_int_equal(luks_sources_load(&s), 0);
	assert_true(s.file.present);
	assert_string_equal(s.file.urls[0], "https://file:1");
	assert_true(s.cmdline.present);
	assert_int_equal(s.cmdline.timeout_s, 11);
	unlink(conf);
	assert_int_equal(luks_sources_load(&s), 0); /* a missing file is fine */
	assert_false(s.file.present);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("url = nope\n", f);
	fclose(f);
	assert_int_equal(luks_sources_load(&s), -EINVAL); /* a malformed one is not */
	unlink(conf);
	unlink(cmd);
	rmdir(dir);
	unsetenv(LUKS_ENV_CONFIG);
	unsetenv(LUKS_ENV_CMDLINE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_parse),
		cmocka_unit_test(test_conf_rejects),
		cmocka_unit_test(test_cmdline_parse),
		cmocka_unit_test(test_cmdline_luks_uuids),
		cmocka_unit_test(test_crypttab),
		cmocka_unit_test(test_token_only),
		cmocka_unit_test(test_attacker_token_pinned_config),
		cmocka_unit_test(test_attacker_token_file_without_urls),
		cmocka_unit_test(test_allow_token_urls_with_pinned_ca),
		cmocka_unit_test(test_cmdline_beats_file),
		cmocka_unit_test(test_sources_load_env),
	};

	log_set_level(LOG_LVL_QUIET);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
