/* tdx-keyserver policy-from-quote QUOTE */
#include "ks_commands.h"
#include "../common/log.h"

int ks_policy_from_quote(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_err("policy-from-quote: not implemented yet");
	return KS_EXIT_USAGE;
}
