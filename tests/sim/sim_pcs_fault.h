/* SPDX-License-Identifier: Apache-2.0 */
/* Faults of the PCS simulator: which requests get which defect, from the command line and
 * from a fault file that is re-read whenever it changes (or on SIGHUP). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum sim_pcs_fault_kind {
	SIM_FAULT_BAD_SIG,   /* JSON signature / CRL signature bit flipped */
	SIM_FAULT_OLD,       /* re-signed: tcbEvaluationDataNumber - 1 / CRL thisUpdate - 1 day */
	SIM_FAULT_STATUS,    /* status arg (500 unless given), plain-text body */
	SIM_FAULT_429,       /* 429 with Retry-After: arg seconds (default 1) */
	SIM_FAULT_TRUNCATE,  /* Content-Length of the whole body, connection cut after half */
	SIM_FAULT_SHORT,     /* only the first half of the body, with its own Content-Length */
	SIM_FAULT_SLOW,      /* answer after arg milliseconds (default 3000) */
	SIM_FAULT_BAD_CHAIN, /* issuer chain header: the chain of another signer */
	SIM_FAULT_NO_CHAIN,  /* issuer chain header missing */
};

struct sim_pcs_fault {
	enum sim_pcs_fault_kind kind;
	unsigned arg;
	char match[128];     /* substring of "PATH?query" (empty: every request) */
	unsigned count;      /* 0: always; else only the first count matching requests */
	unsigned used;
};

#define SIM_PCS_MAX_FAULTS 32

/* What applies to one request (several faults may combine). */
struct sim_pcs_faults_hit {
	bool bad_sig, old, truncate, short_body, bad_chain, no_chain;
	unsigned status;      /* 0: none */
	unsigned retry_after; /* with status 429 */
	unsigned delay_ms;
};

/* Parses KIND[:ARG][@MATCH][#COUNT]; KIND: bad-sig, old (old-eval), 500 (any 3-digit status,
 * or status:CODE), 429[:SECONDS], truncate, short, slow[:MS], bad-chain, no-chain. */
int sim_pcs_fault_parse(const char *spec, struct sim_pcs_fault *out);

struct sim_pcs_faults;
/* fixed: the command line's faults; file: NULL or a fault file (one spec per line, '#'
 * starts a comment line). */
int sim_pcs_faults_new(const struct sim_pcs_fault *fixed, size_t n, const char *file,
		       struct sim_pcs_faults **out);
void sim_pcs_faults_free(struct sim_pcs_faults *f);
/* Forces a re-read of the fault file (SIGHUP) and resets every count. */
void sim_pcs_faults_reload(struct sim_pcs_faults *f);
/* The faults for one request ("PATH?query"); thread-safe. */
void sim_pcs_faults_match(struct sim_pcs_faults *f, const char *request, struct sim_pcs_faults_hit *hit);
