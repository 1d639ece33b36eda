/* SPDX-License-Identifier: Apache-2.0 */
/* Secret memory: two secrets never share a page, freeing one leaves the other locked, every
 * allocation is MADV_DONTDUMP, and a length shorter than the allocation still frees it all.
 * Read back from /proc/self/smaps: "VmFlags: ... lo" (VM_LOCKED) and "dd" (VM_DONTDUMP)
 * of the mapping that holds an address. */
#include "testutil.h"
#include "common/secmem.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Copies the VmFlags line of the mapping containing addr into flags (" lo dd ..." with a
 * leading and trailing space so " lo " can be searched). 0, or -1 when no mapping holds it. */
static int vm_flags(const void *addr, char *flags, size_t size)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	int r = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(flags, size, "%s ", line + 8);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

static bool has_flag(const void *addr, const char *flag)
{
	char flags[512], want[8];

	assert_int_equal(vm_flags(addr, flags, sizeof(flags)), 0);
	snprintf(want, sizeof(want), " %s ", flag);
	return strstr(flags, want) != NULL;
}

static size_t page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void test_dontdump(void **state)
{
	unsigned char *a = secmem_alloc(32), *big = secmem_alloc(3 * page());

	(void)state;
	assert_non_null(a);
	assert_non_null(big);
	assert_true(has_flag(a, "dd"));
	assert_true(has_flag(big, "dd"));
	assert_true(has_flag(big + 3 * page() - 1, "dd"));
	for (size_t i = 0; i < 32; i++)
		assert_int_equal(a[i], 0); /* zeroed like calloc */
	secmem_free(a, 32);
	secmem_free(big, 3 * page());
}

static void test_free_one_other_stays_locked(void **state)
{
	unsigned char *a = secmem_alloc(32), *b = secmem_alloc(32);
	uintptr_t pa, pb;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	if (!has_flag(b, "lo")) {
		/* RLIMIT_MEMLOCK too small, or AddressSanitizer, whose mlock() does nothing:
		 * locking is best effort by design. */
		secmem_free(a, 32);
		secmem_free(b, 32);
		print_message("SKIP: mlock has no effect here (RLIMIT_MEMLOCK or AddressSanitizer)\n");
		skip();
	}
	/* Not in one page: no munlock of one can reach the other. */
	pa = (uintptr_t)a / page();
	pb = (uintptr_t)b / page();
	assert_true(pa != pb && pa != (uintptr_t)(b + 31) / page() && pb != (uintptr_t)(a + 31) / page());
	memset(b, 0xa5, 32);
	secmem_free(a, 32);
	assert_true(has_flag(b, "lo"));
	assert_true(has_flag(b, "dd"));
	assert_int_equal(b[31], 0xa5);
	secmem_free(b, 32);
}

/* Many small secrets alive at once, freed in another order: each stays locked until freed. */
static void test_many(void **state)
{
	unsigned char *s[16];

	(void)state;
	for (size_t i = 0; i < 16; i++) {
		s[i] = secmem_alloc(i * 7 + 1);
		assert_non_null(s[i]);
		s[i][i * 7] = (unsigned char)i;
	}
	for (size_t i = 0; i < 16; i += 2)
		secmem_free(s[i], i * 7 + 1);
	for (size_t i = 1; i < 16; i += 2) {
		assert_int_equal(s[i][i * 7], i);
		assert_true(has_flag(s[i], "dd"));
		if (has_flag(s[1], "lo"))
			assert_true(has_flag(s[i], "lo"));
	}
	for (size_t i = 1; i < 16; i += 2)
		secmem_free(s[i], 0); /* a wrong length still releases the whole mapping */
}

/* A secret shortened after allocation (len < allocated) is wiped and unmapped whole. */
static void test_shorter_len_and_clear(void **state)
{
	struct secret s = { secmem_alloc(100), 100 };
	void *p = s.data;

	(void)state;
	assert_non_null(p);
	s.len = 10;
	secret_clear(&s);
	assert_null(s.data);
	assert_int_equal(s.len, 0);
	assert_int_equal(vm_flags(p, (char[64]){ 0 }, 64), -1); /* no mapping left there */
	secmem_free(NULL, 5);
	assert_null(secmem_alloc(SIZE_MAX - 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dontdump),
		cmocka_unit_test(test_free_one_other_stays_locked),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_shorter_len_and_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
