/* dp_test.h - the CUnit harness every unit-test program uses.
 *
 *   static void test_x(void) { CU_ASSERT(...); }
 *   DP_TEST_MAIN("bvh", DP_TEST(test_x), DP_TEST(test_y))
 *
 * The program exits non-zero if any assertion failed, so ctest sees the failure. */
#ifndef DP_TEST_H
#define DP_TEST_H
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "dp_source.h"

typedef struct {
  const char *name;
  void (*fn)(void);
} dp_test_case;
#define DP_TEST(f) {#f, f}

static inline int dp_test_run(const char *suite, const dp_test_case *cases, int n) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 2;
  CU_pSuite s = CU_add_suite(suite, NULL, NULL);
  for (int i = 0; i < n; i++) CU_add_test(s, cases[i].name, cases[i].fn);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}

#define DP_TEST_MAIN(suite, ...)                                                   \
  int main(void) {                                                                 \
    static const dp_test_case cases[] = {__VA_ARGS__};                             \
    return dp_test_run(suite, cases, (int)(sizeof cases / sizeof cases[0]));       \
  }

/* Path of a committed fixture: $DP_FIXTURES/name (set by ctest). */
static inline const char *dp_fixture(const char *name) {
  return dp_env_path("DP_FIXTURES", "tests/fixtures", name);
}
#endif
