/* SPDX-License-Identifier: Apache-2.0 */
/* Routing of one PCS simulator request (sim_pcs_route.c). */
#pragma once
#include <microhttpd.h>

#include "sim_pcs.h"
#include "sim_pcs_docs.h"

struct sim_pcs_ctx {
	const struct sim_pcs_config *cfg;
	const struct sim_pcs_faults_hit *hit;
};

struct sim_pcs_answer {
	unsigned status;
	struct sim_pcs_doc doc;   /* the body on 200 */
	const char *text;         /* plain-text body otherwise */
};

/* Fills a (status and document, or status and text). Returns 0, or a negative errno for
 * a server-side failure (answered 500). */
int sim_pcs_route(struct MHD_Connection *c, const char *url, const struct sim_pcs_ctx *x,
		  struct sim_pcs_answer *a);
