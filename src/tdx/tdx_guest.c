/* SPDX-License-Identifier: Apache-2.0 */
#include "tdx_guest.h"
#include "../common/cleanup.h"
#include "../common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

/* <linux/tdx-guest.h> is not in Debian 12's linux-libc-dev (6.1): same ABI, restated. */
struct tdx_report_req {
	uint8_t reportdata[64];
	uint8_t tdreport[1024];
};
#define TDX_CMD_GET_REPORT0 _IOWR('T', 1, struct tdx_report_req)
_Static_assert(TDX_CMD_GET_REPORT0 == 0xC4405401u, "TDX_CMD_GET_REPORT0 ABI");

int tdx_guest_get_report(const uint8_t report_data[64], uint8_t tdreport[1024])
{
	_cleanup_close_ int fd = -1;
	struct tdx_report_req req;
	int r;

	fd = open(TDX_GUEST_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			return log_errno(r, "%s: not a TDX guest, or the tdx_guest module is not loaded", TDX_GUEST_DEVICE);
		return log_errno(r, "opening %s", TDX_GUEST_DEVICE);
	}
	memcpy(req.reportdata, report_data, 64);
	memset(req.tdreport, 0, sizeof(req.tdreport));
	do {
		r = ioctl(fd, TDX_CMD_GET_REPORT0, &req);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return log_errno(-errno, "%s: TDX_CMD_GET_REPORT0", TDX_GUEST_DEVICE);
	memcpy(tdreport, req.tdreport, 1024);
	return 0;
}
