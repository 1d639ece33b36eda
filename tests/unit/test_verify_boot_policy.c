/* SPDX-License-Identifier: Apache-2.0 */
/* Boot-component policy (kernel, initrd, cmdline, boot_events): allow, deny per member,
 * the appended-fake-event attack, a log that does not replay, no log, merge by union,
 * real logs (direct boot, shim+grub with grub's text). Logs are built here the way TDVF
 * and the Linux EFI stub write them (measured-boot.md §3.2, §4). */
#include "evlog_builder.h"
#include "testutil.h"
#include "common/cleanup.h"
#include "common/hex.h"
#include "tdx/eventlog.h"
#include "tdx/eventlog_decode.h"
#include "verify/boot_facts.h"
#include "verify/boot_policy.h"
#include "verify/policy.h"
#include "verify/sha384.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define CMDLINE EVB_CMDLINE

/* The claims of a TD that booted b and sent its log: the quote's RTMRs are the replay. */
static void claims_for(const struct logbuf *l, struct vf_claims *c)
{
	char reason[320];

	memset(c, 0, sizeof(*c));
	c->td.td_attributes[3] = 0x10;
	c->tcb_status = VF_TCB_UP_TO_DATE;
	evb_replay(l, c->td.rtmr);
	assert_int_equal(vf_boot_facts_from_log(l->b, l->n, &c->td, &c->boot, reason, sizeof(reason)), 0);
	assert_true(c->boot.present);
}


/* A policy naming kernels, initrds and command lines (lists of labels). */
static struct vf_policy *policy(const char *const *kernels, const char *const *initrds, const char *const *cmdlines)
{
	char text[8192], hex[97], err[256];
	size_t n = 0;
	struct vf_policy *p = NULL;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"kernel\":[");
	for (size_t i = 0; kernels && kernels[i]; i++) {
		evb_hex(kernels[i], hex);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"%s\"", i ? "," : "", hex);
	}
	n += (size_t)snprintf(text + n, sizeof(text) - n, "]");
	if (initrds) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",\"initrd\":[");
		for (size_t i = 0; initrds[i]; i++) {
			evb_hex(initrds[i], hex);
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"%s\"", i ? "," : "", hex);
		}
		n += (size_t)snprintf(text + n, sizeof(text) - n, "]");
	}
	if (cmdlines) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",\"cmdline\":[");
		for (size_t i = 0; cmdlines[i]; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"%s\"", i ? "," : "", cmdlines[i]);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "]");
	}
	n += (size_t)snprintf(text + n, sizeof(text) - n, "}");
	if (vf_policy_parse(text, n, &p, err, sizeof(err)) != 0)
		fail_msg("policy %s: %s", text, err);
	return p;
}

static const char *const K[] = { "kernel 6.1", NULL }, *const I[] = { "initrd 6.1", NULL },
		  *const C[] = { CMDLINE, NULL };

static bool eval(const struct vf_policy *p, const struct boot *b, char *reason)
{
	struct logbuf l;
	struct vf_claims c;

	evb_build(&l, b);
	claims_for(&l, &c);
	return vf_policy_eval(p, &c, reason, 320);
}

static void test_allow(void **state)
{
	struct vf_policy *p = policy(K, I, C);
	char reason[320];
	(void)state;

	assert_true(eval(p, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = CMDLINE }, reason));
	/* Both TDVF layouts: with the ReadyToBoot separator in RTMR1 (edk2 >= 202411) or not. */
	assert_true(eval(p, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = CMDLINE,
					    .old_firmware = true }, reason));
	vf_policy_free(p);
}

