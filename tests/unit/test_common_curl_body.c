/* SPDX-License-Identifier: Apache-2.0 */
/* curl_body_write (the client's and the key server's libcurl body sink): chunks are
 * appended and NUL-terminated, exactly max bytes pass, one more is refused and flagged. */
#include "testutil.h"
#include "common/curl_body.h"

#include <stdlib.h>
#include <string.h>

static void test_append(void **state)
{
	static char chunk[5000];
	struct curl_body b = { .max = 10000 };

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(curl_body_write(chunk, 1, 3, &b), 3);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "xxx");
	/* past the first allocation, size and nmemb both counted */
	assert_int_equal(curl_body_write(chunk, 2, 2500, &b), 5000);
	assert_int_equal(curl_body_write(chunk, 1, 4997, &b), 4997);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.data[b.len], '\0');
	assert_false(b.too_big);
	free(b.data);
}

static void test_cap(void **state)
{
	struct curl_body b = { .max = 4 };

	(void)state;
	assert_int_equal(curl_body_write("abc", 1, 3, &b), 3);
	assert_int_equal(curl_body_write("de", 1, 2, &b), 0); /* 5 > 4: libcurl aborts */
	assert_true(b.too_big);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	free(b.data);

	b = (struct curl_body){ .max = 4 };
	assert_int_equal(curl_body_write("abcd", 1, 4, &b), 4);
	assert_false(b.too_big);
	assert_string_equal(b.data, "abcd");
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
