/* SPDX-License-Identifier: Apache-2.0 */
#include "resource_path.h"

#include <ctype.h>
#include <string.h>

bool resource_path_valid(const char *path)
{
	int parts = 0;

	for (const char *p = path; *p;) {
		size_t len = 0;

		if (*p == '.')
			return false;
		while (p[len] && p[len] != '/') {
			if (!isalnum((unsigned char)p[len]) && !strchr("_-.", p[len]))
				return false;
			len++;
		}
		if (len == 0 || len > RESOURCE_COMPONENT_MAX)
			return false;
		parts++;
		p += len;
		if (*p == '/' && !*++p)
			return false;
	}
	return parts == 3;
}