static void test_deny_each_member(void **state)
{
	struct vf_policy *p = policy(K, I, C);
	char reason[320], hex[97];
	(void)state;

	assert_false(eval(p, &(struct boot){ .kernel = "kernel 6.2", .initrd = "initrd 6.1", .cmdline = CMDLINE }, reason));
	evb_hex("kernel 6.2", hex);
	assert_true(strstr(reason, "kernel ") == reason && strstr(reason, hex) && strstr(reason, "not allowed"));
	assert_false(eval(p, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.2", .cmdline = CMDLINE }, reason));
	evb_hex("initrd 6.2", hex);
	assert_true(strstr(reason, "initrd ") == reason && strstr(reason, hex));
	assert_false(eval(p, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1",
					     .cmdline = "console=ttyS0 quiet initrd=initrd" }, reason));
	assert_true(strstr(reason, "cmdline not allowed") == reason);
	/* A kernel without TDX measurement support measures neither: not accounted for. */
	assert_false(eval(p, &(struct boot){ .kernel = "kernel 6.1" }, reason));
	assert_non_null(strstr(reason, "RTMR2 ends after 0 events; the policy expects cmdline next"));
	/* An initrd the policy does not name is an event it does not account for. */
	vf_policy_free(p);
	p = policy(K, NULL, C);
	assert_false(eval(p, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = CMDLINE }, reason));
	assert_non_null(strstr(reason, "RTMR2 event 1"));
	assert_non_null(strstr(reason, "not accounted for"));
	vf_policy_free(p);
}

/* measured-boot.md §10: a kernel that is not allowed extends the good kernel's digest (and
 * a good command line and initrd) after its own. "Some event has the good digest" would
 * allow it; the layout does not. */
static void test_appended_fake_events(void **state)
{
	struct vf_policy *p = policy(K, I, C);
	char reason[320], hex[97];
	(void)state;

	assert_false(eval(p, &(struct boot){ .kernel = "evil kernel", .initrd = "initrd 6.1", .cmdline = CMDLINE,
					     .append_kernel = "kernel 6.1" }, reason));
	evb_hex("evil kernel", hex);
	assert_non_null(strstr(reason, hex));
	assert_true(strstr(reason, "kernel ") == reason);
	/* The evil kernel measures nothing itself and appends the good ones' values. */
	assert_false(eval(p, &(struct boot){ .kernel = "evil kernel", .append_kernel = "kernel 6.1",
					     .append_cmdline = CMDLINE, .append_initrd = "initrd 6.1" }, reason));
	assert_true(strstr(reason, "kernel ") == reason);
	/* Even an allowed kernel's boot with an event appended is not the boot allowed. */
	assert_false(eval(p, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = CMDLINE,
					     .append_kernel = "kernel 6.1" }, reason));
	assert_non_null(strstr(reason, "RTMR1 event 5"));
	assert_non_null(strstr(reason, "not accounted for"));
	vf_policy_free(p);
}

static void test_log_must_replay(void **state)
{
	struct logbuf l;
	struct vf_claims c;
	char reason[320];
	(void)state;

	evb_build(&l, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = CMDLINE });
	claims_for(&l, &c);
	c.td.rtmr[1][0] ^= 1; /* the quote says another RTMR1 */
	assert_int_equal(vf_boot_facts_from_log(l.b, l.n, &c.td, &c.boot, reason, sizeof(reason)), -EKEYREJECTED);
	assert_true(strstr(reason, "eventlog_mismatch: RTMR1 replays to ") == reason);
	assert_false(c.boot.present);
	c.td.rtmr[1][0] ^= 1;
	c.td.rtmr[3][0] ^= 1; /* RTMR3: extended at run time, not compared */
	assert_int_equal(vf_boot_facts_from_log(l.b, l.n, &c.td, &c.boot, reason, sizeof(reason)), 0);
	l.n -= 20; /* cut inside the last record */
	assert_int_equal(vf_boot_facts_from_log(l.b, l.n, &c.td, &c.boot, reason, sizeof(reason)), -EBADMSG);
	assert_true(strstr(reason, "eventlog_malformed: ") == reason);
}

