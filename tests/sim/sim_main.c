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
"  pki DIR [--time RFC3339] [--platforms N | --fmspc HEX[:platform|:processor]...]\n"
"        [--issue-date RFC3339] [--validity-days N] [--tcb-eval N] [DEFECT...]\n"
"      Create a test PKI: DIR/collateral/{root_ca.pem, tcb_info.json,\n"
"      tcb_info_issuer_chain.pem, qe_identity.json, qe_identity_issuer_chain.pem,\n"
"      pck_crl.der, pck_crl_issuer_chain.pem, root_ca_crl.der}, DIR/pck_chain.pem,\n"
"      DIR/certs/*.pem and the private keys in DIR/keys/ (0600). Validity windows are\n"
"      based on --time (default now): certificates from T-1 day for years, CRLs and\n"
"      collateral from T-1 day to T+30 days (or from --issue-date for --validity-days;\n"
"      tcbEvaluationDataNumber 17 or --tcb-eval). Platforms (default one, FMSPC\n"
"      50C06F000000 under the PCK Platform CA): --platforms N = FMSPCs 50C06F000000 +\n"
"      i, even i Platform CA, odd i Processor CA; --fmspc (repeatable) names them.\n"
"      Platform i: DIR/platforms/i/ (a PKI directory of its own, with its one-platform\n"
"      collateral/); DIR/platforms.json lists them; platform 0 is also DIR itself.\n"
"      DIR/pcs/: what 'tdx-sim pcs' serves (tcb_info/FMSPC.json, qe_identity.json,\n"
"      pckcrl_{platform,processor}.der, root_ca_crl.der and the issuer chains).\n"
"      Each DEFECT adds one specific fault:\n"
"        --revoke-pck            platform 0's PCK CA CRL lists its PCK certificate\n"
"        --revoke-platform-ca    the root CA CRL lists the PCK Platform CA\n"
"        --expired-tcb-info      tcbInfo valid T-31d .. T-1d\n"
"        --expired-qe-identity   enclaveIdentity valid T-31d .. T-1d\n"
"        --bad-tcb-info-sig      one bit of the tcbInfo signature flipped\n"
"        --qe-identity-mismatch  QE identity MRSIGNER differs from the QE report's\n"
"        --fmspc-mismatch        tcbInfo fmspc differs from the PCK certificate's\n"
"  pki DIR --resign [--update standard|early] [--time T] [--issue-date T]\n"
"        [--validity-days N] [--tcb-eval N] [DEFECT...]\n"
"      Re-sign every collateral document of DIR with its keys (each file replaced\n"
"      atomically; keys and certificates kept). --update early writes only\n"
"      DIR/pcs/early/ (TCB infos, QE identity), which 'tdx-sim pcs' serves for\n"
"      update=early.\n"
"  quote --pki DIR [--platform N | --fmspc HEX] --report-data HEX [--td PROFILE.json]\n"
"        [--quote-version 4|5]\n"
"        [--corrupt qe-reportdata|quote-sig|qe-report-sig[,...]] [-o FILE]\n"
"      Write a signed quote (v4, or v5 with body type 3; default 4) over the 64-byte\n"
"      REPORTDATA (128 hex digits) to FILE (default stdout). --platform/--fmspc pick\n"
"      a platform of DIR (default: DIR's own files, platform 0); mount and qgs take\n"
"      them too.\n"
"  tdreport --report-data HEX [--td PROFILE.json] [-o FILE]\n"
"      Write a 1024-byte TDREPORT (MAC zero).\n"
"  profile [--td PROFILE.json]\n"
"      Print the default TD profile (or PROFILE.json with defaults filled in) as JSON.\n"
"      Keys (hex): mr_td, rtmr0..rtmr3, mr_config_id, mr_owner, mr_owner_config,\n"
"      mr_seam, mr_servicetd (96 digits), td_attributes, xfam (16), tee_tcb_svn,\n"
"      tee_tcb_svn2 (32). Unknown keys are rejected.\n"
"  mount MOUNTPOINT --pki DIR [--td PROFILE.json] [--quote-version 4|5] [-f]\n"
"        [--no-provider] [--busy N] [--race] [--corrupt ...] [--kernel FILE ...]\n"
"      FUSE file system behaving like /sys/kernel/config/tsm/report: mkdir an entry,\n"
"      write 64 bytes to inblob, read outblob (the quote), generation, provider.\n"
"        -f             stay in the foreground (default: daemon)\n"
"        --no-provider  mkdir fails with ENXIO (no TSM provider)\n"
"        --busy N       the first N outblob reads fail with EBUSY\n"
"        --race         the first outblob read bumps every generation once more\n"
"      Unmount with: fusermount3 -u MOUNTPOINT\n"
"      With --kernel FILE --ccel-out LOG [--initrd FILE] [--cmdline STRING]\n"
"        [--firmware CLASS] [--qemu-header-patch --ram MiB] [--append-event RTMR:DIGEST]...\n"
"      the TD booted that kernel directly under TDVF: LOG gets the event log (CCEL area)\n"
"      the firmware and the Linux EFI stub write (the rules of tdx-keyserver\n"
"      reference-values), and the quotes' RTMR0-3 are its replay. --append-event adds an\n"
"      event after the boot (RTMR 0-3, SHA-384 hex), as a kernel extending itself would.\n"
"      CLASS: pre202411, edk2-stable202411, edk2-stable202505, edk2-stable202508 (default).\n"
"  eventlog --kernel FILE --ccel-out LOG [--initrd FILE] [--cmdline STRING] [--firmware CLASS]\n"
"        [--qemu-header-patch --ram MiB] [--append-event RTMR:DIGEST]... [--td PROFILE.json]\n"
"        [--td-out FILE]\n"
"      What mount --kernel does, without mounting: writes LOG and the TD profile (JSON, to\n"
"      FILE or stdout) whose RTMR0-3 are the log's replay, for a later mount --td FILE.\n"
"  qgs --listen tcp:127.0.0.1:PORT --pki DIR [--td PROFILE.json] [--quote-version 4|5]\n"
"      [--pid-file FILE] [--corrupt ...]\n"
"      Quote Generation Service over TCP (framed GET_QUOTE messages, or a bare\n"
"      1024-byte TDREPORT). Prints \"listening on 127.0.0.1:PORT\"; PORT 0 picks one.\n"
"      The TD fields come from each received TDREPORT (--td is only validated).\n"
"      Stops on SIGTERM/SIGINT.\n"
"  pcs --pki DIR --listen tcp:127.0.0.1:PORT [--tls-cert PEM --tls-key PEM] [--pccs]\n"
"      [--fault SPEC]... [--fault-file FILE] [--access-log FILE] [--pid-file FILE]\n"
"      Intel PCS v4 look-alike serving DIR/pcs (read on every request, so 'pki DIR\n"
"      --resign' shows at once): /tdx/certification/v4/tcb?fmspc=HEX[&update=...|\n"
"      &tcbEvaluationDataNumber=N], /tdx/certification/v4/qe/identity,\n"
"      /sgx/certification/v4/pckcrl?ca=platform|processor[&encoding=pem|der],\n"
"      /sgx/certification/v4/fmspcs, /tdx/certification/v4/tcbevaluationdatanumbers,\n"
"      /IntelSGXRootCA.der, with the issuer chain\n"
"      headers (URL-encoded PEM) and Request-ID. --pccs answers like a PCCS: CRLs as\n"
"      hex unless encoding=der, /sgx/certification/v4/rootcacrl, /crl?uri=URL.\n"
"      Prints \"listening on http[s]://HOST:PORT\"; PORT 0 picks one. Faults, SPEC =\n"
"      KIND[:ARG][@MATCH][#COUNT] (MATCH: a substring of PATH?QUERY; COUNT: only the\n"
"      first COUNT matching requests): bad-sig, old (evaluation number - 1 / CRL a day\n"
"      older, correctly re-signed), 500 (or any status, status:CODE), 429[:SECONDS],\n"
"      truncate (connection cut mid-body), short (half the body), slow[:MS],\n"
"      bad-chain, no-chain. --fault-file: one SPEC a line, re-read when it changes\n"
"      and on SIGHUP (which also resets the counts). Stops on SIGTERM/SIGINT.\n"
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
	{ "pcs", sim_cmd_pcs },
	{ "eventlog", sim_cmd_eventlog },
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
