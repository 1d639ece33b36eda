/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-sim: a simulated Intel TDX platform for tests (never installed). */
#include "sim_cli.h"
#include "common/log.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
"usage: tdx-sim [-v] COMMAND [OPTIONS]\n"
"\n"
"A simulated Intel TDX platform for tests: a test DCAP PKI with signed collateral,\n"
"TDREPORTs and quotes signed by it, a FUSE file system behaving like configfs-tsm and a\n"
"QGS server. Never use it outside tests.\n"
"\n"
"commands:\n"
"  pki DIR [--time RFC3339] [DEFECT...]\n"
"      Create a test PKI: DIR/collateral/{root_ca.pem, tcb_info.json,\n"
"      tcb_info_issuer_chain.pem, qe_identity.json, qe_identity_issuer_chain.pem,\n"
"      pck_crl.der, pck_crl_issuer_chain.pem, root_ca_crl.der}, DIR/pck_chain.pem,\n"
"      DIR/certs/*.pem and the private keys in DIR/keys/ (0600). Validity windows are\n"
"      based on --time (default now): certificates from T-1 day for years, CRLs and\n"
"      collateral from T-1 day to T+30 days. Each DEFECT adds one specific fault:\n"
"        --revoke-pck            the PCK CRL lists the PCK certificate\n"
"        --revoke-platform-ca    the root CA CRL lists the PCK Platform CA\n"
"        --expired-tcb-info      tcbInfo valid T-31d .. T-1d\n"
"        --expired-qe-identity   enclaveIdentity valid T-31d .. T-1d\n"
"        --bad-tcb-info-sig      one bit of the tcbInfo signature flipped\n"
"        --qe-identity-mismatch  QE identity MRSIGNER differs from the QE report's\n"
"        --fmspc-mismatch        tcbInfo fmspc differs from the PCK certificate's\n"
"  quote --pki DIR --report-data HEX [--td PROFILE.json] [--quote-version 4|5]\n"
"        [--corrupt qe-reportdata|quote-sig|qe-report-sig[,...]] [-o FILE]\n"
"      Write a signed quote (v4, or v5 with body type 3; default 4) over the 64-byte\n"
"      REPORTDATA (128 hex digits) to FILE (default stdout).\n"
"  tdreport --report-data HEX [--td PROFILE.json] [-o FILE]\n"
"      Write a 1024-byte TDREPORT (MAC zero).\n"
"  profile [--td PROFILE.json]\n"
"      Print the default TD profile (or PROFILE.json with defaults filled in) as JSON.\n"
"      Keys (hex): mr_td, rtmr0..rtmr3, mr_config_id, mr_owner, mr_owner_config,\n"
"      mr_seam, mr_servicetd (96 digits), td_attributes, xfam (16), tee_tcb_svn,\n"
"      tee_tcb_svn2 (32). Unknown keys are rejected.\n"
"  mount MOUNTPOINT --pki DIR [--td PROFILE.json] [--quote-version 4|5] [-f]\n"
"        [--no-provider] [--busy N] [--race] [--corrupt ...]\n"
"      FUSE file system behaving like /sys/kernel/config/tsm/report: mkdir an entry,\n"
"      write 64 bytes to inblob, read outblob (the quote), generation, provider.\n"
"        -f             stay in the foreground (default: daemon)\n"
"        --no-provider  mkdir fails with ENXIO (no TSM provider)\n"
"        --busy N       the first N outblob reads fail with EBUSY\n"
"        --race         the first outblob read bumps every generation once more\n"
"      Unmount with: fusermount3 -u MOUNTPOINT\n"
"  qgs --listen tcp:127.0.0.1:PORT --pki DIR [--td PROFILE.json] [--quote-version 4|5]\n"
"      [--pid-file FILE] [--corrupt ...]\n"
"      Quote Generation Service over TCP (framed GET_QUOTE messages, or a bare\n"
"      1024-byte TDREPORT). Prints \"listening on 127.0.0.1:PORT\"; PORT 0 picks one.\n"
"      The TD fields come from each received TDREPORT (--td is only validated).\n"
"      Stops on SIGTERM/SIGINT.\n"
"\n"
"The simulated platform matches the UpToDate TCB level of its TCB info with the default\n"
"tee_tcb_svn 03010200000000000000000000000000; tee_tcb_svn 03010100... (late microcode\n"
"SVN 1) matches the OutOfDate level, 02010200... gives an OutOfDate TDX module.\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "pki", sim_cmd_pki },
	{ "quote", sim_cmd_quote },
	{ "tdreport", sim_cmd_tdreport },
	{ "profile", sim_cmd_profile },
	{ "mount", sim_cmd_mount },
	{ "qgs", sim_cmd_qgs },
};

int main(int argc, char **argv)
{
	int i = 1;

	log_set_prefix("tdx-sim");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
			log_set_level(LOG_LVL_DEBUG);
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return SIM_EXIT_OK;
		} else {
			fputs(usage_text, stderr);
			return SIM_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		fputs(usage_text, stderr);
		return SIM_EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(argc - i, argv + i);
	log_err("unknown command '%s' (see tdx-sim --help)", argv[i]);
	return SIM_EXIT_USAGE;
}