static void test_no_log(void **state)
{
	struct vf_policy *p = policy(K, I, C), *plain = NULL;
	struct vf_claims c = { .tcb_status = VF_TCB_UP_TO_DATE };
	char reason[320];
	(void)state;

	assert_false(vf_policy_eval(p, &c, reason, sizeof(reason)));
	assert_true(strstr(reason, "no event log") == reason);
	/* A policy without boot members does not need one. */
	assert_int_equal(vf_policy_parse("{}", 2, &plain, NULL, 0), 0);
	assert_true(vf_policy_eval(plain, &c, reason, sizeof(reason)));
	vf_policy_free(plain);
	vf_policy_free(p);
}

/* Old and new values side by side (an update window): lists merge by union. */
static void test_merge_by_union(void **state)
{
	static const char *const K2[] = { "kernel 6.1", "kernel 6.2", NULL }, *const I2[] = { "initrd 6.1", "initrd 6.2", NULL },
			  *const C2[] = { CMDLINE, "console=ttyS0 quiet initrd=initrd", NULL };
	struct vf_policy *p = policy(K2, I2, C2);
	char reason[320];
	(void)state;

	assert_true(eval(p, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = CMDLINE }, reason));
	assert_true(eval(p, &(struct boot){ .kernel = "kernel 6.2", .initrd = "initrd 6.2",
					    .cmdline = "console=ttyS0 quiet initrd=initrd" }, reason));
	assert_false(eval(p, &(struct boot){ .kernel = "kernel 6.3", .initrd = "initrd 6.2", .cmdline = CMDLINE }, reason));
	vf_policy_free(p);
}

static void test_policy_errors(void **state)
{
	static const char *const bad[] = {
		"{\"cmdline\":[\"quiet\"]}",                   /* without the kernel */
		"{\"initrd\":[\"00\"]}",
		"{\"kernel\":[\"abc\"]}",
		"{\"kernel\":[],\"cmdline\":[\"tab\\u0001\"]}",
		"{\"kernel\":[],\"boot_events\":[{\"rtmr1\":[\"kernel\"],\"rtmr2\":[\"initrd\"]}]}",
		"{\"kernel\":[],\"boot_events\":[{\"rtmr1\":[\"kernel\"]}]}",
		"{\"kernel\":[],\"boot_events\":[{\"rtmr1\":[\"shim\"],\"rtmr2\":[]}]}",
		"{\"kernel\":[],\"boot_events\":[]}",
		"{\"kernel\":{}}",
		/* rtmr1 pins a kernel in RTMR1, not one in RTMR2 (grub's file, a UKI section) */
		("{\"rtmr1\":[\"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\"],"
		 "\"boot_events\":[{\"rtmr1\":[],\"rtmr2\":[\"kernel\"]}]}"),
	};
	struct vf_policy *p = NULL;
	char err[256];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (vf_policy_parse(bad[i], strlen(bad[i]), &p, err, sizeof(err)) != -EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_true(strstr(err, "policy") != NULL);
	}
	/* cmdline with rtmr1 pinned instead of a kernel list is fine. */
	const char *ok = "{\"rtmr1\":[\"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\"],"
			 "\"cmdline\":[\"quiet\"]}";
	assert_int_equal(vf_policy_parse(ok, strlen(ok), &p, err, sizeof(err)), 0);
	vf_policy_free(p);
}

/* Real logs: a policy made from a log's facts (what policy-from-quote --eventlog prints)
 * allows that boot; a changed member is named in the denial. */
static struct vf_policy *policy_from(const struct vf_boot_facts *f, const char *edit_key, const char *edit_value)
{
	json_object *o = json_object_new_object();
	struct vf_policy *p = NULL;
	char err[256];
	const char *text;

	assert_int_equal(vf_boot_policy_from_facts(f, o), 0);
	if (edit_key) {
		json_object *a = json_object_new_array();

		json_object_array_add(a, json_object_new_string(edit_value));
		json_object_object_add(o, edit_key, a);
	}
	text = json_object_to_json_string(o);
	if (vf_policy_parse(text, strlen(text), &p, err, sizeof(err)) != 0)
		fail_msg("%s: %s", text, err);
	json_object_put(o);
	return p;
}

