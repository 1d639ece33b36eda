/* tdx-sim mount | qgs: argument parsing only (temporary stubs). */
#include "sim_cli.h"
#include "common/log.h"

int sim_cmd_mount(int argc, char **argv) { (void)argc; (void)argv; log_err("mount: not yet"); return SIM_EXIT_FAIL; }
int sim_cmd_qgs(int argc, char **argv) { (void)argc; (void)argv; log_err("qgs: not yet"); return SIM_EXIT_FAIL; }
