/* SPDX-License-Identifier: Apache-2.0 */
#include "curl_body.h"

#include <stdlib.h>
#include <string.h>

size_t curl_body_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct curl_body *b = userdata;
	size_t n = size * nmemb;

	if (n > b->max - b->len) {
		b->too_big = true;
		return 0; /* aborts the transfer */
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *nb;

		while (cap < b->len + n + 1)
			cap *= 2;
		nb = realloc(b->data, cap);
		if (!nb)
			return 0;
		b->data = nb;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}