/* grub: the kernel file and kernel_cmdline at their places; a short text becomes a policy
 * string and a denial quotes the TD's text. */
static void test_grub_text(void **state)
{
	struct logbuf l;
	struct vf_claims c;
	struct vf_policy *p;
	json_object *o = json_object_new_object(), *v;
	char reason[320], summary[1024];
	(void)state;

	evb_build_grub(&l, "kernel 6.1", "root=/dev/vda1 ro");
	claims_for(&l, &c);
	assert_string_equal(c.boot.grub_cmdline, "/vmlinuz root=/dev/vda1 ro");
	assert_false(c.boot.grub_cmdline_cut);
	vf_boot_facts_summary(&c.boot, summary, sizeof(summary));
	assert_non_null(strstr(summary, " cmdline=\"/vmlinuz root=/dev/vda1 ro\""));
	assert_int_equal(vf_boot_policy_from_facts(&c.boot, o), 0);
	assert_true(json_object_object_get_ex(o, "cmdline", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "/vmlinuz root=/dev/vda1 ro");
	assert_false(json_object_object_get_ex(o, "cmdline_digest", NULL));
	json_object_put(o);
	p = policy_from(&c.boot, NULL, NULL);
	assert_true(vf_policy_eval(p, &c, reason, sizeof(reason)));
	/* the same grub with another command line: grub's own "linux" command differs first */
	evb_build_grub(&l, "kernel 6.1", "root=/dev/vda1 ro init=/bin/sh");
	claims_for(&l, &c);
	assert_false(vf_policy_eval(p, &c, reason, sizeof(reason)));
	assert_true(strstr(reason, "RTMR2 event 1 (EV_IPL grub_cmd") == reason);
	vf_policy_free(p);
	/* a layout where only the command line is a component: the denial quotes it */
	const char *text = "{\"kernel\":[\"%s\"],\"cmdline\":[\"/vmlinuz root=/dev/vda1 ro\"],\"boot_events\":"
			   "[{\"rtmr1\":[\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\"],\"rtmr2\":[\"%s\",\"%s\",\"kernel\",\"cmdline\"]}]}";
	char pol[2048], h[10][97];

	for (unsigned i = 0, j = 0; i < c.boot.n; i++)
		if (c.boot.ev[i].kind != CCEL_KERNEL && c.boot.ev[i].kind != CCEL_GRUB_CMDLINE)
			hex_encode(c.boot.ev[i].digest, 48, h[j++ + 1]);
	evb_hex("kernel 6.1", h[0]);
	snprintf(pol, sizeof(pol), text, h[0], h[1], h[2], h[3], h[4], h[7], h[8], h[5], h[6]);
	assert_int_equal(vf_policy_parse(pol, strlen(pol), &p, reason, sizeof(reason)), 0);
	assert_false(vf_policy_eval(p, &c, reason, sizeof(reason)));
	assert_string_equal(reason, "cmdline \"/vmlinuz root=/dev/vda1 ro init=/bin/sh\" not allowed");
	vf_policy_free(p);
}

static void real_claims(const char *rel, struct vf_claims *c)
{
	const char *dir = testdata_ccel_dir();
	struct ccel_log log;
	char reason[320];
	size_t len;
	_cleanup_free_ uint8_t *buf = test_read(dir, rel, &len);

	memset(c, 0, sizeof(*c));
	c->tcb_status = VF_TCB_UP_TO_DATE;
	assert_int_equal(ccel_parse(buf, len, &log, NULL), 0);
	assert_int_equal(ccel_replay(&log, vf_sha384, c->td.rtmr), 0);
	ccel_log_free(&log);
	assert_int_equal(vf_boot_facts_from_log(buf, len, &c->td, &c->boot, reason, sizeof(reason)), 0);
}

static void test_real_logs(void **state)
{
	struct vf_claims c;
	struct vf_policy *p;
	char reason[320], summary[1024];
	(void)state;

	SKIP_WITHOUT_TESTDATA(testdata_ccel_dir());
	/* Direct boot, old TDVF: the default layouts account for it with the three members. */
	real_claims("logs/trustee_CCEL_data_ovmf.bin", &c);
	vf_boot_facts_summary(&c.boot, summary, sizeof(summary));
	assert_true(strstr(summary, "kernel=a2ccae1e") == summary);
	p = policy_from(&c.boot, NULL, NULL);
	assert_true(vf_policy_eval(p, &c, reason, sizeof(reason)));
	vf_policy_free(p);
	{
		char text[600];
		struct vf_policy *q = NULL;
		char k[97], i[97], cm[97];

		hex_encode(c.boot.ev[0].digest, 48, k);  /* RTMR1: kernel first */
		hex_encode(c.boot.ev[2].digest, 48, cm); /* RTMR2: LoadOptions */
		hex_encode(c.boot.ev[3].digest, 48, i);  /* RTMR2: initrd */
		snprintf(text, sizeof(text), "{\"kernel\":[\"%s\"],\"initrd\":[\"%s\"],\"cmdline_digest\":[\"%s\"]}", k, i, cm);
		assert_int_equal(vf_policy_parse(text, strlen(text), &q, NULL, 0), 0);
		assert_true(vf_policy_eval(q, &c, reason, sizeof(reason)));
		vf_policy_free(q);
	}
	/* GCP COS: shim, grub (string events), the kernel as grub's file: the denial quotes
	 * grub's command line. */
	real_claims("cos113/ccel_data.bin", &c);
	assert_non_null(strstr(c.boot.grub_cmdline, "/syslinux/vmlinuz.A init=/usr/lib/systemd/systemd"));
	p = policy_from(&c.boot, NULL, NULL);
	assert_true(vf_policy_eval(p, &c, reason, sizeof(reason)));
	vf_policy_free(p);
	/* its 727-character command line is kept cut: pinned by digest, quoted with "..." */
	assert_true(c.boot.grub_cmdline_cut);
	p = policy_from(&c.boot, "cmdline_digest", "000000000000000000000000000000000000000000000000"
						   "000000000000000000000000000000000000000000000000");
	assert_false(vf_policy_eval(p, &c, reason, sizeof(reason)));
	assert_true(strstr(reason, "cmdline \"/syslinux/vmlinuz.A init=") == reason);
	assert_non_null(strstr(reason, "...\" not allowed"));
	vf_policy_free(p);
	/* Ubuntu shim + grub + UKI-less kernel, GKE UKI: pinned from their own logs. */
	real_claims("logs/trustee_CCEL_data_grub.bin", &c);
	p = policy_from(&c.boot, NULL, NULL);
	assert_true(vf_policy_eval(p, &c, reason, sizeof(reason)));
	vf_policy_free(p);
	real_claims("logs/trustee_CCEL_data_grub_gke.bin", &c);
	p = policy_from(&c.boot, NULL, NULL);
	assert_true(vf_policy_eval(p, &c, reason, sizeof(reason)));
	vf_policy_free(p);
	p = policy_from(&c.boot, "kernel", "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000");
	assert_false(vf_policy_eval(p, &c, reason, sizeof(reason)));
	assert_true(strstr(reason, "kernel 2807a2f1") == reason); /* the UKI .linux section comes first */
	vf_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_deny_each_member),
		cmocka_unit_test(test_appended_fake_events),
		cmocka_unit_test(test_log_must_replay),
		cmocka_unit_test(test_no_log),
		cmocka_unit_test(test_merge_by_union),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_grub_text),
		cmocka_unit_test(test_real_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
